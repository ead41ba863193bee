from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.downloads import file_response
from api.i18n import language
from api.schemas.reports import (
    IndicatorSettingsSchema,
    IndicatorSettingsUpdateSchema,
    IndicatorsQuerySchema,
    IndicatorsSchema,
    StatisticsQuerySchema,
    StatisticsSchema,
    TrackingBookQuerySchema,
)
from api.security import current_principal, requires
from workflows import indicator_settings, indicators, printouts, reports
from workflows.report_xlsx import statistics_workbook
from workflows.roles import ADMIN, CLERK, DESK_OFFICER, LEADER

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Quarterly (or any period's) statistics of dossiers")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _statistics(query: dict) -> dict:
    with transaction() as session:
        return reports.statistics_of(session, first_day=query.get("first_day"), last_day=query.get("last_day"),
                                     quarter=query.get("quarter"), month=query.get("month"),
                                     procedure_code=query.get("procedure_code"), unit_code=query.get("unit"))


@blp.route("/statistics")
class Statistics(MethodView):
    @requires(LEADER, ADMIN, CLERK, scope="reports:read")
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, StatisticsSchema)
    def get(self, query):
        """Received, resolved early / on time / late, in progress, per procedure and in total"""
        report = _statistics(query)
        return {**report, "first_day": report["from"], "last_day": report["to"]}


@blp.route("/statistics.xlsx")
class StatisticsWorkbook(MethodView):
    @requires(LEADER, ADMIN, CLERK, scope="reports:read")
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, content_type=XLSX)
    def get(self, query):
        """The same statistics as an Excel workbook with Vietnamese headings"""
        report = _statistics(query)
        filename = f"thong-ke-{report['from']}-{report['to']}.xlsx"
        return Response(statistics_workbook(report), mimetype=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/indicators")
class Indicators(MethodView):
    @requires(LEADER, ADMIN, CLERK, scope="reports:read")
    @blp.arguments(IndicatorsQuerySchema, location="query")
    @blp.response(200, IndicatorsSchema)
    def get(self, query):
        """Decision 766/QĐ-TTg's self-assessment of a quarter (or a year): each group and sub-indicator with
        its formula, target, value and points; what the service cannot know has `known: false` and a reason"""
        with transaction() as session:
            report = indicators.indicators_of(session, year=query["year"], quarter=query.get("quarter"),
                                              lang=language())
        return {**report, "first_day": report["from"], "last_day": report["to"]}


@blp.route("/indicator-settings")
class IndicatorSettings(MethodView):
    @requires(LEADER, ADMIN, CLERK)
    @blp.response(200, IndicatorSettingsSchema)
    def get(self):
        """The points and targets of Decision 766's sub-indicators, beside their defaults"""
        with transaction() as session:
            return indicator_settings.described(session, language())

    @requires(ADMIN)
    @blp.arguments(IndicatorSettingsUpdateSchema)
    @blp.response(200, IndicatorSettingsSchema)
    def put(self, body):
        """Change the points and targets of some sub-indicators (administrator); all points add up to 100;
        the change is in the change log (indicators.updated)"""
        with transaction() as session:
            indicator_settings.update(session, body["indicators"], actor=current_principal().username)
            return indicator_settings.described(session, language())


@blp.route("/tracking-book")
class TrackingBook(MethodView):
    @requires(DESK_OFFICER, LEADER, ADMIN, CLERK)
    @blp.arguments(TrackingBookQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(200, content_type=XLSX, description="with format=xlsx")
    def get(self, query):
        """The dossier tracking book (form 07) of the dossiers received in a period: PDF, HTML or xlsx"""
        with transaction() as session:
            printout = printouts.tracking_book(session, query["first_day"], query["last_day"], query["format"])
        return file_response(printout.content, printout.media_type, printout.filename,
                             inline=query["format"] != "xlsx")
