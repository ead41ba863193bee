"""An administrator's operations on running dossiers: incidents (retry, skip), suspension, moves,
reverting a migration; and a designer's or administrator's migration of dossiers to another version."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import own_transactions, transaction
from api.schemas.dossiers import DossierSchema, HistoryEventSchema
from api.schemas.operations import (
    IncidentDetailSchema,
    IncidentQuerySchema,
    IncidentSchema,
    MigrationReportSchema,
    MigrationRequestSchema,
    MoveSchema,
    ResumeSchema,
    RetrySchema,
    SkipSchema,
    SuspensionSchema,
)
from api.security import current_principal, requires
from workflows import incidents, migrations, repairs
from workflows.roles import ADMIN, DESIGNER

blp = Blueprint("operations", __name__, url_prefix="/api/v1",
                description="Incidents and repairs of running dossiers; migration to another model version")


@blp.route("/incidents")
class Incidents(MethodView):
    @requires(ADMIN)
    @blp.arguments(IncidentQuerySchema, location="query")
    @blp.response(200, IncidentSchema(many=True))
    def get(self, query):
        """Steps the service ran on its own that failed, newest first (admin)"""
        with transaction() as session:
            return incidents.list_incidents(session, **query)


@blp.route("/incidents/<int(max=2147483647):incident_id>")
class IncidentById(MethodView):
    @requires(ADMIN)
    @blp.response(200, IncidentDetailSchema)
    def get(self, incident_id):
        """One incident, with the failing element's data when it failed (admin)"""
        with transaction() as session:
            return incidents.get_incident(session, incident_id)


@blp.route("/incidents/<int(max=2147483647):incident_id>/retry")
class RetryIncident(MethodView):
    @requires(ADMIN)
    @blp.arguments(RetrySchema)
    @blp.response(200, IncidentDetailSchema)
    def post(self, body, incident_id):
        """Run the failed step again, with corrected data put into the failing element (admin)

        A retry that fails again answers 422 with the reason and counts an attempt."""
        with transaction() as session:
            return incidents.retry_incident(session, current_principal(), incident_id, **body)


@blp.route("/incidents/<int(max=2147483647):incident_id>/skip")
class SkipIncident(MethodView):
    @requires(ADMIN)
    @blp.arguments(SkipSchema)
    @blp.response(200, IncidentDetailSchema)
    def post(self, body, incident_id):
        """Complete the failing element without running it (not a person's task; a gateway needs flow_to) (admin)"""
        with transaction() as session:
            return incidents.skip_incident(session, current_principal(), incident_id, **body)


@blp.route("/dossiers/<string:code>/suspension")
class Suspension(MethodView):
    @requires(ADMIN)
    @blp.arguments(SuspensionSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Suspend the dossier: its tasks cannot be claimed or completed, its timers wait (admin)"""
        with transaction() as session:
            return repairs.suspend(session, current_principal(), code, **body)

    @requires(ADMIN)
    @blp.arguments(ResumeSchema)
    @blp.response(200, DossierSchema)
    def delete(self, body, code):
        """Resume the dossier; timers that fell due meanwhile fire at once (admin)"""
        with transaction() as session:
            return repairs.resume(session, current_principal(), code, **body)


@blp.route("/dossiers/<string:code>/operations")
class DossierOperations(MethodView):
    @requires(ADMIN)
    @blp.response(200, HistoryEventSchema(many=True))
    def get(self, code):
        """The dossier's incidents and repairs, newest first (admin): opened, retried, skipped, suspended,
        resumed, moved, migrated, reverted, with who, why and the data before and after"""
        with transaction() as session:
            return repairs.operations_of(session, code)


@blp.route("/dossiers/<string:code>/moves")
class Moves(MethodView):
    @requires(ADMIN)
    @blp.arguments(MoveSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Cancel the dossier's active step and make another one active (admin)

        Refused (422) where the process would be left inconsistent: a parallel branch whose join
        would wait for ever, an event or a join as the target, leaving or entering a subprocess."""
        with transaction() as session:
            return repairs.move(session, current_principal(), code, from_bpmn_id=body["from_"], to_bpmn_id=body["to"],
                                reason=body["reason"], data=body["data"])


@blp.route("/dossiers/<string:code>/migration-reversal")
class MigrationReversal(MethodView):
    @requires(ADMIN)
    @blp.arguments(ResumeSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Put the dossier back on the version it ran before its latest migration, if nothing happened since (admin)"""
        with transaction() as session:
            return repairs.revert_migration(session, current_principal(), code, **body)


@blp.route("/process-models/<string:process_id>/migrations")
class Migrations(MethodView):
    @requires(DESIGNER, ADMIN)
    @blp.arguments(MigrationRequestSchema)
    @blp.response(200, MigrationReportSchema)
    def post(self, body, process_id):
        """Migrate the dossiers running on one version to another (designer, admin); a dry run by default

        Each dossier migrates in its own transaction: one that cannot (its active step is missing
        from the new version and no mapping places it) stays on its version, listed with the reason."""
        return migrations.migrate_dossiers(own_transactions(), current_principal(), process_id, **body)
