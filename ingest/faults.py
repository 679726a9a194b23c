"""Fault injection for the crash tests: `DOCVAULT_FAULT=<point>` makes the daemon kill
itself (SIGKILL, as a power cut or the OOM killer would) when it reaches that point."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping

from docvault.core.errors import ConfigError

log = logging.getLogger(__name__)

ENV = "DOCVAULT_FAULT"
POINTS = (
    "moved",  # the file is in its task folder; the manifest has no sha256 yet
    "claimed",  # the manifest is complete; the job is not enqueued yet
)


def armed_point(env: Mapping[str, str]) -> str:
    point = env.get(ENV, "")
    if point and point not in POINTS:
        raise ConfigError(f"{ENV}={point!r}: expected one of {', '.join(POINTS)}")
    return point


def trip(point: str, armed: str, task_id: str, name: str) -> None:
    if point == armed:
        log.error("%s %s: fault injection: killing the daemon at %r", task_id, name, point)
        os.kill(os.getpid(), signal.SIGKILL)
