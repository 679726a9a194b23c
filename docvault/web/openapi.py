"""The OpenAPI 3.0 document of the HTTP API, served at /api/v1/openapi.json.

The tests validate real responses against it and fuzz the API with it, so it is kept
beside the code and not written by hand somewhere else.
"""

from __future__ import annotations

_TS = {"type": "string", "nullable": True, "description": "ISO 8601, UTC"}
_STATES = ["WAITING", "QUEUED", "PROCESSING", "RETRYING", "COMPLETED", "FAILED", "SKIPPED"]


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_ERRORS = {
    "400": _json("Error", "bad request (missing file, bad priority or language)"),
    "401": _json("Error", "missing or wrong X-API-Key"),
    "503": _json("Error", "the queue (Redis) is not reachable"),
}
_UPLOAD_FIELDS = {
    "language": {"type": "string", "description": "tesseract languages, e.g. deu+eng"},
    "priority": {"type": "string", "enum": ["high", "normal", "low"], "default": "normal"},
}

SPEC: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "DocVault Ingest API",
        "version": "1.0.0",
        "description": "Upload documents for OCR and read their status and results. "
        "Every endpoint but /healthz needs the X-API-Key header when an API key is set.",
    },
    "security": [{"apiKey": []}],
    "paths": {
        "/healthz": {
            "get": {
                "summary": "Liveness: the API runs and Redis answers",
                "security": [],
                "responses": {"200": _json("Health", "healthy"), "503": _ERRORS["503"]},
            }
        },
        "/api/v1/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0 document"},
                                                               "401": _ERRORS["401"]}}
        },
        "/api/v1/ocr/process": {
            "post": {
                "summary": "Queue one document",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}, **_UPLOAD_FIELDS},
                    }}},
                },
                "responses": {
                    "202": _json("Accepted", "queued, or set aside as a duplicate (ingest.duplicates: skip)"),
                    **_ERRORS,
                    "413": _json("Error", "larger than api.max_upload_mb"),
                    "415": _json("Error", "not a file type DocVault reads"),
                    "422": _json("Error", "the file failed before it was queued; it is in outbox/failed"),
                },
            }
        },
        "/api/v1/ocr/batch": {
            "post": {
                "summary": "Queue several documents as one batch",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": {
                        "type": "object",
                        "required": ["files"],
                        "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                            **_UPLOAD_FIELDS,
                        },
                    }}},
                },
                "responses": {
                    "202": _json("BatchAccepted", "all files queued"),
                    **_ERRORS,
                    "413": _json("Error", "larger than api.max_upload_mb"),
                    "415": _json("Error", "a file is not a type DocVault reads; none was queued"),
                },
            }
        },
        "/api/v1/ocr/status/{task_id}": {
            "get": {
                "summary": "A task's status and progress",
                "parameters": [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json("TaskStatus", "the status"), **_ERRORS,
                              "404": _json("Error", "unknown task, or its record expired")},
            }
        },
        "/api/v1/ocr/batch/{batch_id}": {
            "get": {
                "summary": "Tasks of a batch per status",
                "parameters": [{"name": "batch_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json("BatchStatus", "totals"), **_ERRORS,
                              "404": _json("Error", "unknown batch, or expired")},
            }
        },
        "/api/v1/ocr/result/{task_id}": {
            "get": {
                "summary": "A finished task's result",
                "parameters": [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": _json("Result", "the result JSON, as in the outbox sidecar"),
                    **_ERRORS,
                    "404": _json("Error", "unknown task"),
                    "409": _json("Error", "not finished yet: `status` and `progress` say where it stands"),
                    "410": _json("Error", "the cached result expired; `outbox_json` is the sidecar's path "
                                  "in the outbox"),
                    "422": _json("Error", "the task failed: `message` says why"),
                },
            }
        },
        "/api/v1/worker/stats": {
            "get": {"summary": "Queue and worker figures (as `docvault stats`)",
                    "responses": {"200": _json("Stats", "figures"), **_ERRORS}}
        },
    },
    "components": {
        "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string", "description": "stable code, e.g. not_found"},
                    "message": {"type": "string", "description": "for people"},
                    "status": {"type": "string", "enum": _STATES},
                    "progress": {"type": "integer"},
                    "outbox_json": {"type": "string", "nullable": True},
                    "error_file": {"type": "string", "nullable": True},
                },
            },
            "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
            "Accepted": {
                "type": "object",
                "required": ["task_id", "status", "message"],
                "properties": {"task_id": {"type": "string"}, "status": {"type": "string", "enum": ["QUEUED", "SKIPPED"]},
                               "message": {"type": "string"}},
            },
            "BatchAccepted": {
                "type": "object",
                "required": ["batch_id", "task_ids", "total", "message"],
                "properties": {"batch_id": {"type": "string"},
                               "task_ids": {"type": "array", "items": {"type": "string"}},
                               "total": {"type": "integer"}, "message": {"type": "string"}},
            },
            "TaskStatus": {
                "type": "object",
                "required": ["task_id", "status", "progress", "message", "created_at", "updated_at"],
                "properties": {"task_id": {"type": "string"}, "status": {"type": "string", "enum": _STATES},
                               "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                               "message": {"type": "string"}, "created_at": _TS, "updated_at": _TS},
            },
            "BatchStatus": {
                "type": "object",
                "required": ["batch_id", "total", *_STATES],
                "properties": {"batch_id": {"type": "string"}, "total": {"type": "integer"},
                               **{s: {"type": "integer"} for s in _STATES}},
                "additionalProperties": {"type": "integer"},
            },
            "Result": {
                "type": "object",
                "required": ["task_id", "status", "text", "confidence", "page_count", "processing_time",
                             "pages", "metadata"],
                "properties": {
                    "task_id": {"type": "string"},
                    "status": {"type": "string", "enum": ["COMPLETED"]},
                    "text": {"type": "string"},
                    "confidence": {"type": "number", "nullable": True},
                    "language": {"type": "string", "nullable": True},
                    "languages": {"type": "array", "items": {"type": "string"}},
                    "page_count": {"type": "integer"},
                    "processing_time": {"type": "number"},
                    "pages": {"type": "array", "items": {"type": "object"}},
                    "metadata": {"type": "object"},
                    "category": {"type": "object"},
                },
            },
            "Stats": {"type": "object", "required": ["queued", "workers"],
                      "properties": {"queued": {"type": "object"}, "workers": {"type": "array"}}},
        },
    },
}
