"""Deploying models for the one-stop service: the engine's checks plus the domain's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine import deployments
from engine.errors import ModelInvalid
from engine.models import ProcessVersion
from engine.parsing import NS, owner_id, read_xml
from workflows import lifecycle, notifications, statuses


def deploy_model(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[ProcessVersion, bool]:
    """Deploy a BPMN file after the domain's checks of the properties the service reads: every
    `dossier_status` a portal status code (1-10), every `dossier_notice` and `dossier_fields` one
    the service knows, every `notification` a kind that has a template."""
    _check_properties(session, content, filename)
    return deployments.deploy(session, content, filename, actor=actor)


def validate_model(session: Session, content: bytes, filename: str) -> deployments.Preview:
    """Every check `deploy_model` makes, without deploying: what would be deployed (process, lanes,
    user tasks) and whether it differs from the latest version. A bad model raises `ModelInvalid`."""
    _check_properties(session, content, filename)
    return deployments.preview(session, content, filename)


def list_models(session: Session) -> list[tuple[ProcessVersion, int]]:
    """Each deployed process's latest version, with how many versions it has."""
    return deployments.list_latest_versions(session)


def list_versions(session: Session, process_id: str) -> list[tuple[ProcessVersion, int]]:
    """A process's versions, newest first, with how many instances still run on each."""
    return deployments.list_versions(session, process_id)


def get_version(session: Session, process_id: str, number: int) -> ProcessVersion:
    return deployments.get_version(session, process_id, number)


def deploy_shipped(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[ProcessVersion, bool]:
    """Deploy a model shipped with the service (the bundled ones, at every `make run`) unless its
    content is already deployed as any version: a version a designer deployed since stays the latest."""
    known = deployments.find_version_with_content(session, content)
    return (known, False) if known else deploy_model(session, content, filename, actor=actor)


def deploy_folder(session: Session, folder: Path, *, actor: str) -> list[tuple[ProcessVersion, bool]]:
    """`deploy_shipped` for every .bpmn file of `folder`."""
    return [deploy_shipped(session, path.read_bytes(), path.name, actor=actor)
            for path in sorted(Path(folder).glob("*.bpmn"))]


def _check_properties(session: Session, content: bytes, filename: str) -> None:
    root = read_xml(content, filename).getroot()
    known_kinds = None
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        name, value = prop.get("name"), (prop.get("value") or "").strip()
        problem = None
        if name == statuses.STATUS_PROPERTY and (not value.isdigit() or int(value) not in statuses.LABELS):
            problem = "it must be a status code from 1 to 10"
        elif name == lifecycle.NOTICE_PROPERTY and value not in lifecycle.NOTICE_KINDS:
            problem = f"it must be one of {', '.join(lifecycle.NOTICE_KINDS)}"
        elif name == lifecycle.FIELDS_PROPERTY and not {f.strip() for f in value.split(",")} <= set(
                lifecycle.RECORDED_FIELDS):
            problem = f"the fields must be among {', '.join(lifecycle.RECORDED_FIELDS)}"
        elif name == lifecycle.NOTIFICATION_PROPERTY:
            known_kinds = known_kinds if known_kinds is not None else notifications.kinds(session)
            if value not in known_kinds:
                problem = ("no notification template has this kind (an administrator adds one first; known: "
                           f"{', '.join(sorted(known_kinds))})")
        if problem:
            element = owner_id(prop)
            raise ModelInvalid(f"'{element}' sets {name}={value!r}; {problem}.", file=filename,
                               line=prop.sourceline, element=element)


