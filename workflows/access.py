"""Who may see what of a dossier, and masking of personal data.

Roles × units: a desk officer (the one-stop desk serves every procedure) and a leader handle
every dossier; a specialist handles the dossiers whose procedure his or her unit decides; a desk
officer of another service centre of the province handles the dossiers that centre received
(workflows.boundary). Those
who handle a dossier see the applicant's personal data in full; everyone else, and every list,
sees ID and phone numbers masked.

These are the rules only; the services apply them (`workflows.dossiers.handled_dossier` looks a
dossier up for someone who handles it) and hand the API a `DossierView` already masked or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.models import Incident
from workflows import boundary
from workflows.auth import Principal
from workflows.errors import Forbidden
from workflows.models import Dossier
from workflows.roles import DESK_OFFICER, LEADER, SPECIALIST

HANDLING_EVERY_DOSSIER = (DESK_OFFICER, LEADER)


def can_handle(principal: Principal, dossier: Dossier) -> bool:
    if principal.has_role(*HANDLING_EVERY_DOSSIER):  # a desk of another centre: the dossiers it received
        return principal.has_role(LEADER) or boundary.may_see(principal, dossier)
    return principal.has_role(SPECIALIST) and principal.unit_code == dossier.procedure.deciding_unit.code


def require_handler(principal: Principal, dossier: Dossier) -> None:
    if not can_handle(principal, dossier):
        raise Forbidden(f"Dossier '{dossier.code}' is handled by {dossier.procedure.deciding_unit.name}, "
                        "the desk and the leaders; you are not among them.", dossier_code=dossier.code)


def may_work_task(principal: Principal, task_role: str | None, deciding_unit_code: str) -> bool:
    """A task of the specialist lane belongs to the specialists of the dossier's deciding unit (its
    procedure's, given by code)."""
    if task_role not in principal.roles:
        return False
    if task_role == DESK_OFFICER and boundary.is_at_centre(principal):
        return False  # the department desk's tasks; another centre's desk follows its dossiers only
    return task_role != SPECIALIST or principal.unit_code == deciding_unit_code


@dataclass(frozen=True)
class DossierView:
    """A dossier as one caller sees it: `applicant` is the applicant's data, masked or in full;
    `incident` its process's unresolved incident (a step the service could not run), which the
    services add (`workflows.dossiers.shown`) for everyone who opens the dossier to see why it does
    not move; `people` those its facts name by login (who received it, who suspended its process), as
    `workflows.people.Person` by login, where the service looked them up."""

    dossier: Dossier
    applicant: dict
    incident: Incident | None = None
    people: dict = field(default_factory=dict)


def shown_to(principal: Principal, dossier: Dossier) -> DossierView:
    """The applicant's personal data in full for those who handle the dossier, masked for the others."""
    return DossierView(dossier, applicant(dossier, masked=not can_handle(principal, dossier)))


def listed(dossier: Dossier) -> DossierView:
    """A dossier in a list: the applicant's ID and phone numbers masked, whoever reads it."""
    return DossierView(dossier, applicant(dossier, masked=True))


def applicant(dossier: Dossier, *, masked: bool) -> dict:
    shown = {"full_name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
             "phone": dossier.applicant_phone, "email": dossier.applicant_email,
             "address": dossier.applicant_address}
    if masked:
        shown.update(id_number=mask_digits(dossier.applicant_id_number), phone=mask_digits(dossier.applicant_phone),
                     email=mask_email(dossier.applicant_email), address="")
    return shown


def mask_digits(value: str, keep: int = 3) -> str:
    """`079204001234` -> `*********234`: enough to tell two apart, not enough to use."""
    if not value:
        return ""
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def mask_email(value: str) -> str:
    if "@" not in (value or ""):
        return ""
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"
