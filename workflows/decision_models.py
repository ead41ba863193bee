"""DMN decision tables for the one-stop service: deploy, check, list, and their versions.

A decision is the designer's data (a fee table, the documents a case needs...): it is deployed on its
own, and a BPMN model deployed after it binds its latest version (engine/decisions.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import decisions
from engine.models import DecisionVersion


def deploy_decision(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[DecisionVersion, bool]:
    """Deploy a .dmn file: a new version, or the latest one when the content is the same."""
    return decisions.deploy(session, content, filename, actor=actor)


def validate_decision(session: Session, content: bytes, filename: str) -> decisions.Preview:
    """Every check `deploy_decision` makes, without deploying: the table read (cells translated) and
    whether it differs from the latest version. A bad file raises `DecisionInvalid`."""
    return decisions.preview(session, content, filename)


def list_decisions(session: Session) -> list[tuple[DecisionVersion, int]]:
    """Each deployed decision's latest version, with how many versions it has."""
    return decisions.list_latest_versions(session)


def list_versions(session: Session, decision_id: str) -> list[tuple[DecisionVersion, list[dict]]]:
    """A decision's versions, newest first, each with the process versions bound to it."""
    return decisions.list_versions(session, decision_id)


def get_version(session: Session, decision_id: str, number: int) -> DecisionVersion:
    return decisions.get_version(session, decision_id, number)


def deploy_shipped(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[DecisionVersion, bool]:
    """Deploy a decision shipped with the service unless its content is already deployed as any version."""
    known = decisions.find_version_with_content(session, content)
    return (known, False) if known else deploy_decision(session, content, filename, actor=actor)
