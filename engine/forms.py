"""Task forms: the JSON Schema a user task declares in its `form_schema` property.

A form's fields are shown in the schema's property order, or in the order its `ui:order` lists
them; `form_schema` writes the order down as `ui:order` because JSON objects travel with their
keys sorted. `if`/`then`/`else`, `dependentRequired` and `allOf` of them are validated here as
JSON Schema 2020-12 says (the pages show a conditional field only with the choice that needs it).

Messages are English sentences from a fixed set (`MESSAGES`), so the API can say them in the
reader's language; `labels` names each field at fault by its title.
"""

from __future__ import annotations

import json
from functools import lru_cache

import jsonschema

from engine.errors import InvalidTaskData

FORM_SCHEMA_PROPERTY = "form_schema"
ORDER_KEY = "ui:order"

# The English sentence of each JSON Schema keyword a form may break; placeholders from the schema.
MESSAGES = {
    "required": "This field is required.",
    "dependentRequired": "This field is required.",
    "minLength": "Enter at least {limit} characters.",
    "maxLength": "Enter at most {limit} characters.",
    "minimum": "Must be at least {limit}.",
    "maximum": "Must be at most {limit}.",
    "exclusiveMinimum": "Must be greater than {limit}.",
    "exclusiveMaximum": "Must be less than {limit}.",
    "minItems": "Give at least {limit} items.",
    "maxItems": "Give at most {limit} items.",
    "enum": "Choose one of the listed values.",
    "const": "Choose one of the listed values.",
    "oneOf": "Choose one of the listed values.",
    "type": "Not a valid {limit}.",
    "format": "Not a valid {limit}.",
    "pattern": "Not in the expected form.",
}


def form_schema(task_properties: dict) -> dict | None:
    """The task's form, each object's field order written down as `ui:order`."""
    raw = task_properties.get(FORM_SCHEMA_PROPERTY)
    return with_field_order(json.loads(raw)) if raw else None


def start_form_schema(process_spec) -> dict | None:
    """The form on the process's start event, if any: what is asked when a case is opened (at the
    one-stop desk, with the dossier)."""
    for task_spec in process_spec.task_specs.values():
        if type(task_spec).__name__ == "StartEvent":
            found = form_schema(dict((getattr(task_spec, "extensions", None) or {}).get("properties", {})))
            if found is not None:
                return found
    return None


def with_field_order(schema):
    """`schema` with a `ui:order` on every object that has properties and no order yet (`ui:order`, or
    the `x-order` of a form converted from another modeller), recursively."""
    if isinstance(schema, list):
        return [with_field_order(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ordered = {key: with_field_order(value) if key != "const" and key != "enum" and key != "default" else value
               for key, value in schema.items()}
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties and ORDER_KEY not in schema and "x-order" not in schema:
        ordered[ORDER_KEY] = list(properties)
    return ordered


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
    for error in _leaves(validator.iter_errors(data)):
        for path, message in _field_messages(error):
            if message not in errors.setdefault(path, []):
                errors[path].append(message)
    if errors:
        labels = {path: label for path in errors if (label := field_label(validator.schema, path))}
        details = {"labels": labels} if labels else {}
        raise InvalidTaskData(f"The data for task '{task_name}' does not fit its form.", data=errors, **details)


def _leaves(errors):
    """The errors a person can act on: for a failed `oneOf` of choices, itself; for a failed
    `allOf` or `if`, the errors of its branches."""
    for error in sorted(errors, key=lambda e: [str(p) for p in e.path]):
        if error.validator in ("allOf", "anyOf") and error.context:
            yield from _leaves(error.context)
        else:
            yield error


def _field_messages(error) -> list[tuple[str, str]]:
    base = [str(p) for p in error.path]
    keyword = error.validator
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return [(".".join([*base, missing]), MESSAGES["required"])]
    if keyword == "dependentRequired":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        return [(".".join([*base, missing]), MESSAGES["dependentRequired"])]
    path = ".".join(base) or "_schema"
    template = MESSAGES.get(keyword)
    if template is None:
        return [(path, error.message)]
    limit = error.validator_value
    if keyword == "minLength" and limit == 1:  # an empty text where one is needed
        return [(path, MESSAGES["required"])]
    if keyword == "type" and isinstance(limit, list):
        limit = " or ".join(limit)
    return [(path, template.format(limit=limit))]


def field_label(schema: dict, path: str) -> str | None:
    """The title of the field at `path` ("missing_documents.0.name"), looked up through items,
    `allOf` and `if`/`then`/`else` branches."""
    node = schema
    for part in path.split("."):
        if part.isdigit():
            node = node.get("items") if isinstance(node.get("items"), dict) else None
        else:
            node = _property(node, part)
        if not isinstance(node, dict):
            return None
    title = node.get("title")
    return title if isinstance(title, str) and title else None


def _property(schema: dict, name: str) -> dict | None:
    found = (schema.get("properties") or {}).get(name)
    if isinstance(found, dict):
        return found
    branches = [*(schema.get("allOf") or []), schema.get("then"), schema.get("else"),
                *(schema.get("dependentSchemas") or {}).values()]
    for branch in branches:
        if isinstance(branch, dict) and (found := _property(branch, name)) is not None:
            return found
    return None
