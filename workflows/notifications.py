"""Notifications: templates an administrator edits, and messages written to the outbox.

A model element with the `notification` property names a kind (e.g. `result_ready_early`). For
each channel that has a template of that kind, the message is rendered and written to the outbox
in the same transaction as the step that caused it; `workflows.outbox` delivers it later, with
retries. Templates are Jinja2 text rendered in a sandbox; an administrator's saved template
replaces the bundled one (`seed_data/notification_templates.json`) of the same kind and channel.

Applicant templates go to the dossier's email address and phone; officer templates to the
users of the dossier's deciding unit who have one; administrator templates (an incident of the
dossier) to the administrators and the leaders. Account templates (about a user's own account,
e.g. repeated failed sign-ins) go to that user's email and phone.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from workflows import statuses
from workflows.agency import get_agency
from workflows.channels import CHANNELS
from workflows.errors import InvalidInput, NotFound
from workflows.models import Dossier, DossierNotice, NotificationTemplate, OutboxMessage, User, UserRole
from workflows.payment_models import PaymentOrder
from workflows.roles import ADMIN, LEADER

AUDIENCES = ("applicant", "officers", "administrators", "account")
TEMPLATE_VARIABLES = (
    "code", "applicant_name", "procedure_name", "status_label", "received_date", "due_date", "new_due_date",
    "reason", "documents", "postal_tracking_number", "lookup_url", "rating_url", "department", "province",
    "center", "return_place", "contact", "incident_element", "incident_message", "ground", "fee_amount",
    "payment_url",
)
# What an account template may say (audience "account"), besides the agency's names.
ACCOUNT_VARIABLES = ("full_name", "username", "failures", "last_address", "blocked_until", "time")
_AGENCY_VARIABLES = ("department", "province", "center", "return_place", "contact")
_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@cache
def bundled_templates() -> dict[tuple[str, str], dict]:
    path = Path(__file__).parent / "seed_data" / "notification_templates.json"
    return {(t["kind"], t["channel"]): {"subject": "", **t} for t in json.loads(path.read_text("utf-8"))}


def list_templates(session: Session) -> list[dict]:
    """Every template in effect: the administrator's where saved, else the bundled one."""
    effective = {key: {**value, "customized": False, "updated_by": None, "updated_at": None}
                 for key, value in bundled_templates().items()}
    for row in session.scalars(select(NotificationTemplate)):
        effective[(row.kind, row.channel)] = _as_dict(row)
    return [effective[key] for key in sorted(effective)]


def get_template(session: Session, kind: str, channel: str) -> dict:
    row = session.get(NotificationTemplate, (kind, channel))
    if row is not None:
        return _as_dict(row)
    bundled = bundled_templates().get((kind, channel))
    if bundled is None:
        raise NotFound(f"There is no {channel} template for notifications of kind '{kind}'.", kind=kind,
                       channel=channel)
    return {**bundled, "customized": False, "updated_by": None, "updated_at": None}


def save_template(session: Session, kind: str, channel: str, *, subject: str, body: str, audience: str,
                  actor: str) -> dict:
    """Save an administrator's template after checking it renders with a sample dossier."""
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}.", field="channel")
    if audience not in AUDIENCES:
        raise InvalidInput(f"audience must be one of {', '.join(AUDIENCES)}.", field="audience")
    if not kind.replace("_", "").isalnum():
        raise InvalidInput("A kind is written with letters, digits and underscores.", field="kind")
    for field_name, text in (("subject", subject), ("body", body)):
        try:
            _render(text, _sample_context())
        except TemplateError as exc:
            raise InvalidInput(f"The template's {field_name} does not render: {exc.message}", field=field_name,
                               variables=list(TEMPLATE_VARIABLES)) from None
    if not body.strip():
        raise InvalidInput("The body cannot be empty.", field="body")
    row = session.get(NotificationTemplate, (kind, channel))
    before = _as_dict(row) if row is not None else bundled_templates().get((kind, channel))
    if row is None:
        row = NotificationTemplate(kind=kind, channel=channel)
        session.add(row)
    row.subject, row.body, row.audience = subject, body, audience
    row.updated_by, row.updated_at = actor, utcnow()
    session.flush()
    audit.record(session, actor=actor, action="notification_template.saved", subject=f"{kind}/{channel}",
                 data={"before": {k: before[k] for k in ("subject", "body", "audience")} if before else None,
                       "after": {"subject": subject, "body": body, "audience": audience}})
    return _as_dict(row)


def kinds(session: Session) -> set[str]:
    return {t["kind"] for t in list_templates(session)}


def enqueue(session: Session, dossier: Dossier, kind: str, *, actor: str, element: str = "",
            extra: dict | None = None) -> list[OutboxMessage]:
    """Write the notifications of `kind` about `dossier` to the outbox, one per channel and recipient
    (`extra`: values of the variables the dossier does not give, e.g. an incident's)."""
    now = utcnow()
    context = {**dossier_context(session, dossier), **(extra or {})}
    messages = []
    for template in (t for t in list_templates(session) if t["kind"] == kind):
        for recipient in _recipients(session, dossier, template["channel"], template["audience"]):
            message = _message(template, context, dossier_id=dossier.id, kind=kind, recipient=recipient, now=now)
            session.add(message)
            messages.append(message)
    session.flush()
    audit.record(session, actor=actor, action="dossier.notification", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now,
                 data={"kind": kind, "element": element,
                       "messages": [{"id": m.id, "channel": m.channel, "status": m.status} for m in messages]})
    return messages


