"""The agency's own details, printed on the forms and written in notifications (administrators)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.agency import AgencySchema
from api.security import current_principal, requires, signed_in
from workflows import agency
from workflows.roles import ADMIN

blp = Blueprint("agency", __name__, url_prefix="/api/v1/agency",
                description="Names and addresses printed on the forms and used in notifications")


@blp.route("")
class Agency(MethodView):
    @signed_in
    @blp.response(200, AgencySchema)
    def get(self):
        """The agency's details"""
        with transaction() as session:
            return agency.get_agency(session)

    @requires(ADMIN)
    @blp.arguments(AgencySchema)
    @blp.response(200, AgencySchema)
    def patch(self, changes):
        """Change some of the agency's details (administrator); the change is in the audit trail"""
        with transaction() as session:
            return agency.update_agency(session, changes, actor=current_principal().username)
