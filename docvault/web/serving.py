"""Serving a web app of the appliance (the dashboard, the API) with waitress: a
production WSGI server in pure Python, so it installs on the armv7 NAS as it is."""

from __future__ import annotations

import ipaddress

import waitress
from flask import Flask


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(app: Flask, host: str, port: int, ident: str) -> None:
    waitress.serve(app, host=host, port=port, threads=4, ident=ident)
