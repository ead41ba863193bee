"""The national portal's outbox (administrators): what is queued, what failed and why, resend."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.portal import (
    PortalEventDetailSchema,
    PortalEventSchema,
    PortalPageSchema,
    PortalQuerySchema,
    PortalSummarySchema,
)
from api.security import current_principal, requires
from workflows.portal import outbox
from workflows.roles import ADMIN

blp = Blueprint("portal", __name__, url_prefix="/api/v1/portal",
                description="Synchronisation with the National Public Service Portal: its outbox (administrators)")


@blp.route("")
class PortalSummary(MethodView):
    @requires(ADMIN)
    @blp.response(200, PortalSummarySchema)
    def get(self):
        """Whether synchronisation is on, and how many events wait, were sent or failed"""
        with transaction() as session:
            return outbox.summary(session, current_app.config["MOTCUA"].portal)


@blp.route("/events")
class PortalEvents(MethodView):
    @requires(ADMIN)
    @blp.arguments(PortalQuerySchema, location="query")
    @blp.response(200, PortalPageSchema)
    def get(self, query):
        """The portal's events, newest first: pending, sending, sent or failed (with the portal's answer)"""
        with transaction() as session:
            items, total = outbox.list_events(session, status=query.get("status"),
                                              dossier_code=query.get("dossier_code"), page=query["page"],
                                              per_page=query["per_page"])
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}


@blp.route("/events/<int(max=2147483647):event_id>")
class PortalEventById(MethodView):
    @requires(ADMIN)
    @blp.response(200, PortalEventDetailSchema)
    def get(self, event_id):
        """One event, with the body of its call"""
        with transaction() as session:
            return outbox.get_event(session, event_id)


@blp.route("/events/<int(max=2147483647):event_id>/resend")
class ResendPortalEvent(MethodView):
    @requires(ADMIN)
    @blp.response(200, PortalEventSchema)
    def post(self, event_id):
        """Send a failed event again, or a waiting one now (a dossier's body takes the procedure's national
        codes as they are now)"""
        with transaction() as session:
            return outbox.resend(session, event_id, actor=current_principal().username)
