"""What each step of a dossier decided and wrote, in the words of its form: the specialist's
proposal and review opinion, the leader's decision... as the next person reads them.

A completed task keeps the data it was completed with (`HumanTask.data`); its form (the task's
`form_schema` in the dossier's own model version) gives each key its label and each choice its
title. Only the form's fields are shown, in the form's order (`ui:order` first, then the order the
schema lists them in, then fields that a condition adds).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import instances
from engine.models import HumanTask
from workflows import access
from workflows.auth import Principal
from workflows.dossiers import dossier_steps, get_dossier, handled_dossier
from workflows.people import people

BRANCHES = ("then", "else")
BRANCH_LISTS = ("allOf", "anyOf", "oneOf")


def form_fields(schema: dict | None) -> dict[str, dict]:
    """The form's fields by key, in the order a person reads them, with those that a condition
    (`if/then/else`, `allOf`..., `dependentSchemas`) adds after the others."""
    if not isinstance(schema, dict):
        return {}
    found: dict[str, dict] = {}

    def collect(part: dict) -> None:
        if not isinstance(part, dict):
            return
        for key, prop in (part.get("properties") or {}).items():
            if isinstance(prop, dict) and (key not in found or (prop.get("title") and not found[key].get("title"))):
                found[key] = prop
        for branch in BRANCHES:
            collect(part.get(branch))
        for name in BRANCH_LISTS:
            for sub in part.get(name) or []:
                collect(sub)
        for sub in (part.get("dependentSchemas") or {}).values():
            collect(sub)

    collect(schema)
    order = [key for key in schema.get("ui:order") or [] if key in found]
    return {key: found[key] for key in (*order, *(k for k in found if k not in order))}


def labelled(schema: dict | None, data: dict | None) -> list[dict]:
    """The values of `data` that the form asks for, each as {key, label, kind, value, choice, items}:
    `choice` the title of the option chosen, `items` the rows of a repeatable group (each a list of
    the same shape). Empty values are left out: what a person did not write says nothing."""
    if not isinstance(data, dict):
        return []
    shown = []
    for key, prop in form_fields(schema).items():
        value = data.get(key)
        if value is None or value == "" or value == []:
            continue
        field = {"key": key, "label": prop.get("title") or key, "kind": _kind(prop, value), "value": value,
                 "choice": _choice_title(prop, value), "items": None}
        if field["kind"] == "group":
            item_schema = prop.get("items") if isinstance(prop.get("items"), dict) else {}
            field["items"] = [labelled(item_schema, item) for item in value if isinstance(item, dict)]
        shown.append(field)
    return shown


def _kind(prop: dict, value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, list):
        return "group" if any(isinstance(item, dict) for item in value) else "list"
    if _choice_title(prop, value) is not None:
        return "choice"
    if prop.get("format") in ("date", "date-time"):
        return prop["format"]
    if isinstance(value, int | float):
        return "number"
    return "text"


def _choice_title(prop: dict, value) -> str | None:
    for option in prop.get("oneOf") or prop.get("anyOf") or []:
        if isinstance(option, dict) and "const" in option and option["const"] == value:
            return option.get("title") or None
    return None


# --- the dossier's steps with what they wrote -------------------------------------------------------

def steps_for(session: Session, principal: Principal, code: str) -> list[dict]:
    """The steps of the process-control slip (`dossiers.dossier_steps`), each with the people behind
    its logins (`handed_over_by`, `assignee`: a `Person` or None) and, for those who handle the
    dossier (and API tokens that may read dossiers), its `opinion` (`labelled` fields; None for the
    others, who see the steps but not what was written in them)."""
    dossier = get_dossier(session, code)
    readable = principal.has_scope("dossiers:read") or access.can_handle(principal, dossier)
    steps = dossier_steps(session, code)
    names = people(session, [name for step in steps for name in (step["task"].completed_by, step["task"].assignee)])
    forms: dict[str, dict | None] = {}
    for step in steps:
        task = step["task"]
        step["handed_over_by"] = names.get(task.completed_by or "")
        step["assignee"] = names.get(task.assignee or "")
        step["opinion"] = (labelled(form_of(task, forms), task.data)
                           if readable and task.state == "completed" else None)
    return steps


def opinions_for(session: Session, principal: Principal, code: str) -> list[dict]:
    """Every completed step of the dossier with what it decided and wrote, oldest first: for those
    who handle it (and API tokens that may read dossiers)."""
    handled_dossier(session, principal, code, scope="dossiers:read")
    return [step for step in steps_for(session, principal, code) if step["task"].state == "completed"]


def form_of(task: HumanTask, forms: dict[str, dict | None]) -> dict | None:
    """The task's form, looked up once per BPMN id in `forms`."""
    if task.bpmn_id not in forms:
        forms[task.bpmn_id] = instances.task_form_schema(task)
    return forms[task.bpmn_id]
