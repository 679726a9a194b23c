"""Writing a finished task to the outbox (a failed one goes aside: docvault/core/sidecars.py).

Each file is written under a temporary name and renamed into place, so the outbox never
shows half a file. The JSON sidecar is written last: its presence means the set is
complete. The names chosen are recorded in the task folder first, so a task that is run
again after a crash writes over its own partial outputs instead of adding a second set.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from docvault.core import durable
from docvault.core.config import PdfType
from docvault.core.names import unique_stem
from docvault.core.outbox import read_plan, write_plan
from docvault.core.sidecars import write_json
from docvault.core.task import PAGES, SEARCHABLE, Task
from pipeline import embed, graft, pdfa
from pipeline.detect import Kind
from pipeline.ocr import PageText
from pipeline.result import TaskResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outputs:
    folder: Path
    json: Path
    txt: Path | None
    pdf: Path | None
    original: Path
    pdf_type: PdfType | None = None  # what the searchable PDF is, when one was written

    def to_dict(self, outbox: Path) -> dict[str, str | None]:
        """The files' paths relative to `outbox`, as the status and the results keep them."""
        return {
            "json": self.json.relative_to(outbox).as_posix(),
            "txt": self.txt.relative_to(outbox).as_posix() if self.txt else None,
            "pdf": self.pdf.relative_to(outbox).as_posix() if self.pdf else None,
            "pdf_type": self.pdf_type.value if self.pdf and self.pdf_type else None,
            "original": self.original.relative_to(outbox).as_posix(),
        }


def plan_outputs(task: Task, task_dir: Path, outbox: Path, kind: Kind, wanted: tuple[str, ...]) -> Outputs:
    """Choose (once per task) names in the outbox that clash with nothing there."""
    folder = task.outbox_folder(outbox)
    original = Path(task.file_name)
    pdf_suffix = ".ocr.pdf" if kind is Kind.PDF else ".pdf"
    # The original keeps its suffix, unless an output has it (a PNG called scan.json or
    # notes.txt, a JPEG called photo.pdf): then it is <name>.original.<suffix>, never
    # written over by its own outputs.
    kept = original.suffix
    if kept.casefold() in (".json", ".txt", pdf_suffix):
        kept = f".original{kept}"
    stem = read_plan(task_dir)
    if stem is None:
        folder.mkdir(parents=True, exist_ok=True)
        stem = unique_stem(folder, original.stem, (".json", ".txt", pdf_suffix, kept))
        write_plan(task_dir, stem)
    return Outputs(
        folder=folder,
        json=folder / f"{stem}.json",
        txt=folder / f"{stem}.txt" if "txt" in wanted else None,
        pdf=folder / f"{stem}{pdf_suffix}" if "pdf" in wanted else None,
        original=folder / f"{stem}{kept}",
    )


def write_outputs(
    outputs: Outputs, task: Task, task_dir: Path, kind: Kind, pages: list[PageText], result: TaskResult,
    pdf_type: PdfType = PdfType.PDFA_2B,
) -> Outputs:
    outputs.folder.mkdir(parents=True, exist_ok=True)
    if outputs.txt:
        durable.write_bytes(outputs.txt, "\f".join(p.text for p in pages).encode("utf-8"))
    pdf = outputs.pdf
    written_type = None
    if pdf and any(p.pdf is not None for p in pages):
        try:
            written_type = _searchable_pdf(pdf, task, task_dir, kind, pages, pdf_type)
        except pikepdf.PdfError as exc:  # poppler read it, qpdf cannot write it back
            log.warning("%s %s: no searchable PDF, the file is too damaged to add text to (%s); "
                        "its text is in the txt and JSON", task.id, task.name, exc)
            pdf = None
    else:
        pdf = None  # already searchable (or not wanted): the original serves
    source = task_dir / task.file_name
    if source.exists():
        if outputs.original.exists():  # a previous run got this far: its copy is ours
            outputs.original.unlink()
        durable.move(source, outputs.original)
    final = Outputs(outputs.folder, outputs.json, outputs.txt, pdf, outputs.original, written_type)
    # the sidecar names its files relative to itself: the folder may be mounted elsewhere
    write_json(outputs.json, result.with_outputs(final.to_dict(outputs.folder)))
    return final


def _searchable_pdf(target: Path, task: Task, task_dir: Path, kind: Kind, pages: list[PageText],
                    pdf_type: PdfType) -> PdfType:
    """The original (an image input: its pixels as PDF pages) with the read pages' text
    grafted on, as `pdf_type` where the original allows it; returns what was written.
    Streamed from and to disk: pikepdf reads a stream's data only when it copies it."""
    original = task_dir / task.file_name
    base = original
    if kind is not Kind.PDF:
        base = task_dir / PAGES / "embedded.pdf"
        embed.image_pdf(original, base, [p.dpi for p in pages])
    tmp = task_dir / SEARCHABLE
    with pikepdf.open(base) as pdf:
        graft.graft_pages(pdf, pages)
        if pdf_type is PdfType.PDFA_2B:
            found = pdfa.obstacles(pdf)
            if found:
                log.warning("%s %s: searchable PDF written as plain PDF, not PDF/A: %s", task.id,
                            task.name, "; ".join(found))
                pdf_type = PdfType.PDF
            else:
                pdfa.make_pdfa(pdf, dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
        # unencrypted: an archive must open without a password; the XMP as it is; the
        # dictionaries packed in object streams (a few KB less: tesseract's font, the ICC)
        pdf.save(tmp, fix_metadata_version=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with open(tmp, "rb") as fh:  # on disk before it is moved into the outbox
        os.fsync(fh.fileno())
    target.unlink(missing_ok=True)  # a previous attempt's: ours (see plan_outputs)
    durable.move(tmp, target)  # streamed, never the whole PDF in memory
    if base != original:
        base.unlink()
    return pdf_type
