"""Stopping the processing of a dossier (status 8, Circular 03/2025's form 05).

A dossier being processed may be stopped on one of the grounds the law gives (the applicant's
request, a competent authority's request, ...), by a user whose role may stop dossiers. Both lists
are data an administrator edits (`get_rules`, `update_rules`; the defaults are in `DEFAULT_RULES`):
Decree 118/2025 and Circular 03/2025 name the notice, and the grounds a department uses are its own
to confirm. Stopping ends the dossier's process where it stands (`engine.repair.terminate`) in the
same step as the dossier moves to status 8, the notice (form 05) is written, the applicant is told
by their channels (notification `stop_notice`) and the history records who and why. The
portal hears of it like of any status change.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine import audit, repair
from engine.clock import utcnow
from workflows import app_settings, lifecycle, notifications, statuses
from workflows.auth import Principal
from workflows.dossiers import DossierView, get_dossier, shown
from workflows.errors import Conflict, InvalidInput, StopNotAllowed
from workflows.models import Dossier, DossierNotice
from workflows.roles import ADMIN, LEADER, ROLES

KEY = "stopping"
NOTICE_KIND = "stop"
NOTIFICATION = "stop_notice"
DEFAULT_RULES = {
    "roles": [LEADER, ADMIN],
    "grounds": [
        {"code": "applicant_request", "vi": "Theo đề nghị của tổ chức, cá nhân có hồ sơ",
         "en": "At the applicant's request", "details_required": False},
        {"code": "authority_request", "vi": "Theo yêu cầu bằng văn bản của cơ quan nhà nước có thẩm quyền",
         "en": "At a competent authority's written request", "details_required": True},
        {"code": "other_legal_ground", "vi": "Trường hợp khác theo quy định của pháp luật",
         "en": "Another case provided by law", "details_required": True},
    ],
}
STOPPABLE = frozenset(s for s, following in statuses.TRANSITIONS.items() if statuses.PROCESSING_STOPPED in following)


def get_rules(session: Session) -> dict:
    return {**DEFAULT_RULES, **app_settings.stored(session, KEY)}


def update_rules(session: Session, values: dict, *, actor: str) -> dict:
    """Replace the roles that may stop a dossier and/or the grounds (each: code, vi, en, details_required)."""
    unknown = sorted(set(values) - set(DEFAULT_RULES))
    if unknown:
        raise InvalidInput(f"Unknown settings of stopping: {', '.join(unknown)}.", fields=unknown)
    rules = {**get_rules(session), **values}
    _check_rules(rules)
    before = get_rules(session)
    app_settings.store(session, KEY, rules, actor=actor)
    audit.record(session, actor=actor, action="stopping.updated", subject=KEY,
                 data={"changes": app_settings.changes(before, rules)})
    return rules


def _check_rules(rules: dict) -> None:
    roles = rules["roles"]
    if not isinstance(roles, list) or not roles or any(role not in ROLES for role in roles):
        raise InvalidInput(f"roles must list one or more of {', '.join(ROLES)}.", field="roles")
    grounds = rules["grounds"]
    if not isinstance(grounds, list) or not grounds:
        raise InvalidInput("grounds must list at least one ground.", field="grounds")
    seen = set()
    for index, ground in enumerate(grounds):
        field = f"grounds.{index}"
        if not isinstance(ground, dict) or not str(ground.get("code", "")).strip():
            raise InvalidInput("Each ground needs a code.", field=f"{field}.code")
        if ground["code"] in seen:
            raise InvalidInput(f"The ground code '{ground['code']}' is listed twice.", field=f"{field}.code")
        seen.add(ground["code"])
        for language in ("vi", "en"):
            if not str(ground.get(language, "")).strip():
                raise InvalidInput(f"The ground '{ground['code']}' needs its name in '{language}'.",
                                   field=f"{field}.{language}")
        ground["details_required"] = bool(ground.get("details_required", False))


def may_stop(session: Session, principal: Principal, dossier: Dossier) -> bool:
    return principal.has_role(*get_rules(session)["roles"]) and dossier.status in STOPPABLE


def stop_processing(session: Session, principal: Principal, code: str, *, ground: str,
                    details: str = "") -> DossierView:
    """Stop the dossier's processing on `ground` (a code of the rules' grounds), `details` said to the
    applicant: the process ends, the dossier is stopped (8), form 05's notice is written and sent."""
    dossier = get_dossier(session, code)
    rules = get_rules(session)
    if not principal.has_role(*rules["roles"]):
        names = ", ".join(ROLES[role] for role in rules["roles"])
        raise StopNotAllowed(f"Only these roles may stop a dossier's processing: {', '.join(rules['roles'])}.",
                             roles=rules["roles"], role_names=names)
    if dossier.status not in STOPPABLE or dossier.instance_id is None:
        raise Conflict(f"Dossier '{code}' cannot be stopped: it is '{statuses.label(dossier.status, 'en')}' "
                       f"({dossier.status}).", dossier_code=code, status=dossier.status)
    chosen = next((g for g in rules["grounds"] if g["code"] == ground), None)
    if chosen is None:
        raise InvalidInput(f"Unknown ground '{ground}'; one of: {', '.join(g['code'] for g in rules['grounds'])}.",
                           field="ground")
    details = details.strip()
    if chosen.get("details_required") and not details:
        raise InvalidInput(f"The ground '{chosen['vi']}' needs details (which request, which provision).",
                           field="details")
    actor = principal.username

    def effects(step) -> None:
        lifecycle.stop(session, dossier, step, actor=actor, ground=chosen["code"])
        notice = DossierNotice(dossier_id=dossier.id, kind=NOTICE_KIND, ground=chosen["code"],
                               reason=details, element="", created_by=actor, created_at=utcnow(), documents=[])
        session.add(notice)
        session.flush()
        audit.record(session, actor=actor, action=f"dossier.notice.{NOTICE_KIND}", instance_id=dossier.instance_id,
                     subject=dossier.code, data={"notice_id": notice.id, "ground": chosen["code"],
                                                 "ground_name": chosen["vi"], "reason": details})
        notifications.enqueue(session, dossier, NOTIFICATION, actor=actor, extra={"ground": chosen["vi"]})

    repair.terminate(session, dossier.instance_id, actor=actor, reason=f"{chosen['code']}: {details}",
                     effects=effects)
    return shown(session, principal, dossier)


def ground_name(session: Session, code: str, language: str = "vi") -> str:
    """The ground's name as the rules give it now (its code if it was since removed)."""
    ground = next((g for g in get_rules(session)["grounds"] if g["code"] == code), None)
    return ground[language] if ground else code
