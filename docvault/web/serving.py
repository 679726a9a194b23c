"""Serving a web app of the appliance (the dashboard, the API) with waitress: a
production WSGI server in pure Python, so it installs on the armv7 NAS as it is.

waitress reads a request's whole body (to a temporary file) before the app sees the
request. An app that must refuse some requests before their body costs anything (the
API: a wrong key, an upload over the limit) passes `refuse`: it sees the headers, and a
request it refuses reaches the app without its body, which is never read, and the
connection closes after the answer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping

import waitress
from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser

from docvault.core.errors import ConfigError

# Sees a request's headers as waitress keeps them (CONTENT_LENGTH, X_API_KEY, ...):
# True refuses its body.
Refuse = Callable[[Mapping[str, str]], bool]

MIN_SECRET_LENGTH = 16
PLACEHOLDER = "change-me"  # how .env.example's secrets begin


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def weak_secret(value: str) -> str | None:
    """Why `value` is no secret to open a port beyond this machine with, or None."""
    if value.lower().startswith(PLACEHOLDER):
        return "is still the placeholder from .env.example"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    return None


def refuse_weak_secrets(what: str, host: str, secrets: Mapping[str, str]) -> None:
    """Before `what` listens beyond loopback: raise ConfigError for the first secret
    (setting -> value; an empty value is not checked) that is a placeholder or short."""
    if is_loopback(host):
        return
    for setting, value in secrets.items():
        weak = weak_secret(value) if value else None
        if weak:
            raise ConfigError(f"{what} listens beyond this machine ({host}) only with real secrets: "
                              f"{setting} {weak}; use e.g. `openssl rand -hex 32`")


def serve(app: Flask, host: str, port: int, ident: str, max_body: int | None = None,
          refuse: Refuse | None = None) -> None:
    limits = {} if max_body is None else {"max_request_body_size": max_body + 1}  # waitress: >= refuses
    server = waitress.create_server(app, host=host, port=port, threads=4, ident=ident, **limits)
    if refuse is not None:
        server.channel_class = _refusing_channel(refuse)
    server.run()


def _refusing_channel(refuse: Refuse) -> type[HTTPChannel]:
    class Parser(HTTPRequestParser):
        refused = False

        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            if self.body_rcv is not None and refuse(self.headers):
                self.refused = True
                self.body_rcv = None  # nothing is read or spooled
                self.content_length = 0  # CONTENT_LENGTH stays in the headers, for the app
                self.chunked = self.expect_continue = False  # no "100 Continue" either
                self.headers["CONNECTION"] = "close"

        def received(self, data: bytes) -> int:
            consumed = super().received(data)
            return len(data) if self.refused else consumed  # the body's first bytes: dropped

    class Channel(HTTPChannel):
        parser_class = Parser
        discarding = False  # a refused request's body: dropped as it arrives

        def received(self, data: bytes) -> bool:
            if self.discarding:
                return bool(data)
            handled = super().received(data)
            self.discarding = any(getattr(r, "refused", False) for r in self.requests)  # until closed
            return handled

    return Channel
