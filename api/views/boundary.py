"""Dossiers received at another service centre of the province (Decree 118/2025): the transfer of
their paper documents to the department, and the transit allowance an administrator sets."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.boundary import BoundaryRulesSchema, PapersArrivedSchema, PapersSentSchema, PaperTransferSchema
from api.security import current_principal, requires, signed_in
from workflows import boundary
from workflows.dossiers import handled_dossier
from workflows.errors import NotFound
from workflows.roles import ADMIN, DESK_OFFICER, LEADER

blp = Blueprint("boundary", __name__, url_prefix="/api/v1",
                description="Dossiers received at another service centre: their papers' transfer")


def _shown(dossier, transfer) -> dict | None:
    if transfer is None:
        return None
    unit = dossier.receiving_unit
    return {"dossier_code": dossier.code, "from_unit": {"code": unit.code, "name": unit.name} if unit else {},
            "method": transfer.method, "tracking_number": transfer.tracking_number, "note": transfer.note,
            "sent_at": transfer.sent_at, "sent_by": transfer.sent_by, "arrived_at": transfer.arrived_at,
            "received_by": transfer.received_by, "arrival_note": transfer.arrival_note}


@blp.route("/dossiers/<string:code>/papers")
class DossierPapers(MethodView):
    @requires(DESK_OFFICER, LEADER)
    @blp.response(200, PaperTransferSchema)
    def get(self, code):
        """The transfer of the dossier's papers from the centre that received it (404 while not sent)"""
        with transaction() as session:
            dossier = handled_dossier(session, current_principal(), code)
            transfer = boundary.transfer_of(session, dossier)
            if transfer is None:
                raise NotFound(f"The papers of dossier '{code}' have not been sent.", dossier_code=code)
            return _shown(dossier, transfer)

    @requires(DESK_OFFICER)
    @blp.arguments(PapersSentSchema)
    @blp.response(201, PaperTransferSchema)
    def post(self, body, code):
        """The receiving centre's desk sends the dossier's papers to the department (by post or courier
        with the tracking number, or by hand)"""
        with transaction() as session:
            dossier = handled_dossier(session, current_principal(), code)
            return _shown(dossier, boundary.send_papers(session, current_principal(), dossier, **body))


@blp.route("/dossiers/<string:code>/papers/arrival")
class DossierPapersArrival(MethodView):
    @requires(DESK_OFFICER)
    @blp.arguments(PapersArrivedSchema)
    @blp.response(200, PaperTransferSchema)
    def post(self, body, code):
        """The department's desk records that the dossier's papers arrived"""
        with transaction() as session:
            dossier = handled_dossier(session, current_principal(), code)
            return _shown(dossier, boundary.record_arrival(session, current_principal(), dossier, note=body["note"]))


@blp.route("/papers-in-transit")
class PapersInTransit(MethodView):
    @requires(DESK_OFFICER, LEADER)
    @blp.response(200, PaperTransferSchema(many=True))
    def get(self):
        """Papers sent by other centres and not yet arrived at the department, the oldest first"""
        with transaction() as session:
            principal = current_principal()
            return [_shown(dossier, transfer) for dossier, transfer in boundary.awaiting_arrival(session)
                    if boundary.may_see(principal, dossier)]


@blp.route("/boundary-intake")
class BoundaryRules(MethodView):
    @signed_in
    @blp.response(200, BoundaryRulesSchema)
    def get(self):
        """The transit allowance of dossiers received at another centre"""
        with transaction() as session:
            return boundary.get_rules(session)

    @requires(ADMIN)
    @blp.arguments(BoundaryRulesSchema)
    @blp.response(200, BoundaryRulesSchema)
    def put(self, body):
        """Change the transit allowance (administrator); applies to dossiers received from now on; audited"""
        with transaction() as session:
            return boundary.update_rules(session, body, actor=current_principal().username)
