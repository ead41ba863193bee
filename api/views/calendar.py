from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.i18n import language
from api.schemas.calendar import (
    CalendarExceptionQuerySchema,
    CalendarExceptionSchema,
    CalendarSettingsSchema,
    CalendarYearQuerySchema,
    CalendarYearSchema,
    DueDateQuerySchema,
    DueDateSchema,
)
from api.security import current_principal, requires, signed_in
from workflows import calendar
from workflows.errors import InvalidInput
from workflows.roles import ADMIN

blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar",
                description="The working calendar: office hours, holidays, exceptions, due dates")


@blp.route("/due-date")
class DueDate(MethodView):
    @signed_in
    @blp.arguments(DueDateQuerySchema, location="query")
    @blp.response(200, DueDateSchema)
    def get(self, query):
        """When something received at `received_at` with `value` `unit`s to do is due"""
        with transaction() as session:
            return calendar.due_date(session, query["received_at"], query["value"], query["unit"])


@blp.route("/exceptions")
class CalendarExceptions(MethodView):
    @signed_in
    @blp.arguments(CalendarExceptionQuerySchema, location="query")
    @blp.response(200, CalendarExceptionSchema(many=True))
    def get(self, query):
        """The administrator's exceptions (days off, make-up working days), by date"""
        with transaction() as session:
            return calendar.list_exceptions(session, year=query.get("year"))

    @requires(ADMIN)
    @blp.arguments(CalendarExceptionSchema)
    @blp.response(201, CalendarExceptionSchema)
    def post(self, body):
        """Add an exception (admin): it wins over the weekday rule and the public holidays"""
        with transaction() as session:
            return calendar.add_exception(session, day=body["day"], kind=body["kind"], reason=body["reason"],
                                          actor=current_principal().username)


@blp.route("/exceptions/<string:day>")
class CalendarExceptionByDate(MethodView):
    @requires(ADMIN)
    @blp.response(204)
    def delete(self, day):
        """Remove the exception of a date (admin), given as YYYY-MM-DD"""
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput("The date must be YYYY-MM-DD.", date=day) from None
        with transaction() as session:
            calendar.delete_exception(session, parsed, actor=current_principal().username)


@blp.route("/settings")
class CalendarSettings(MethodView):
    @signed_in
    @blp.response(200, CalendarSettingsSchema)
    def get(self):
        """Time zone, working weekdays, office sessions, same-day cut-off, holiday country"""
        with transaction() as session:
            return calendar.get_settings(session)

    @requires(ADMIN)
    @blp.arguments(CalendarSettingsSchema)
    @blp.response(200, CalendarSettingsSchema)
    def put(self, changes):
        """Change the calendar settings (admin); keys left out keep their value; audited"""
        with transaction() as session:
            return calendar.update_settings(session, changes, actor=current_principal().username)


@blp.route("/days")
class CalendarDays(MethodView):
    @signed_in
    @blp.arguments(CalendarYearQuerySchema, location="query")
    @blp.response(200, CalendarYearSchema)
    def get(self, query):
        """A year's public holidays (named in the reader's language) and exceptions, and its working days"""
        with transaction() as session:
            return calendar.year_days(session, query["year"], language())
