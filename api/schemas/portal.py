"""The national portal's outbox, as the administrator sees it."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import MAX_PAGE, LocalDateTime, StrictSchema
from workflows import access
from workflows.portal import outbox

_MASKED_DIGITS = ("SoGiayToChuHoSo", "SoDienThoai", "SoDinhDanh")


def masked(value):
    """A call's body with the applicant's ID number, phone and email masked (as in every list)."""
    if isinstance(value, list):
        return [masked(item) for item in value]
    if not isinstance(value, dict):
        return value
    shown = {}
    for key, item in value.items():
        if key in _MASKED_DIGITS and isinstance(item, str):
            shown[key] = access.mask_digits(item)
        elif key == "Email" and isinstance(item, str):
            shown[key] = access.mask_email(item)
        else:
            shown[key] = masked(item)
    return shown


class PortalQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(outbox.STATUSES))
    dossier_code = fields.String(validate=validate.Length(min=1, max=50))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PortalEventSchema(StrictSchema):
    id = fields.Integer(metadata={"description": "the event's id: the same call is sent for it every time"})
    dossier_code = fields.Function(lambda e: e.dossier.code)
    service = fields.String(metadata={"description": "DongBoHoSoMC (the dossier) or CapNhatTienDoHoSoMC (a step)"})
    trigger = fields.String(metadata={"description": "what happened: the audit actions, or resync"})
    status = fields.String(metadata={"description": "pending | sending | sent | failed"})
    attempts = fields.Integer()
    next_attempt_at = LocalDateTime()
    last_error = fields.String()
    portal_error_code = fields.String(metadata={"description": "the portal's error_code (or HTTP status)"})
    portal_message = fields.String(metadata={"description": "the portal's own message"})
    created_at = LocalDateTime()
    sent_at = LocalDateTime(allow_none=True)


class PortalEventDetailSchema(PortalEventSchema):
    body = fields.Function(lambda e: masked(e.body), metadata={
        "description": "the call's fields besides session, madonvi and service (personal numbers masked)"})


class PortalPageSchema(StrictSchema):
    items = fields.List(fields.Nested(PortalEventSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class PortalSummarySchema(StrictSchema):
    enabled = fields.Boolean(metadata={"description": "MOTCUA_PORTAL_URL is set: changes are queued and sent"})
    url = fields.String(allow_none=True, metadata={"description": "where calls go (without any query string)"})
    agency_code = fields.String(allow_none=True, metadata={"description": "madonvi"})
    lgsp_mode = fields.String(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    oldest_waiting_at = LocalDateTime(allow_none=True)
    last_sent_at = LocalDateTime(allow_none=True)
