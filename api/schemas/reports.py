"""Statistics for a period and the dossier tracking book."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import DAY_RANGE, StrictSchema
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
    totals = fields.Dict(metadata={"description": "received, resolved, early, on_time, late, in_progress "
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
