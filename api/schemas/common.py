"""Pieces every schema module uses: the strict base, times shown in the service's time zone, the
ranges of dates and pages the service accepts, and the schemas more than one group of endpoints uses.

Schemas dump what the services give them; who the caller is (and so what they may see) is the
services' business, never read here. The display time zone and the reader's language are the
API's own plumbing (api.db, api.i18n).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, post_dump, validate

from api.db import display_timezone
from api.i18n import actor_label, language
from workflows import statuses


def local_iso(value):
    """An aware UTC datetime shown in the service's time zone (Asia/Ho_Chi_Minh), with offset."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(display_timezone())).isoformat()


class LocalDateTime(fields.DateTime):
    """Stored in UTC, shown in the service's time zone with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        return local_iso(value)


MAX_PAGE = 100_000
# Dates the service can count with: an earlier or later one is refused as input, not failed on.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
DAY_RANGE = validate.Range(min=FIRST_DAY, max=LAST_DAY, error="Dates from 1990-01-01 to 2100-12-31.")
INSTANT_RANGE = validate.Range(min=datetime(1990, 1, 1, tzinfo=timezone.utc),
                               max=datetime(2100, 12, 31, tzinfo=timezone.utc),
                               error="Times from 1990 to 2100.")


class StrictSchema(Schema):
    class Meta:
        ordered = True


class DeployedSchema(StrictSchema):
    """A deployed model version's when and who (a process model's or a decision table's)."""

    deployed_at = LocalDateTime()
    deployed_by = fields.String(metadata={
        "description": "the login that deployed it; deployed_by_label says it in the reader's words "
                       "(\"Hệ thống (mẫu đi kèm)\" for a bundled model deployed from the command line)"})

    @post_dump
    def _deployer_in_words(self, data, **_kwargs):
        if "deployed_by" in data:
            data["deployed_by_label"] = actor_label(data["deployed_by"])
        return data


class RequiredDocumentSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    form = fields.String(required=True, validate=validate.OneOf(("original", "copy")),
                         metadata={"description": "original (bản chính) or copy (bản sao)"})
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    reuse_valid_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=36500), metadata={
        "description": "how many days old a copy in the applicant's store may be to stand for this document; "
                       "left out or null: any age; 0: never reused"})


class WithdrawalSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class DossierStatusSchema(StrictSchema):
    code = fields.String()
    status = fields.Integer()
    status_label = fields.Function(lambda d: statuses.label(d.status, language()))
