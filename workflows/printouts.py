"""The printable forms filled from a dossier's real data, numbered as Circular 03/2025/TT-VPCP
(Appendix I) numbers them: 01 receipt and appointment slip, 02 supplement request, 03 refusal,
04 apology and request to extend the processing time, 05 notice of stopping the processing,
06 process-control slip, 07 tracking book (for a period).

A form is named by its name or by its number ("05"); `apology`, the name of form 04 before the
circular renamed it, keeps working for this release (`FORM_ALIASES`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar_store import load_calendar
from engine.clock import utcnow
from workflows import boundary, statuses, stopping
from workflows.agency import get_agency
from workflows.auth import Principal
from workflows.dossiers import dossier_steps, handled_dossier
from workflows.errors import FormUnavailable, InvalidInput, NotFound
from workflows.lifecycle import notices_of
from workflows.models import Dossier, Procedure, User
from workflows.printable import FORM_NUMBERS

DOSSIER_FORMS = ("receipt", "supplement-request", "refusal", "apology-extension", "stop-notice", "process-control")
FORM_ALIASES = {"apology": "apology-extension", **{number: form for form, number in FORM_NUMBERS.items()}}
FORMATS = ("pdf", "html")
BOOK_FORMATS = ("pdf", "html", "xlsx")
NOTICE_OF_FORM = {"supplement-request": "supplement_request", "refusal": "refusal", "apology-extension": "apology",
                  "stop-notice": stopping.NOTICE_KIND}
CHANNEL_LABELS = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Qua bưu chính công ích"}
DOCUMENT_FORM_LABELS = {"original": "Bản chính", "copy": "Bản sao", "certified_copy": "Bản sao chứng thực"}
UNIT_LABELS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "session": "buổi làm việc"}
# Why a form does not apply to a dossier (api/i18n.py puts each in the reader's words).
REASONS_EN = {
    "not_received": "the dossier has not been received yet",
    "refused_at_intake": "the dossier was refused at intake, so it has no receipt",
    "no_supplement_request": "no supplement has been requested for the dossier",
    "no_refusal": "the dossier has not been refused",
    "no_apology": "no apology with a new return date has been issued for the dossier",
    "no_stop": "the dossier's processing has not been stopped",
    "no_steps": "the dossier has no processing step yet",
}
MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Printout:
    content: bytes
    media_type: str
    filename: str


def dossier_form(session: Session, principal: Principal, code: str, form: str, fmt: str) -> Printout:
    """A form filled from the dossier, for those who handle it."""
    dossier = handled_dossier(session, principal, code)
    form = FORM_ALIASES.get(form, form)
    if form not in DOSSIER_FORMS:
        raise InvalidInput(f"form must be one of {', '.join(DOSSIER_FORMS)}.", field="form")
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}.", field="format")
    reason = unavailable_reasons(session, dossier)[form]
    if reason is not None:
        raise FormUnavailable(f"The form '{form}' does not apply to dossier '{dossier.code}': {REASONS_EN[reason]}.",
                              form=form, dossier_code=dossier.code, reason=reason)
    zone = load_calendar(session).zone
    context = {**_common(session), "dossier": _dossier(session, dossier, zone)}
    if form in NOTICE_OF_FORM:
        context["notice"] = _notice(session, dossier, NOTICE_OF_FORM[form], zone)
    elif form == "process-control":
        context["steps"] = _steps(session, dossier, zone)
    return _output(form, context, fmt, f"{form}-{dossier.code}")


def forms_for(session: Session, principal: Principal, code: str) -> list[dict]:
    """The dossier's printable forms, each {form, available, reason}: `reason` (a key of
    `REASONS_EN`) says why one does not apply; for those who handle the dossier."""
    reasons = unavailable_reasons(session, handled_dossier(session, principal, code))
    return [{"form": form, "available": reasons[form] is None, "reason": reasons[form]} for form in DOSSIER_FORMS]


def unavailable_reasons(session: Session, dossier: Dossier) -> dict[str, str | None]:
    """Why each form does not apply to the dossier now (None: it does). A receipt is issued once the
    desk received the dossier, not when it refused it at intake; a notice's form once the dossier
    has that notice; the process-control slip once a step was handed to someone."""
    kinds = {notice.kind for notice in notices_of(session, dossier)}
    refused_at_intake = dossier.status == statuses.NOT_RECEIVED and dossier.handed_over_at is None
    if refused_at_intake:
        receipt = "refused_at_intake"
    elif dossier.received_at is None or dossier.status == statuses.NEWLY_REGISTERED:
        receipt = "not_received"
    else:
        receipt = None
    reasons = {"receipt": receipt}
    for form, kind in NOTICE_OF_FORM.items():
        reasons[form] = None if kind in kinds else f"no_{kind}"
    has_steps = any(step["task"].state != "cancelled" for step in dossier_steps(session, dossier.code))
    reasons["process-control"] = None if has_steps else "no_steps"
    return reasons


def tracking_book(session: Session, first_day: date, last_day: date, fmt: str) -> Printout:
    """Form 07: one row per dossier received in the period, oldest first."""
    if fmt not in BOOK_FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(BOOK_FORMATS)}.", field="format")
    if last_day < first_day:
        raise InvalidInput("The period ends before it starts.", field="to")
    zone = load_calendar(session).zone
    start = datetime.combine(first_day, datetime.min.time(), zone)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone)
    dossiers = session.scalars(select(Dossier).join(Procedure).where(
        Dossier.received_at >= start, Dossier.received_at < end).order_by(Dossier.received_at, Dossier.id))
    rows = [{
        "number": number, "code": d.code, "procedure_name": d.procedure.name, "sets": 1,
        "applicant_name": d.applicant_name,
        "contact": ", ".join(x for x in (d.applicant_phone, d.applicant_email, d.applicant_address) if x),
        "deciding_unit": d.procedure.deciding_unit.name,
        "received_at": _local(d.received_at, zone), "due_at": _local(d.due_at, zone),
        "handed_over_at": _local(d.handed_over_at, zone), "resolved_at": _local(d.resolved_at, zone),
        "returned_at": _local(d.returned_at, zone),
        "note": statuses.label(d.status) + (f"; hẹn lại {d.appointment_at.astimezone(zone):%d/%m/%Y}"
                                            if d.appointment_at else ""),
    } for number, d in enumerate(dossiers, start=1)]
    context = {**_common(session), "period": {"from": first_day, "to": last_day}, "rows": rows}
    name = f"so-theo-doi-ho-so-{first_day.isoformat()}-{last_day.isoformat()}"
    if fmt == "xlsx":
        from workflows.printable.xlsx import tracking_book_xlsx

        return Printout(tracking_book_xlsx(context), MEDIA_TYPES["xlsx"], f"{name}.xlsx")
    return _output("tracking-book", context, fmt, name)


def _output(form: str, context: dict, fmt: str, name: str) -> Printout:
    # Imported on first use: weasyprint loads pango and cairo, seconds that every server process
    # and command would otherwise pay at start-up.
    from workflows.printable import render

    if fmt == "pdf":
        return Printout(render.render_pdf(form, context), MEDIA_TYPES["pdf"], f"{name}.pdf")
    return Printout(render.render_html(form, context).encode("utf-8"), MEDIA_TYPES["html"], f"{name}.html")


def _common(session: Session) -> dict:
    agency = get_agency(session)
    zone = load_calendar(session).zone
    return {"agency": {k: agency[k] for k in ("province", "department", "center", "desk")},
            "printed_at": utcnow().astimezone(zone)}


def _documents_received(dossier: Dossier) -> list[dict]:
    """The procedure's required documents; only those the desk ticked when it recorded which it
    received (`received_documents` in the dossier's data: their names)."""
    required = dossier.procedure.required_documents or []
    received = (dossier.data or {}).get("received_documents")
    if not isinstance(received, list):
        return required
    return [d for d in required if d.get("name") in received]


def _dossier(session: Session, dossier: Dossier, zone) -> dict:
    procedure = dossier.procedure
    agency = get_agency(session)
    policy = (dossier.deadline_policy or {}).get("processing_time") or {
        "value": procedure.processing_time_value, "unit": procedure.processing_time_unit}
    return {
        "code": dossier.code, "procedure_code": procedure.code, "procedure_name": procedure.name,
        "deciding_unit": procedure.deciding_unit.name, "channel": dossier.channel,
        "channel_label": CHANNEL_LABELS.get(dossier.channel, dossier.channel),
        "applicant": {"full_name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
                      "address": dossier.applicant_address, "phone": dossier.applicant_phone,
                      "email": dossier.applicant_email},
        "documents": [{"name": d.get("name", ""), "form_label": DOCUMENT_FORM_LABELS.get(d.get("form"), ""),
                       "quantity": int(d.get("quantity") or 1)} for d in _documents_received(dossier)],
        "sets": 1,
        "processing_time_label": processing_time_label(policy["value"], policy["unit"]),
        "received_at": _local(dossier.received_at, zone), "due_at": _local(dossier.due_at, zone),
        "appointment_at": _local(dossier.appointment_at, zone),
        "return_place": agency["return_place"], "fee_vnd": procedure.fee_vnd, "fee_note": procedure.fee_note,
        "book_volume": f"{(dossier.received_at or dossier.submitted_at).astimezone(zone):%Y}",
        "book_entry": _entry_number(dossier.code),
        "received_by": _full_name(session, dossier.received_by),
        "status_label": statuses.label(dossier.status),
    }


def processing_time_label(value: float, unit: str) -> str:
    if unit == "same_day":
        return "Trong ngày làm việc"
    number = int(value) if float(value).is_integer() else value
    return f"{number} {UNIT_LABELS.get(unit, unit)}"


def _notice(session: Session, dossier: Dossier, kind: str, zone) -> dict:
    notices = notices_of(session, dossier, kind)
    if not notices:
        raise NotFound(f"Dossier '{dossier.code}' has no {kind.replace('_', ' ')}.", dossier_code=dossier.code,
                       kind=kind)
    notice = notices[-1]
    return {"created_at": notice.created_at.astimezone(zone), "created_by": _full_name(session, notice.created_by),
            "documents": list(notice.documents or []), "reason": notice.reason,
            "new_due_at": _local(notice.new_due_at, zone), "contact": get_agency(session)["contact"],
            "ground": stopping.ground_name(session, notice.ground) if notice.ground else ""}


def _steps(session: Session, dossier: Dossier, zone) -> list[dict]:
    rows, previous_lane = _paper_transfer(session, dossier, zone), None
    for step in dossier_steps(session, dossier.code):
        task = step["task"]
        if task.state == "cancelled":
            continue
        rows.append({
            "step": task.name, "unit_from": previous_lane or (task.lane or ""), "unit_to": task.lane or "",
            "handed_over_at": _local(task.created_at, zone), "received_at": _local(task.created_at, zone),
            "completed_at": _local(task.completed_at, zone), "due_at": _local(task.due_at, zone),
            "performer": _full_name(session, task.completed_by) if task.completed_by else "",
            "verdict": step["verdict"], "note": "",
        })
        previous_lane = task.lane
    return rows


def _paper_transfer(session: Session, dossier: Dossier, zone) -> list[dict]:
    """The papers' journey from the service centre that received the dossier, as the slip's first row."""
    transfer = boundary.transfer_of(session, dossier)
    if transfer is None:
        return []
    how = {"post": "qua bưu chính", "courier": "qua dịch vụ chuyển phát", "in_person": "trực tiếp"}[transfer.method]
    note = f"Chuyển {how}" + (f", số vận đơn {transfer.tracking_number}" if transfer.tracking_number else "")
    return [{"step": "Chuyển hồ sơ giấy", "unit_from": dossier.receiving_unit.name,
             "unit_to": get_agency(session)["desk"], "handed_over_at": _local(transfer.sent_at, zone),
             "received_at": _local(transfer.arrived_at, zone), "completed_at": _local(transfer.arrived_at, zone),
             "due_at": None, "performer": _full_name(session, transfer.received_by) if transfer.received_by else "",
             "verdict": None, "note": note}]


def _entry_number(code: str) -> int | None:
    tail = code.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _full_name(session: Session, username: str | None) -> str:
    if not username:
        return ""
    name = session.scalars(select(User.full_name).where(User.username == username)).first()
    return name or username


def _local(value: datetime | None, zone):
    return value.astimezone(zone) if value is not None else None
