"""Writing a finished task to the outbox (a failed one goes aside: docvault/core/sidecars.py).

Each file is written under a temporary name and renamed into place, so the outbox never
shows half a file. The JSON sidecar is written last: its presence means the set is
complete. The names chosen are recorded in the task folder first, so a task that is run
again after a crash writes over its own partial outputs instead of adding a second set.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from docvault.core import durable
from docvault.core.names import unique_stem
from docvault.core.outbox import read_plan, write_plan
from docvault.core.sidecars import write_json
from docvault.core.task import Task
from pipeline.detect import Kind
from pipeline.ocr import PageSource, PageText
from pipeline.result import TaskResult


@dataclass(frozen=True, slots=True)
class Outputs:
    folder: Path
    json: Path
    txt: Path | None
    pdf: Path | None
    original: Path

    def to_dict(self) -> dict[str, str | None]:
        return {
            "json": str(self.json),
            "txt": str(self.txt) if self.txt else None,
            "pdf": str(self.pdf) if self.pdf else None,
            "original": str(self.original),
        }


def plan_outputs(task: Task, task_dir: Path, outbox: Path, kind: Kind, wanted: tuple[str, ...]) -> Outputs:
    """Choose (once per task) names in the outbox that clash with nothing there."""
    folder = task.outbox_folder(outbox)
    original = Path(task.file_name)
    pdf_suffix = ".ocr.pdf" if kind is Kind.PDF else ".pdf"
    stem = read_plan(task_dir)
    if stem is None:
        folder.mkdir(parents=True, exist_ok=True)
        stem = unique_stem(folder, original.stem, (".json", ".txt", pdf_suffix, original.suffix))
        write_plan(task_dir, stem)
    return Outputs(
        folder=folder,
        json=folder / f"{stem}.json",
        txt=folder / f"{stem}.txt" if "txt" in wanted else None,
        pdf=folder / f"{stem}{pdf_suffix}" if "pdf" in wanted else None,
        original=folder / f"{stem}{original.suffix}",
    )


def write_outputs(
    outputs: Outputs, task: Task, task_dir: Path, kind: Kind, pages: list[PageText], result: TaskResult
) -> Outputs:
    outputs.folder.mkdir(parents=True, exist_ok=True)
    if outputs.txt:
        durable.write_bytes(outputs.txt, "\f".join(p.text for p in pages).encode("utf-8"))
    pdf = outputs.pdf
    if pdf and any(p.source is PageSource.OCR for p in pages):
        _searchable_pdf(pdf, task, task_dir, kind, pages)
    else:
        pdf = None  # already searchable (or not wanted): the original serves
    source = task_dir / task.file_name
    if source.exists():
        if outputs.original.exists():  # a previous run got this far: its copy is ours
            outputs.original.unlink()
        durable.move(source, outputs.original)
    final = Outputs(outputs.folder, outputs.json, outputs.txt, pdf, outputs.original)
    # the sidecar names its files relative to itself: the folder may be mounted elsewhere
    write_json(outputs.json, result.with_outputs({k: v and Path(v).name for k, v in final.to_dict().items()}))
    return final


def _searchable_pdf(target: Path, task: Task, task_dir: Path, kind: Kind, pages: list[PageText]) -> None:
    """One PDF from tesseract's per-page PDFs (and blank pages' images), with text-layer
    pages taken from the input as they are."""
    parts = []
    for page in pages:
        if page.pdf is not None:
            parts.append(page.pdf)
        elif kind is Kind.PDF:
            part = task_dir / "pages" / f"page-{page.number:04d}.orig.pdf"
            subprocess.run(
                ["pdfseparate", "-f", str(page.number), "-l", str(page.number),
                 str(task_dir / task.file_name), str(part)],
                check=True, capture_output=True, timeout=300,
            )
            parts.append(part)
    tmp = task_dir / "searchable.pdf"
    if len(parts) == 1:
        os.replace(parts[0], tmp)
    else:
        subprocess.run(["pdfunite", *map(str, parts), str(tmp)], check=True, capture_output=True, timeout=600)
    with open(tmp, "rb") as fh:  # on disk before it is moved into the outbox
        os.fsync(fh.fileno())
    target.unlink(missing_ok=True)  # a previous attempt's: ours (see plan_outputs)
    durable.move(tmp, target)  # streamed, never the whole PDF in memory

