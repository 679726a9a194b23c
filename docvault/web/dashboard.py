"""`docvault dashboard`: rq-dashboard on this appliance's Redis.

Loopback only, unless a basic-auth username and password are configured: the dashboard
can delete and requeue jobs. rq-dashboard has no CSRF protection of its own, so a
request that changes anything must come from the dashboard's own page (its Origin, or
else its Referer): another site open in the owner's logged-in browser cannot empty a
queue.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, request
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from docvault.core import jobs
from docvault.core.config import Config
from docvault.core.errors import ConfigError
from docvault.web.serving import is_loopback, refuse_weak_secrets
from docvault.web.serving import serve as serve_app

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_app(config: Config) -> Flask:
    """rq-dashboard's blueprint in an app of ours: the login is checked app-wide, as
    rq-dashboard's own helper would add it to its shared blueprint once per process.
    The app's /static/ route comes first and shadows the blueprint's (same path, as
    url_prefix is ""): it must serve rq-dashboard's files, or the page loads without
    its CSS and JavaScript and stays on "Loading..."."""
    from rq_dashboard import default_settings, web

    settings = config.dashboard
    app = Flask("docvault-dashboard", static_folder=web.blueprint.static_folder)
    app.config.from_object(default_settings)
    app.config.update(RQ_DASHBOARD_REDIS_URL=config.redis.effective_url, DEPRECATED_OPTIONS=[])
    if settings.username:
        app.before_request(_login_required(settings.username, settings.password))
    app.before_request(_from_own_page)
    app.register_blueprint(web.blueprint, url_prefix="")
    web.config.serializer = JSONSerializer  # our jobs are JSON, never pickle
    web.Worker = JsonWorker  # its Workers page reads each busy worker's job
    web.setup_rq_connection(app)
    return app


class JsonWorker(Worker):
    """RQ's Worker as rq-dashboard looks the workers up, but reading the job each one is
    on as JSON: rq-dashboard passes no serializer, and with RQ's default (pickle) its
    Workers page failed with an error whenever a worker was busy."""

    @classmethod
    def all(cls, connection: Redis | None = None, job_class: type[Job] | None = None,
            queue_class: type[Queue] | None = None, queue: Queue | None = None,
            serializer: object = None) -> list[Worker]:
        return super().all(connection, job_class or jobs.DocVaultJob, queue_class, queue,
                           serializer or JSONSerializer)


def _login_required(username: str, password: str) -> Callable[[], Response | None]:
    user, secret = username.encode(), password.encode()

    def check() -> Response | None:
        auth = request.authorization
        # bytes, not text: compare_digest refuses non-ASCII text (a 500, not a 401)
        if (auth is not None and hmac.compare_digest((auth.username or "").encode(), user)
                and hmac.compare_digest((auth.password or "").encode(), secret)):
            return None
        return Response("Please log in", 401, {"WWW-Authenticate": 'Basic realm="DocVault"'})

    return check


def _from_own_page() -> Response | None:
    """Refuse a request that changes something unless the dashboard's page sent it."""
    if request.method in SAFE_METHODS:
        return None
    source = urlsplit(request.headers.get("Origin") or request.headers.get("Referer") or "")
    if source.scheme and f"{source.scheme}://{source.netloc}" == request.host_url.rstrip("/"):
        return None
    return Response("Refused: changes are accepted only from the dashboard's own page "
                    "(this request came from another site, or did not say where from)", 403)


def serve(config: Config, host: str, port: int) -> None:
    settings = config.dashboard
    if not is_loopback(host):
        if not (settings.username and settings.password):
            raise ConfigError(f"the dashboard listens beyond this machine ({host}) only with a login: "
                              "set dashboard.username and dashboard.password (env DASHBOARD_USERNAME, "
                              "DASHBOARD_PASSWORD)")
    refuse_weak_secrets("the dashboard", host, {"dashboard.password (env DASHBOARD_PASSWORD)": settings.password,
                                                "the password in redis.url (REDIS_PASSWORD)": config.redis.password})
    serve_app(make_app(config), host, port, ident="docvault-dashboard")
