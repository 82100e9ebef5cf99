"""The JSON Schema of the input, generated from the model (committed as schema/)."""

from __future__ import annotations

import json

from kpu_docs.input.model import AnnualReportInput


def schema() -> dict:
    return AnnualReportInput.model_json_schema(by_alias=True, mode="validation")


def schema_json() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
