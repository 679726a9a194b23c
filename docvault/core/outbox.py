"""The outbox plan and the one answer to "are this task's outputs written?".

A worker chooses its outbox names once per task and records them in the task folder
(`outbox-plan.json`) before writing; the JSON sidecar is the last file it writes. So a
task whose planned sidecar exists and names the task is done, whoever asks: the worker
that runs it again after a crash (pipeline), or the daemon's reconcile (ingest).
"""

from __future__ import annotations

import json
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from docvault.core import durable, ownfiles
from docvault.core.errors import InvalidRecord
from docvault.core.task import OUTBOX_PLAN, Task, is_file_name

__all__ = ["NOT_FILES", "OUTBOX_PLAN", "read_plan", "write_plan", "written_record"]
NOT_FILES = frozenset({"pdf_type"})  # the outputs entries that are not files
RESULT_BYTES = 64 * 1024 * 1024  # a result JSON holds the text of up to max_pages pages


def read_plan(task_dir: Path) -> str | None:
    """The stem the task's outputs were given, or None before the worker chose one.
    InvalidRecord when the plan names no outbox file DocVault could have chosen (the work
    folder is on the share)."""
    try:
        stem = ownfiles.read_json(task_dir / OUTBOX_PLAN).get("stem")
    except FileNotFoundError:
        return None
    if not is_file_name(stem):
        raise InvalidRecord(f"{OUTBOX_PLAN} in {task_dir.name} names no outbox file DocVault chose; refused")
    return stem


def write_plan(task_dir: Path, stem: str) -> None:
    durable.write_bytes(task_dir / OUTBOX_PLAN, json.dumps({"stem": stem}).encode())


def written_record(task: Task, task_dir: Path, outbox: Path) -> dict[str, Any] | None:
    """The result record of an earlier run that wrote the whole set (its JSON sidecar, the
    last file written, is there and names this task), with the outputs relative to
    `outbox`, as the status keeps them; else None."""
    stem = read_plan(task_dir)
    if stem is None:
        return None
    folder = task.outbox_folder(outbox)
    try:
        record = ownfiles.read_json(folder / f"{stem}.json", RESULT_BYTES)
    except (FileNotFoundError, InvalidRecord):
        return None
    if record.get("task_id") != task.id:
        return None
    outputs = record.get("outputs")
    if not isinstance(outputs, dict) or not all(v is None or is_file_name(v) for v in outputs.values()):
        return None
    return {**record, "outputs": {k: v if k in NOT_FILES or not v
                                  else (folder / v).relative_to(outbox).as_posix()
                                  for k, v in outputs.items()}}


def relative_outputs(outputs: Mapping[str, str | None], outbox: Path) -> dict[str, str | None]:
    """Where a task's files went, as paths inside the outbox (`failed/scan.pdf`): what
    clients are shown, never the server's own folders. Records keep them so (relative
    to the outbox, for workers on other machines); a full path, as records from before
    that hold: made relative to the outbox, or its name when outside it."""
    def inside(value: str) -> str:
        path = Path(value)
        if not path.is_absolute():
            return path.as_posix()
        return str(path.relative_to(outbox)) if path.is_relative_to(outbox) else path.name

    return {kind: value and inside(value) for kind, value in outputs.items()}
