"""Messages sent to a dossier's process through the API: a BPMN message its model waits for.

Who may send one is the model's to say: the catching event (message boundary or intermediate catch
event, receive task, or the message event after an event-based gateway) names the roles in its
`message_roles` property, a comma-separated list of role codes (checked at deployment). A caller
must hold one of them and handle the dossier (`workflows.access`). A catching event that names no
role lets nobody send its message through this door. The withdrawal keeps its own endpoint
(`lifecycle.request_withdrawal`), with its own rules.

The message's data reaches the process: under the catching event's `spiffworkflow:messageVariable`
if it names one, else its keys join the task data (engine/runtime.py `deliver_message`). What the
catching elements' properties say to the dossier then happens as for any step.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import instances
from workflows import access, lifecycle
from workflows.access import DossierView
from workflows.auth import Principal
from workflows.dossiers import get_dossier
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.roles import TASK_ROLES

ROLES_PROPERTY = "message_roles"


def parse_roles(value: str | None) -> list[str]:
    """The role codes of a `message_roles` value ("desk_officer, leader")."""
    return [role.strip() for role in (value or "").split(",") if role.strip()]


def roles_problem(value: str | None) -> str | None:
    """Why a `message_roles` value is not a list of task roles, or None when it is."""
    roles = parse_roles(value)
    unknown = [role for role in roles if role not in TASK_ROLES]
    if not roles or unknown:
        return f"it must be a comma-separated list of role codes among {', '.join(TASK_ROLES)}"
    return None


def send_to_dossier(session: Session, principal: Principal, code: str, *, name: str, data: dict) -> DossierView:
    """Deliver the message `name` with `data` to the dossier's process, if its model lets the caller
    send it; 409 when the process does not wait for it now."""
    if name == lifecycle.WITHDRAWAL_MESSAGE:
        raise InvalidInput(f"The message '{name}' is sent by recording a withdrawal request "
                           f"(POST /api/v1/dossiers/{code}/withdrawal).", name=name)
    dossier = get_dossier(session, code)
    if dossier.instance_id is None:
        raise Conflict(f"Dossier '{code}' has no process to send a message to.", dossier_code=code)

    def authorize(waiting: list[dict]) -> None:
        allowed = sorted({role for properties in waiting for role in parse_roles(properties.get(ROLES_PROPERTY))})
        if not allowed:
            raise Forbidden(f"The model names no role that may send the message '{name}'.", message_name=name)
        if not principal.has_role(*allowed):
            raise Forbidden(f"The message '{name}' may be sent by {', '.join(allowed)} only.", message_name=name,
                            roles=allowed)
        access.require_handler(principal, dossier)

    instances.send_message(session, dossier.instance_id, name, actor=principal.username, payload=data,
                           effects=lifecycle.effects_on(session, dossier, actor=principal.username),
                           authorize=authorize)
    return access.shown_to(principal, dossier)
