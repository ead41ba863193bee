"""The administration's change log: who changed what in the procedures, the calendar, the users,
the notification templates, the agency, the API tokens, the outbox, the national portal's outbox and the
deployed models and decisions.

Only these families of the audit trail are listed: the dossiers' events carry applicants' personal
data, which the dossier's own history shows to those who handle it (workflows/access.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import audit
from engine.models import AuditEvent
from workflows.errors import InvalidInput

FAMILIES = ("procedure.", "calendar.", "user.", "notification_template.", "api_token.", "agency.", "outbox.",
            "model.", "decision.", "portal.", "stopping.", "indicators.", "boundary_intake.")


def _check(name: str, value: str) -> None:
    if not value.startswith(FAMILIES):
        raise InvalidInput(f"{name} must start with one of {', '.join(FAMILIES)}.", field=name, families=list(FAMILIES))


def changes(session: Session, *, action_prefix: str | None = None, actions: list[str] | None = None,
            subject: str | None = None, actor: str | None = None, page: int = 1,
            per_page: int = 20) -> tuple[list[AuditEvent], bool]:
    """One page of administration events, newest first, and whether more follow."""
    if action_prefix is not None:
        _check("action_prefix", action_prefix)
    for action in actions or ():
        _check("action", action)
    found = audit.list_events(session, action_prefixes=(action_prefix,) if action_prefix else FAMILIES,
                              actions=tuple(actions or ()), subject=subject, actor=actor,
                              offset=(page - 1) * per_page, limit=per_page + 1)
    return found[:per_page], len(found) > per_page
