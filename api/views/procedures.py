from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.procedures import (
    IntakeFormSchema,
    ProcedureCreateSchema,
    ProcedureFieldsSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
    ProcedureStepSchema,
    RetimeResultSchema,
)
from api.security import current_principal, requires, signed_in
from workflows import dossiers, procedure_steps, procedures, retiming
from workflows.roles import ADMIN

blp = Blueprint("procedures", __name__, url_prefix="/api/v1/procedures",
                description="The catalogue of administrative procedures")


@blp.route("")
class Procedures(MethodView):
    @signed_in
    @blp.arguments(ProcedureQuerySchema, location="query")
    @blp.response(200, ProcedureSchema(many=True))
    def get(self, query):
        """List the active procedures; an administrator may ask for the inactive ones too"""
        with transaction() as session:
            return procedures.catalogue_for(session, current_principal(), include_inactive=query["include_inactive"])

    @requires(ADMIN)
    @blp.arguments(ProcedureCreateSchema)
    @blp.response(201, ProcedureSchema)
    def post(self, values):
        """Add a procedure (admin); its model must be deployed and its lanes mapped to roles"""
        with transaction() as session:
            return procedures.create_procedure(session, values, actor=current_principal().username)


@blp.route("/<string:code>")
class ProcedureByCode(MethodView):
    @signed_in
    @blp.response(200, ProcedureSchema)
    def get(self, code):
        """One procedure"""
        with transaction() as session:
            return procedures.get_procedure(session, code)

    @requires(ADMIN)
    @blp.arguments(ProcedureFieldsSchema)
    @blp.response(200, ProcedureSchema)
    def put(self, values, code):
        """Change a procedure (admin); fields left out keep their value; every change is audited"""
        with transaction() as session:
            return procedures.update_procedure(session, code, values, actor=current_principal().username)


@blp.route("/<string:code>/steps")
class ProcedureSteps(MethodView):
    @signed_in
    @blp.response(200, ProcedureStepSchema(many=True))
    def get(self, code):
        """The steps the procedure's model times with deadline(), with their names in the model

        Then the step allocations the current model no longer uses (in_model false); each with the
        time allotted to it, if any.
        """
        with transaction() as session:
            return procedure_steps.procedure_steps(session, code)


@blp.route("/<string:code>/intake-form")
class ProcedureIntakeForm(MethodView):
    @signed_in
    @blp.response(200, IntakeFormSchema)
    def get(self, code):
        """What the desk asks with a dossier of this procedure besides the checklist (a JSON Schema, or null)"""
        with transaction() as session:
            return {"form_schema": dossiers.intake_form(session, code)}


@blp.route("/<string:code>/retime-timers")
class RetimeTimers(MethodView):
    @requires(ADMIN)
    @blp.response(200, RetimeResultSchema)
    def post(self, code):
        """Apply the procedure's current step allocations to its running dossiers (admin)

        Dossiers keep the allocations they were received with; this moves their waiting
        deadline() timers to the new allocations, counted from when each step began, and says how
        many moved.
        """
        with transaction() as session:
            return retiming.retime_running_dossiers(session, code, actor=current_principal().username)
