"""Intake regardless of administrative boundary (Decree 118/2025): a dossier of the department's
procedures received at another Public Administration Service Centre of the province.

A desk officer whose unit is a service centre (`Unit.kind == "service_centre"`, e.g. a commune's
centre) receives the dossier there: the dossier records that receiving unit apart from the
procedure's deciding unit. The centre sends the paper documents to the department (by post, by
courier or by hand, with a tracking number) and the department's desk records their arrival: each
is in the dossier's history, and the transfer is a row of the process-control slip (form 06).

The clock: a dossier received at a centre is due the procedure's processing time after its receipt
there, plus `transit_working_days` for the papers' journey. The decree's text on how the time of
such a transfer counts could not be confirmed here, so the allowance is an administrator's data
(`get_rules`, `update_rules`; 0: no allowance), applied at receipt, where form 01 prints the date.

A centre's desk officers see the dossiers their centre received, and their progress, not the
department's other dossiers; they do not work the department desk's tasks.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import utcnow
from engine.working_calendar import WorkingCalendar
from workflows import app_settings
from workflows.auth import Principal
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.models import Dossier, PaperTransfer, Unit

SERVICE_CENTRE = "service_centre"
KEY = "boundary_intake"
DEFAULT_RULES = {"transit_working_days": 1}
MAX_TRANSIT_DAYS = 30
METHODS = ("post", "courier", "in_person")


def get_rules(session: Session) -> dict:
    return {**DEFAULT_RULES, **app_settings.stored(session, KEY)}


def update_rules(session: Session, values: dict, *, actor: str) -> dict:
    unknown = sorted(set(values) - set(DEFAULT_RULES))
    if unknown:
        raise InvalidInput(f"Unknown settings of intake at other centres: {', '.join(unknown)}.", fields=unknown)
    days = values.get("transit_working_days", get_rules(session)["transit_working_days"])
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_TRANSIT_DAYS:
        raise InvalidInput(f"transit_working_days is a whole number of working days from 0 to {MAX_TRANSIT_DAYS}.",
                           field="transit_working_days")
    before = get_rules(session)
    app_settings.store(session, KEY, {**before, **values}, actor=actor)
    after = get_rules(session)
    audit.record(session, actor=actor, action="boundary_intake.updated", subject=KEY,
                 data={"changes": app_settings.changes(before, after)})
    return after


def is_at_centre(principal: Principal) -> bool:
    return principal.unit_kind == SERVICE_CENTRE


def receiving_unit_of(session: Session, principal: Principal) -> Unit | None:
    """The service centre a desk officer receives at; None at the department's own desk."""
    if not is_at_centre(principal):
        return None
    return session.scalars(select(Unit).where(Unit.code == principal.unit_code)).one()


def with_transit(session: Session, calendar: WorkingCalendar, due_at, policy: dict):
    """The due date of a dossier received at a centre: the statutory one plus the papers' transit
    allowance, which is recorded in the dossier's `policy` (its deadline policy at receipt)."""
    days = get_rules(session)["transit_working_days"]
    policy["transit_working_days"] = days
    return calendar.add_working_days(due_at, days) if days else due_at


def may_see(principal: Principal, dossier: Dossier) -> bool:
    """A centre's desk officer sees the dossiers the centre received; everyone else as before."""
    return not is_at_centre(principal) or (
        dossier.receiving_unit is not None and dossier.receiving_unit.code == principal.unit_code)


def transfer_of(session: Session, dossier: Dossier) -> PaperTransfer | None:
    return session.scalars(select(PaperTransfer).where(PaperTransfer.dossier_id == dossier.id)).first()


def send_papers(session: Session, principal: Principal, dossier: Dossier, *, method: str, tracking_number: str = "",
                note: str = "") -> PaperTransfer:
    """The receiving centre sends the dossier's paper documents to the department."""
    if dossier.receiving_unit is None:
        raise Conflict(f"Dossier '{dossier.code}' was received at the department's own desk: its papers are there.",
                       dossier_code=dossier.code)
    if not is_at_centre(principal) or principal.unit_code != dossier.receiving_unit.code:
        raise Forbidden(f"Only the desk of {dossier.receiving_unit.name} sends this dossier's papers.",
                        dossier_code=dossier.code)
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}.", field="method")
    tracking_number = tracking_number.strip()
    if method in ("post", "courier") and not tracking_number:
        raise InvalidInput("Papers sent by post or courier need the tracking number.", field="tracking_number")
    if transfer_of(session, dossier) is not None:
        raise Conflict(f"The papers of dossier '{dossier.code}' were already sent.", dossier_code=dossier.code)
    transfer = PaperTransfer(dossier_id=dossier.id, from_unit_id=dossier.receiving_unit_id, method=method,
                             tracking_number=tracking_number, note=note.strip(), sent_at=utcnow(),
                             sent_by=principal.username)
    session.add(transfer)
    session.flush()
    audit.record(session, actor=principal.username, action="dossier.papers_sent", instance_id=dossier.instance_id,
                 subject=dossier.code, at=transfer.sent_at,
                 data={"from_unit": dossier.receiving_unit.code, "method": method,
                       "tracking_number": tracking_number, "note": transfer.note})
    return transfer


def record_arrival(session: Session, principal: Principal, dossier: Dossier, *, note: str = "") -> PaperTransfer:
    """The department's desk records that the papers arrived."""
    if is_at_centre(principal):
        raise Forbidden("The department's desk records the papers' arrival.", dossier_code=dossier.code)
    transfer = transfer_of(session, dossier)
    if transfer is None:
        raise Conflict(f"The papers of dossier '{dossier.code}' have not been sent yet.", dossier_code=dossier.code)
    if transfer.arrived_at is not None:
        raise Conflict(f"The papers of dossier '{dossier.code}' already arrived.", dossier_code=dossier.code)
    transfer.arrived_at, transfer.received_by, transfer.arrival_note = utcnow(), principal.username, note.strip()
    session.flush()
    audit.record(session, actor=principal.username, action="dossier.papers_arrived", instance_id=dossier.instance_id,
                 subject=dossier.code, at=transfer.arrived_at,
                 data={"from_unit": dossier.receiving_unit.code if dossier.receiving_unit else None,
                       "sent_at": transfer.sent_at.isoformat(), "note": transfer.arrival_note})
    return transfer


def awaiting_arrival(session: Session) -> list[tuple[Dossier, PaperTransfer]]:
    """Papers sent by a centre and not yet arrived at the department, the oldest first."""
    rows = session.execute(select(Dossier, PaperTransfer).join(PaperTransfer, PaperTransfer.dossier_id == Dossier.id)
                           .where(PaperTransfer.arrived_at.is_(None)).order_by(PaperTransfer.sent_at))
    return [(dossier, transfer) for dossier, transfer in rows]