def notify_account(session: Session, user: User, kind: str, facts: dict) -> list[OutboxMessage]:
    """Write the notifications of `kind` about the user's own account to the outbox, to the user's
    email and phone. `facts` fill the template's ACCOUNT_VARIABLES (datetimes shown in local time)."""
    now = utcnow()
    zone = load_calendar(session).zone
    agency = get_agency(session)
    context = {"full_name": user.full_name, "username": user.username, "time": _time(now, zone),
               **{key: _time(value, zone) if isinstance(value, datetime) else value for key, value in facts.items()},
               **{key: agency[key] for key in _AGENCY_VARIABLES}}
    context.setdefault("blocked_until", "")
    messages = []
    for template in (t for t in list_templates(session) if t["kind"] == kind):
        recipient = user.email if template["channel"] == "email" else user.phone
        if recipient:
            messages.append(_message(template, context, dossier_id=None, kind=kind, recipient=recipient, now=now))
    session.add_all(messages)
    session.flush()
    return messages


def _message(template: dict, context: dict, *, dossier_id: int | None, kind: str, recipient: str,
             now: datetime) -> OutboxMessage:
    """An outbox message rendered from `template`; one whose template no longer renders is kept, failed."""
    message = OutboxMessage(dossier_id=dossier_id, kind=kind, channel=template["channel"], recipient=recipient,
                            status="pending", attempts=0, next_attempt_at=now, created_at=now, last_error="",
                            provider_id="")
    try:
        message.subject = _render(template["subject"], context).strip()[:500]
        message.body = _render(template["body"], context)
    except TemplateError as exc:  # an edited template that no longer renders: keep the trace
        message.subject, message.body = "", ""
        message.status, message.last_error = "failed", f"template error: {exc.message}"
    return message


def dossier_context(session: Session, dossier: Dossier) -> dict:
    """What a template may say about a dossier (`TEMPLATE_VARIABLES`), formatted for people."""
    agency = get_agency(session)
    zone = load_calendar(session).zone
    notice = session.scalars(select(DossierNotice).where(DossierNotice.dossier_id == dossier.id)
                             .order_by(DossierNotice.id.desc()).limit(1)).first()
    base = agency["public_url"].rstrip("/")
    return {
        "code": dossier.code,
        "applicant_name": dossier.applicant_name,
        "procedure_name": dossier.procedure.name,
        "status_label": statuses.label(dossier.status),
        "received_date": _date(dossier.received_at, zone),
        "due_date": _date(dossier.due_at, zone),
        "new_due_date": _date(dossier.appointment_at, zone),
        "reason": notice.reason if notice else "",
        "documents": list(notice.documents or []) if notice else [],
        "postal_tracking_number": dossier.postal_tracking_number,
        "lookup_url": f"{base}/tra-cuu/{dossier.code}",
        "rating_url": f"{base}/danh-gia/{dossier.code}",
        "payment_url": f"{base}/thanh-toan/{dossier.code}",
        "fee_amount": _fee_amount(session, dossier),
        "incident_element": "", "incident_message": "", "ground": "",
        **{key: agency[key] for key in _AGENCY_VARIABLES},
    }


def _fee_amount(session: Session, dossier: Dossier) -> str:
    """The fee the dossier is asked to pay now, written as people read it (5.000 đồng), or ""."""
    amount = session.scalar(select(PaymentOrder.amount_vnd).where(PaymentOrder.dossier_id == dossier.id,
                                                                  PaymentOrder.status == "open"))
    return f"{amount:,} đồng".replace(",", ".") if amount else ""


def _recipients(session: Session, dossier: Dossier, channel: str, audience: str) -> list[str]:
    if audience == "applicant":
        address = dossier.applicant_email if channel == "email" else dossier.applicant_phone
        return [address] if address else []
    if audience == "administrators":  # the administrators, and the leaders (who handle every dossier)
        users = session.scalars(select(User).join(UserRole).where(UserRole.role.in_((ADMIN, LEADER)),
                                                                  User.active.is_(True)).distinct().order_by(User.id))
    else:
        users = session.scalars(select(User).where(User.unit_id == dossier.procedure.deciding_unit_id,
                                                   User.active.is_(True)).order_by(User.id))
    return [a for a in ((u.email if channel == "email" else u.phone) for u in users) if a]


def _render(text: str, context: dict) -> str:
    return _environment.from_string(text).render(**context)


def _date(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%d/%m/%Y") if value else ""


def _time(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%H:%M ngày %d/%m/%Y") if value else ""


def _sample_context() -> dict:
    return {name: "" for name in (*TEMPLATE_VARIABLES, *ACCOUNT_VARIABLES)} | {
        "code": "SGDDT-261201-0001", "applicant_name": "Nguyễn Văn A", "documents": [{"name": "Học bạ", "reason": ""}],
        "full_name": "Trần Văn B", "username": "tran.van.b", "failures": 10, "last_address": "203.0.113.7"}


def _as_dict(row: NotificationTemplate) -> dict:
    return {"kind": row.kind, "channel": row.channel, "audience": row.audience, "subject": row.subject,
            "body": row.body, "customized": True, "updated_by": row.updated_by, "updated_at": row.updated_at}
