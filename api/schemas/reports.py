"""Statistics for a period and the dossier tracking book."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import DAY_RANGE, LocalDateTime, StrictSchema
from workflows.printouts import BOOK_FORMATS


class StatisticsQuerySchema(StrictSchema):
    first_day = fields.Date(data_key="from", validate=DAY_RANGE, metadata={"description": "first day (YYYY-MM-DD)"})
    last_day = fields.Date(data_key="to", validate=DAY_RANGE, metadata={"description": "last day, inclusive"})
    quarter = fields.String(metadata={"description": "instead of from/to: a quarter, e.g. 2019-Q1"})
    month = fields.String(metadata={"description": "instead of from/to: a month, e.g. 2019-03"})
    procedure_code = fields.String()
    unit = fields.String(metadata={"description": "code of the deciding unit"})


class SatisfactionSchema(StrictSchema):
    ratings = fields.Integer()
    not_satisfied = fields.Integer()
    satisfied = fields.Integer()
    very_satisfied = fields.Integer()
    satisfied_percent = fields.Float(metadata={"description": "satisfied or very satisfied, % of ratings"})


class StatisticsSchema(StrictSchema):
    first_day = fields.String(data_key="from")
    last_day = fields.String(data_key="to")
    timezone = fields.String()
    procedure_code = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    totals = fields.Dict(metadata={"description": "received, resolved, early, on_time, late, extended (of the "
                                                  "resolved, extended with an apology, form 04), in_progress "
                                                  "(within / overdue), the percentages and Decision 766 figures"})
    by_procedure = fields.List(fields.Dict())
    by_unit = fields.List(fields.Dict(), metadata={"description": "the same figures per deciding unit"})
    satisfaction = fields.Nested(SatisfactionSchema, metadata={"description": "ratings given in the period"})


class TrackingBookQuerySchema(StrictSchema):
    first_day = fields.Date(data_key="from", required=True, validate=DAY_RANGE,
                            metadata={"description": "first day (YYYY-MM-DD)"})
    last_day = fields.Date(data_key="to", required=True, validate=DAY_RANGE,
                           metadata={"description": "last day, inclusive"})
    format = fields.String(load_default="pdf", validate=validate.OneOf(BOOK_FORMATS))


class IndicatorsQuerySchema(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100),
                          metadata={"description": "the year, e.g. 2026"})
    quarter = fields.Integer(validate=validate.Range(min=1, max=4),
                             metadata={"description": "1 to 4; without it, the whole year"})


_POINTS = {"max_points": "points it can earn (the administrator's weights)",
           "points": "points earned by the sub-indicators with a value",
           "known_max_points": "points the sub-indicators with a value can earn",
           "unknown_max_points": "points of the sub-indicators without a value (not known, or nothing to count)"}


def _points_fields() -> dict:
    return {name: fields.Float(metadata={"description": description}) for name, description in _POINTS.items()}


class IndicatorSchema(StrictSchema):
    code = fields.String()
    name = fields.String(metadata={"description": "in the reader's language"})
    formula = fields.String()
    unit = fields.String(metadata={"description": "percent, or days for a time"})
    better = fields.String(metadata={"description": "higher or lower"})
    target = fields.Float(allow_none=True, metadata={"description": "null: shown for information"})
    max_points = fields.Float()
    points_confirmed = fields.Boolean(metadata={
        "description": "whether the default points were read in the decision (else an unconfirmed split)"})
    known = fields.Boolean(metadata={"description": "false: the service cannot know it (value null, see reason)"})
    value = fields.Float(allow_none=True)
    numerator = fields.Float(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    points = fields.Float(allow_none=True, metadata={"description": "points earned; null without a value"})
    reason = fields.String(allow_none=True, metadata={"description": "why there is no value"})
    note = fields.String(allow_none=True, metadata={"description": "what the value leaves out, or how to read it"})


IndicatorGroupSchema = StrictSchema.from_dict({
    "code": fields.String(), "name": fields.String(),
    "decision_points": fields.Integer(metadata={"description": "the group's maximum in the decision"}),
    **_points_fields(), "indicators": fields.List(fields.Nested(IndicatorSchema))}, name="IndicatorGroup")

IndicatorsSchema = StrictSchema.from_dict({
    "year": fields.Integer(), "quarter": fields.Integer(allow_none=True),
    "first_day": fields.String(data_key="from"), "last_day": fields.String(data_key="to"),
    "timezone": fields.String(), **_points_fields(), "groups": fields.List(fields.Nested(IndicatorGroupSchema)),
    "settings_updated_by": fields.String(allow_none=True),
    "settings_updated_at": LocalDateTime(allow_none=True)}, name="Indicators")


class IndicatorSettingSchema(StrictSchema):
    code = fields.String(required=True)
    points = fields.Float(metadata={"description": "0 to 100; all sub-indicators' points add up to 100"})
    target = fields.Float(allow_none=True, metadata={"description": "a percentage, or days for a time; null: none"})


class IndicatorSettingsUpdateSchema(StrictSchema):
    indicators = fields.List(fields.Nested(IndicatorSettingSchema), required=True,
                             validate=validate.Length(min=1, max=100))


class IndicatorSettingsSchema(StrictSchema):
    indicators = fields.List(fields.Dict(), metadata={
        "description": "code, group, name, unit, better, points, target, default_points, default_target, "
                       "points_confirmed"})
    updated_by = fields.String(allow_none=True)
    updated_at = LocalDateTime(allow_none=True)
