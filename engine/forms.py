"""Task forms: the JSON Schema a user task declares in its `form_schema` property."""

from __future__ import annotations

import json
from functools import lru_cache

import jsonschema

from engine.errors import InvalidTaskData

FORM_SCHEMA_PROPERTY = "form_schema"


def form_schema(task_properties: dict) -> dict | None:
    raw = task_properties.get(FORM_SCHEMA_PROPERTY)
    return json.loads(raw) if raw else None


def validate_form_data(task_properties: dict, data: dict, task_name: str) -> None:
    """`validate_task_data` against the form the task's properties declare (if any)."""
    raw = task_properties.get(FORM_SCHEMA_PROPERTY)
    if raw:
        _check(_validator(raw), data, task_name)


@lru_cache(maxsize=512)
def _validator(raw_schema: str) -> jsonschema.Draft202012Validator:
    """A validator per form, made once: a form is a model's constant."""
    return jsonschema.Draft202012Validator(json.loads(raw_schema))


def validate_task_data(schema: dict | None, data: dict, task_name: str) -> None:
    """Raise `InvalidTaskData` with one message per field when `data` does not fit the form."""
    if schema is None:
        return
    _check(jsonschema.Draft202012Validator(schema), data, task_name)


def _check(validator: jsonschema.Draft202012Validator, data: dict, task_name: str) -> None:
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else "?"
            errors.setdefault(missing, []).append("This field is required.")
            continue
        path = ".".join(str(p) for p in error.path) or "_schema"
        errors.setdefault(path, []).append(error.message)
    if errors:
        raise InvalidTaskData(f"The data for task '{task_name}' does not fit its form.", data=errors)
