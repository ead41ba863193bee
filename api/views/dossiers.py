from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas import (
    DossierCreateSchema,
    DossierPageSchema,
    DossierQuerySchema,
    DossierSchema,
    DossierStepSchema,
    HistoryEventSchema,
)
from api.security import current_principal, requires
from workflows import dossiers
from workflows.roles import DESK_OFFICER

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers",
                description="Dossiers received at the one-stop desk")


@blp.route("")
class Dossiers(MethodView):
    @blp.arguments(DossierQuerySchema, location="query")
    @blp.response(200, DossierPageSchema)
    def get(self, query):
        """Dossiers, newest first, filtered and paginated"""
        page, per_page = query.pop("page"), query.pop("per_page")
        with transaction() as session:
            items, total = dossiers.list_dossiers(session, dossiers.DossierFilters(**query), page=page,
                                                  per_page=per_page)
        return {"items": items, "page": page, "per_page": per_page, "total": total}

    @requires(DESK_OFFICER)
    @blp.arguments(DossierCreateSchema)
    @blp.response(201, DossierSchema)
    def post(self, body):
        """Receive a dossier at the desk (desk officer): starts its procedure's process"""
        settings = current_app.config["MOTCUA"]
        with transaction() as session:
            return dossiers.receive_dossier(
                session, current_principal(), procedure_code=body["procedure_code"], channel=body["channel"],
                applicant=dossiers.Applicant(**body["applicant"]), data=body["data"],
                code_prefix=settings.dossier_prefix,
            )


@blp.route("/<string:code>")
class DossierByCode(MethodView):
    @blp.response(200, DossierSchema)
    def get(self, code):
        """One dossier"""
        with transaction() as session:
            return dossiers.get_dossier(session, code)


@blp.route("/<string:code>/history")
class DossierHistory(MethodView):
    @blp.response(200, HistoryEventSchema(many=True))
    def get(self, code):
        """Everything that happened to the dossier, oldest first"""
        with transaction() as session:
            return dossiers.dossier_history(session, code)


@blp.route("/<string:code>/steps")
class DossierSteps(MethodView):
    @blp.response(200, DossierStepSchema(many=True))
    def get(self, code):
        """The steps of the dossier with their verdicts (the process-control slip, form 05)"""
        with transaction() as session:
            return dossiers.dossier_steps(session, code)
