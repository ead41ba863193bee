"""Stopping the processing of a dossier (status 8, the notice of Circular 03/2025's form 05), and the
rules of it: who may stop a dossier and on which grounds (administrators edit them)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.dossiers import DossierSchema
from api.schemas.stopping import StoppingRulesSchema, StopSchema
from api.security import current_principal, requires, signed_in
from workflows import stopping
from workflows.roles import ADMIN

blp = Blueprint("stopping", __name__, url_prefix="/api/v1",
                description="Stopping a dossier's processing (form 05) and its grounds")


@blp.route("/dossiers/<string:code>/stop")
class DossierStop(MethodView):
    @signed_in
    @blp.arguments(StopSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Stop the dossier's processing on one of the grounds: its process ends, the dossier is stopped
        (status 8), the notice (form 05) is written and sent to the applicant

        Allowed to the roles the rules name (403 otherwise); 409 when the dossier is not being processed."""
        with transaction() as session:
            return stopping.stop_processing(session, current_principal(), code, ground=body["ground"],
                                            details=body["details"])


@blp.route("/stopping-rules")
class StoppingRules(MethodView):
    @signed_in
    @blp.response(200, StoppingRulesSchema)
    def get(self):
        """Who may stop a dossier's processing and on which grounds"""
        with transaction() as session:
            return stopping.get_rules(session)

    @requires(ADMIN)
    @blp.arguments(StoppingRulesSchema)
    @blp.response(200, StoppingRulesSchema)
    def put(self, body):
        """Change who may stop a dossier's processing and/or its grounds (administrator); audited"""
        with transaction() as session:
            return stopping.update_rules(session, body, actor=current_principal().username)
