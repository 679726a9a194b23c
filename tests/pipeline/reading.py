"""Reading documents the way `docvault process` does: pipeline.read.read_document on a
file, with the page images in a tmp folder and progress recorded."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from docvault.core.config import OcrMode, PipelineSettings, ResultSettings
from pipeline.progress import Progress
from pipeline.read import Document, read_document
from tests.conftest import corpus


@pytest.fixture(autouse=True)
def one_thread_per_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `docvault worker` and `docvault process` set: without it two tesseracts on
    two cores fight over threads and run several times slower."""
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")


class RecordedProgress(Progress):
    """Progress without Redis that keeps every message, for asserting on them."""

    def __init__(self, name: str) -> None:
        super().__init__(None, None, "test", name, ResultSettings())
        self.messages: list[str] = []

    def set(self, state, percent, message, **fields) -> None:  # noqa: ANN001 - as Progress.set
        super().set(state, percent, message, **fields)
        self.messages.append(message)


def settings(**changes: object) -> PipelineSettings:
    if isinstance(changes.get("ocr_mode"), str):
        changes["ocr_mode"] = OcrMode(changes["ocr_mode"])
    return dataclasses.replace(PipelineSettings(), **changes)


Read = Callable[..., Document]


@pytest.fixture
def read(tmp_path: Path) -> Read:
    """read("dir/file" or a Path, **settings) -> Document; .progress has the messages."""

    def read_file(source: str | Path, **changes: object) -> Document:
        path = source if isinstance(source, Path) else corpus(source)
        progress = RecordedProgress(path.name)
        pages_dir = tmp_path / f"pages-{path.stem}"
        doc = read_document(path, pages_dir, settings(**changes), progress)
        read_file.progress = progress  # type: ignore[attr-defined]
        return doc

    return read_file
