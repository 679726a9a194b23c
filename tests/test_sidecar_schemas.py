"""The sidecars a real run writes match the JSON Schemas published in docs/schemas/:
a result, an error file and a duplicate file, each from a real worker or intake."""

from __future__ import annotations

import json

import jsonschema
import pytest

from docvault.core import status
from tests.conftest import REPO, corpus

SCHEMAS = REPO / "docs" / "schemas"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def validators() -> dict[str, jsonschema.Draft202012Validator]:
    return {name: _validator(name) for name in ("result", "error", "duplicate")}


def test_real_sidecars_match_their_schemas(make_config, conn, submit, run_worker, validators):
    config = make_config(ingest={"duplicates": "skip"})
    done = submit(config, corpus("tesseract/HelloGoogle.tif"), name="first.tif")
    submit(config, corpus("tesseract/HelloGoogle.tif"), name="again.tif")  # set aside at once
    submit(config, corpus("ocrmypdf/invalid.pdf"), name="broken.pdf")
    run_worker()

    result = json.loads((config.paths.outbox / "first.json").read_text())
    error = json.loads((config.paths.failed / "broken.pdf.error.json").read_text())
    duplicate = json.loads((config.paths.duplicates / "again.tif.duplicate.json").read_text())
    validators["result"].validate(result)
    validators["result"].validate(status.get_result(conn, done.id))  # what Redis keeps
    validators["error"].validate(error)
    validators["duplicate"].validate(duplicate)
    assert error["reason"] == "corrupt" and duplicate["duplicate_of"] == done.id


def test_the_schemas_refuse_what_is_not_a_sidecar(validators):
    """Not schemas that accept anything: a result without its text, an error without a
    message for people, a duplicate naming no earlier task."""
    with pytest.raises(jsonschema.ValidationError):
        validators["result"].validate({"schema_version": 1, "task_id": "x", "status": "COMPLETED"})
    with pytest.raises(jsonschema.ValidationError, match="message"):
        validators["error"].validate({"schema_version": 1, "task_id": "t", "name": "a.pdf", "error": "E",
                                      "reason": "corrupt", "attempts": 1, "failed_at": "2026-12-03T10:00:00+00:00",
                                      "traceback": "", "priority": "normal", "batch": None, "relpath": None,
                                      "original": "a.pdf"})
    with pytest.raises(jsonschema.ValidationError):
        validators["duplicate"].validate({"schema_version": 1, "reason": "duplicate"})
