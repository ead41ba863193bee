"""Generated forms of other modellers as a JSON Schema (draft 2020-12), the form of a MotCua task.

Camunda 7's `camunda:formData/camunda:formField` and Flowable's / Activiti's `formProperty` list a
task's fields; each becomes a property of an object schema, and `"x-order"` lists the fields in their
order (the API writes an object's keys sorted; the web form follows `x-order`):

| field | schema |
|---|---|
| type `string` / `long` / `double` / `boolean` | `"type": "string"` / `"integer"` / `"number"` / `"boolean"` |
| type `date` | `"type": "string", "format": "date"` and an ISO date `pattern` (values are `YYYY-MM-DD`) |
| type `enum` with values `id`/`name` | `"type": "string", "oneOf": [{"const": id, "title": name}, ...]` |
| `label` (Camunda), `name` (Flowable) | `title` |
| `defaultValue` / `default` | `default`, read as the field's type (a date through its `datePattern`) |
| constraint `required`, `required="true"` | listed in `required` |
| constraint `readonly`, `writable="false"` | `readOnly: true` |
| constraints `minlength`/`maxlength`, `min`/`max` | `minLength`/`maxLength`, `minimum`/`maximum` |

Anything else (custom types and validators, expressions, field properties) is a `FormProblem`: the
caller reports it; the field is kept as well as it can be.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DEFAULT_DATE_PATTERN = "dd/MM/yyyy"  # Camunda's and Flowable's default
_TYPES = {"string": "string", "long": "integer", "double": "number",
          "boolean": "boolean", "date": "string", "enum": "string"}
_JAVA_DATE_PARTS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


@dataclass(frozen=True)
class FormProblem:
    what: str
    code: str  # a reason code of engine/vendor_reasons.py
    params: dict
    line: int | None


@dataclass
class FormField:
    name: str
    kind: str  # a key of _TYPES
    title: str | None = None
    default: object = None
    required: bool = False
    read_only: bool = False
    limits: dict = field(default_factory=dict)  # minLength, maxLength, minimum, maximum
    choices: list[tuple[str, str]] = field(default_factory=list)

    def schema(self) -> dict:
        schema: dict = {"type": _TYPES[self.kind]}
        if self.title:
            schema["title"] = self.title
        if self.kind == "date":
            schema.update(format="date", pattern=ISO_DATE_PATTERN)
        if self.kind == "enum":
            schema["oneOf"] = [{"const": value, "title": label} for value, label in self.choices]
        schema.update(self.limits)
        if self.default is not None:
            schema["default"] = self.default
        if self.read_only:
            schema["readOnly"] = True
        return schema


def form_schema(fields: list[FormField]) -> dict:
    schema: dict = {"type": "object", "properties": {f.name: f.schema() for f in fields},
                    "x-order": [f.name for f in fields]}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def camunda_fields(form_data) -> tuple[list[FormField], list[FormProblem]]:
    """The fields of a `camunda:formData`."""
    reader = _Reader("camunda")
    for attribute in form_data.attrib:  # businessKey: the other engine's business key field
        reader.problem(f"camunda:formData {etree.QName(attribute).localname}", "business_key", {},
                       form_data.sourceline)
    for node in form_data.iterfind(f"{{{CAMUNDA_NS}}}formField"):
        made = reader.field(node, node.get("id"), node.get("type") or "string", node.get("label"),
                            choices=node.iterfind(f"{{{CAMUNDA_NS}}}value"))
        if made is None:
            continue
        for constraint in node.iterfind(f"{{{CAMUNDA_NS}}}validation/{{{CAMUNDA_NS}}}constraint"):
            reader.constraint(made, constraint.get("name") or "", constraint.get("config"), constraint.sourceline)
        for extra in node.iterfind(f"{{{CAMUNDA_NS}}}properties"):
            reader.problem(f"camunda:formField {made.name} properties", "field_properties", {}, extra.sourceline)
        reader.default(made, node.get("defaultValue"), node.get("datePattern"), node.sourceline)
    return reader.fields, reader.problems


def flowable_fields(properties: list, namespace: str) -> tuple[list[FormField], list[FormProblem]]:
    """The fields of Flowable's (or Activiti's) `formProperty` elements."""
    reader = _Reader("flowable" if "flowable" in namespace else "activiti")
    for node in properties:
        if (node.get("readable") or "true").lower() == "false":
            reader.problem(f"{reader.prefix}:formProperty {node.get('id')}", "field_not_readable", {},
                           node.sourceline)
            continue
        name = node.get("variable") or node.get("id")
        made = reader.field(node, name, node.get("type") or "string", node.get("name"),
                            choices=node.iterfind(f"{{{namespace}}}value"))
        if made is None:
            continue
        made.required = (node.get("required") or "").lower() == "true"
        made.read_only = (node.get("writable") or "true").lower() == "false"
        if node.get("expression"):
            reader.problem(f"{reader.prefix}:formProperty {name} expression", "field_expression", {},
                           node.sourceline)
        reader.default(made, node.get("default"), node.get("datePattern"), node.sourceline)
    return reader.fields, reader.problems


class _Reader:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.fields: list[FormField] = []
        self.problems: list[FormProblem] = []

    def problem(self, what: str, code: str, params: dict, line: int | None) -> None:
        self.problems.append(FormProblem(what, code, params, line))

    def field(self, node, name: str | None, kind: str, title: str | None, *, choices) -> FormField | None:
        what = f"{self.prefix}:{etree.QName(node).localname}"
        if not name:
            self.problem(what, "field_without_id", {}, node.sourceline)
            return None
        if any(f.name == name for f in self.fields):
            self.problem(f"{what} {name}", "field_twice", {}, node.sourceline)
            return None
        if kind not in _TYPES:
            self.problem(f"{what} {name}", "field_type_unknown", {"type": kind}, node.sourceline)
            kind = "string"
        made = FormField(name, kind, (title or "").strip() or None)
        if kind == "enum":
            made.choices = [(v.get("id"), v.get("name") or v.get("id")) for v in choices if v.get("id")]
            if not made.choices:
                self.problem(f"{what} {name}", "enum_without_values", {}, node.sourceline)
                made.kind = "string"
        self.fields.append(made)
        return made

    def constraint(self, made: FormField, name: str, config: str | None, line: int | None) -> None:
        limit = {"minlength": "minLength", "maxlength": "maxLength", "min": "minimum", "max": "maximum"}.get(name)
        applies = made.kind == "string" if limit in ("minLength", "maxLength") else made.kind in ("long", "double")
        value = _number(config, int if made.kind != "double" else float) if limit and applies else None
        if name == "required":
            made.required = True
        elif name == "readonly":
            made.read_only = True
        elif value is not None:
            made.limits[limit] = value
        else:
            self.problem(f"{self.prefix}:constraint {name} of {made.name}", "constraint_not_read",
                         {"constraint": name, "config": f" ({config})" if config else "", "kind": made.kind}, line)

    def default(self, made: FormField, value: str | None, date_pattern: str | None, line: int | None) -> None:
        if value is None or value == "":
            return
        converted = None if "${" in value or "#{" in value else _typed(made, value, date_pattern)
        if converted is None:
            self.problem(f"{self.prefix}:default of {made.name}", "default_not_read",
                         {"value": value, "kind": made.kind}, line)
        else:
            made.default = converted


def _number(text: str | None, kind=float):
    try:
        value = float(text or "")
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if kind is int:
        return int(value) if value.is_integer() else None
    return int(value) if value.is_integer() else value


def _typed(made: FormField, value: str, date_pattern: str | None):
    if made.kind == "long":
        return _number(value, int)
    if made.kind == "double":
        return _number(value)
    if made.kind == "boolean":
        return {"true": True, "false": False}.get(value.strip().lower())
    if made.kind == "enum":
        return value if value in {v for v, _ in made.choices} else None
    if made.kind == "date":
        return _iso_date(value, date_pattern or DEFAULT_DATE_PATTERN)
    return value


def _iso_date(value: str, java_pattern: str) -> str | None:
    """A date written with a Java `SimpleDateFormat` pattern (or already ISO) as `YYYY-MM-DD`."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        java_pattern = "yyyy-MM-dd"
    parts = re.split(r"(yyyy|yy|MM|dd|HH|mm|ss|[A-Za-z])", java_pattern)
    if any(len(p) == 1 and p.isalpha() for p in parts):
        return None  # a letter this reader does not know (month names, eras...)
    strptime = "".join(_JAVA_DATE_PARTS.get(p, p.replace("%", "%%")) for p in parts)
    try:
        return datetime.strptime(value.strip(), strptime).date().isoformat()
    except ValueError:
        return None
