"""The working calendar: due dates, exceptions, settings, a year's days."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import INSTANT_RANGE, LocalDateTime, StrictSchema
from engine.working_calendar import DAY_OFF, UNITS, WORKING_DAY


class DueDateQuerySchema(StrictSchema):
    received_at = fields.AwareDateTime(required=True, validate=INSTANT_RANGE,
                                       metadata={"description": "ISO 8601 with offset"})
    value = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=3650))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))


class DueDateSchema(StrictSchema):
    received_at = LocalDateTime()
    due_at = LocalDateTime()


class CalendarExceptionSchema(StrictSchema):
    date = fields.Date(required=True, attribute="day")
    kind = fields.String(required=True, validate=validate.OneOf((DAY_OFF, WORKING_DAY)))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    created_by = fields.String(dump_only=True)
    created_at = LocalDateTime(dump_only=True)


class CalendarExceptionQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=1990, max=2100))


class OfficeHoursField(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$")),
                         validate=validate.Length(equal=2), **kwargs)


class CalendarSettingsSchema(StrictSchema):
    timezone = fields.String(metadata={"description": "IANA zone, e.g. Asia/Ho_Chi_Minh"})
    working_weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)),
                                   validate=validate.Length(min=1, max=7),
                                   metadata={"description": "0 = Monday ... 6 = Sunday"})
    sessions = fields.List(OfficeHoursField(), validate=validate.Length(min=1, max=4),
                           metadata={"description": "office sessions as [start, end], HH:MM, in order"})
    same_day_cutoff = fields.String(validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$"))
    holiday_country = fields.String(allow_none=True, metadata={"description": "public holidays of (VN), or null"})


class CalendarYearQuerySchema(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))


class CalendarDaySchema(StrictSchema):
    date = fields.Date()
    weekday = fields.Integer(metadata={"description": "0 = Monday ... 6 = Sunday"})
    working = fields.Boolean(metadata={"description": "whether the calendar counts the day as a working day"})
    kind = fields.String(metadata={"description": "holiday (public), or the exception's kind: day_off, working_day"})
    name = fields.String(metadata={"description": "the holiday's name, or the exception's reason"})
    holiday = fields.String(allow_none=True, metadata={"description": "the public holiday on that day, if any"})
    created_by = fields.String(allow_none=True, metadata={"description": "who entered the exception"})


class CalendarYearSchema(StrictSchema):
    year = fields.Integer()
    holiday_country = fields.String(allow_none=True)
    working_days = fields.Integer(metadata={"description": "working days in the year"})
    days = fields.List(fields.Nested(CalendarDaySchema), metadata={
        "description": "public holidays and exceptions, by date (plain weekends are left out)"})
