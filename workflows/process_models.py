"""Deploying models for the one-stop service: the engine's checks plus the domain's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine import deployments
from engine.errors import ModelInvalid
from engine.models import ProcessVersion
from engine.parsing import NS, owner_id, read_xml
from workflows import statuses


def deploy_model(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[ProcessVersion, bool]:
    """Deploy a BPMN file; every `dossier_status` it sets must be a portal status code (1-10)."""
    _check_statuses(content, filename)
    return deployments.deploy(session, content, filename, actor=actor)


def deploy_folder(session: Session, folder: Path, *, actor: str) -> list[tuple[ProcessVersion, bool]]:
    return [deploy_model(session, path.read_bytes(), path.name, actor=actor)
            for path in sorted(Path(folder).glob("*.bpmn"))]


def _check_statuses(content: bytes, filename: str) -> None:
    root = read_xml(content, filename).getroot()
    for prop in root.iterfind(f".//spiffworkflow:property[@name='{statuses.STATUS_PROPERTY}']", NS):
        value = (prop.get("value") or "").strip()
        if not value.isdigit() or int(value) not in statuses.LABELS:
            element = owner_id(prop)
            raise ModelInvalid(
                f"'{element}' sets {statuses.STATUS_PROPERTY}={value!r}; it must be a status code from 1 to 10.",
                file=filename, line=prop.sourceline, element=element)


