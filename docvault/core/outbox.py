"""The outbox plan and the one answer to "are this task's outputs written?".

A worker chooses its outbox names once per task and records them in the task folder
(`outbox-plan.json`) before writing; the JSON sidecar is the last file it writes. So a
task whose planned sidecar exists and names the task is done, whoever asks: the worker
that runs it again after a crash (pipeline), or the daemon's reconcile (ingest).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docvault.core import durable
from docvault.core.task import Task

OUTBOX_PLAN = "outbox-plan.json"


def read_plan(task_dir: Path) -> str | None:
    """The stem the task's outputs were given, or None before the worker chose one."""
    try:
        return str(json.loads((task_dir / OUTBOX_PLAN).read_text(encoding="utf-8"))["stem"])
    except FileNotFoundError:
        return None


def write_plan(task_dir: Path, stem: str) -> None:
    durable.write_bytes(task_dir / OUTBOX_PLAN, json.dumps({"stem": stem}).encode())


def written_record(task: Task, task_dir: Path, outbox: Path) -> dict[str, Any] | None:
    """The result record of an earlier run that wrote the whole set (its JSON sidecar, the
    last file written, is there and names this task), with the outputs as full paths;
    else None."""
    stem = read_plan(task_dir)
    if stem is None:
        return None
    folder = task.outbox_folder(outbox)
    try:
        record = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or record.get("task_id") != task.id:
        return None
    outputs = record.get("outputs")
    if not isinstance(outputs, dict):
        return None
    return {**record, "outputs": {k: v and str(folder / v) for k, v in outputs.items()}}
