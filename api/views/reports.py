from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.downloads import file_response
from api.schemas.reports import StatisticsQuerySchema, StatisticsSchema, TrackingBookQuerySchema
from api.security import requires
from workflows import printouts, reports
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
