"""The steps a procedure allots time to, named as its model names them: what an administrator reads
instead of the keys a designer wrote in `deadline("…")`."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from engine import calls
from engine.deployments import find_latest_version
from engine.parsing.xml import read_xml
from workflows.procedures import get_procedure

_DEADLINE_CALL = re.compile(r"""deadline\(\s*["']([^"']+)["']\s*\)""")


def _names_in(bpmn_xml: str) -> dict[str, str]:
    """Step key -> name: the element whose id is the key (the task the step is), else the element
    whose timer calls deadline("key") (a reminder, an escalation)."""
    root = read_xml(bpmn_xml.encode(), "model").getroot()
    by_id = {element.get("id"): element.get("name").strip() for element in root.iter() if isinstance(element.tag, str)
             and element.get("id") and (element.get("name") or "").strip()}
    names: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.text:
            continue
        for key in _DEADLINE_CALL.findall(element.text):
            if key in names:
                continue
            if key in by_id:
                names[key] = by_id[key]
                continue
            owner = element.getparent()
            while owner is not None and not (owner.get("name") or "").strip():
                owner = owner.getparent()
            names[key] = owner.get("name").strip() if owner is not None else ""
    return names


def procedure_steps(session: Session, code: str) -> list[dict]:
    """Every step the procedure's model (and the models it calls) times with deadline(), then the
    allocations the model no longer uses: key, name ("" when the model names none), whether the
    model uses it, and the time allotted (None when none is yet)."""
    procedure = get_procedure(session, code)
    version = find_latest_version(session, procedure.process_id)
    names: dict[str, str] = {}
    if version is not None:
        for model in (version, *calls.called_versions(session, version)):
            for key, name in _names_in(model.bpmn_xml).items():
                names.setdefault(key, name)
    allocations = procedure.step_allocations or {}
    steps = [{"key": key, "name": name, "in_model": True, "period": allocations.get(key)}
             for key, name in names.items()]
    steps += [{"key": key, "name": "", "in_model": False, "period": period}
              for key, period in allocations.items() if key not in names]
    return steps
