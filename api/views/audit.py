"""The administration's change log (administrators): who changed what, newest first."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.audit import AuditPageSchema, AuditQuerySchema
from api.security import requires
from workflows import audit_log
from workflows.roles import ADMIN

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit-events",
                description="The change log of the administration (procedures, calendar, users, templates...)")


@blp.route("")
class AuditEvents(MethodView):
    @requires(ADMIN)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, query):
        """Administration events, newest first: filter by action prefix, actions, subject, actor

        Only the administration's families are listed (procedure., calendar., user.,
        notification_template., api_token., agency., outbox., model., decision., portal., stopping.,
        indicators., boundary_intake.); a dossier's events are in its history.
        """
        with transaction() as session:
            items, has_more = audit_log.changes(session, action_prefix=query.get("action_prefix"),
                                                actions=query.get("action"), subject=query.get("subject"),
                                                actor=query.get("actor"), page=query["page"],
                                                per_page=query["per_page"])
            return {"items": items, "page": query["page"], "per_page": query["per_page"], "has_more": has_more}
