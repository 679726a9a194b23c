"""`docvault dashboard`: rq-dashboard on this appliance's Redis.

Loopback only, unless a basic-auth username and password are configured: the dashboard
can delete and requeue jobs.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import Flask, Response, request
from rq.serializers import JSONSerializer

from docvault.core.config import Config
from docvault.core.errors import ConfigError
from docvault.web.serving import is_loopback
from docvault.web.serving import serve as serve_app


def make_app(config: Config) -> Flask:
    """rq-dashboard's blueprint in an app of ours: the login is checked app-wide, as
    rq-dashboard's own helper would add it to its shared blueprint once per process."""
    from rq_dashboard import default_settings, web

    settings = config.dashboard
    app = Flask("docvault-dashboard")
    app.config.from_object(default_settings)
    app.config.update(RQ_DASHBOARD_REDIS_URL=config.redis.effective_url, DEPRECATED_OPTIONS=[])
    if settings.username:
        app.before_request(_login_required(settings.username, settings.password))
    app.register_blueprint(web.blueprint, url_prefix="")
    web.config.serializer = JSONSerializer  # our jobs are JSON, never pickle
    web.setup_rq_connection(app)
    return app


def _login_required(username: str, password: str) -> Callable[[], Response | None]:
    def check() -> Response | None:
        auth = request.authorization
        if (auth is not None and hmac.compare_digest(auth.username or "", username)
                and hmac.compare_digest(auth.password or "", password)):
            return None
        return Response("Please log in", 401, {"WWW-Authenticate": 'Basic realm="DocVault"'})

    return check


def serve(config: Config, host: str, port: int) -> None:
    settings = config.dashboard
    if not is_loopback(host) and not (settings.username and settings.password):
        raise ConfigError(f"the dashboard listens beyond this machine ({host}) only with a login: "
                          "set dashboard.username and dashboard.password (env DASHBOARD_USERNAME, "
                          "DASHBOARD_PASSWORD)")
    serve_app(make_app(config), host, port, ident="docvault-dashboard")
