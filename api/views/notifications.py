"""Notification templates (administrators edit them) and the outbox (what was sent, what failed)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.notifications import (
    OutboxMessageSchema,
    OutboxPageSchema,
    OutboxQuerySchema,
    TemplateInputSchema,
    TemplateSchema,
)
from api.security import current_principal, requires
from workflows import notifications, outbox
from workflows.roles import ADMIN

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="Notifications to applicants and officers: templates and the outbox (administrators)")


@blp.route("/templates")
class Templates(MethodView):
    @requires(ADMIN)
    @blp.response(200, TemplateSchema(many=True))
    def get(self):
        """Every template in effect (Jinja2 text; variables in the README), customized or bundled"""
        with transaction() as session:
            return notifications.list_templates(session)


@blp.route("/templates/<string:kind>/<string:channel>")
class TemplateByKind(MethodView):
    @requires(ADMIN)
    @blp.response(200, TemplateSchema)
    def get(self, kind, channel):
        """One template"""
        with transaction() as session:
            return notifications.get_template(session, kind, channel)

    @requires(ADMIN)
    @blp.arguments(TemplateInputSchema)
    @blp.response(200, TemplateSchema)
    def put(self, body, kind, channel):
        """Save a template (checked by rendering it with a sample dossier first)"""
        with transaction() as session:
            return notifications.save_template(session, kind, channel, actor=current_principal().username, **body)


@blp.route("/outbox")
class Outbox(MethodView):
    @requires(ADMIN)
    @blp.arguments(OutboxQuerySchema, location="query")
    @blp.response(200, OutboxPageSchema)
    def get(self, query):
        """Messages written for delivery, newest first: pending, sending, sent or failed"""
        with transaction() as session:
            items, total = outbox.list_messages(session, status=query.get("status"),
                                                dossier_code=query.get("dossier_code"), page=query["page"],
                                                per_page=query["per_page"])
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}


@blp.route("/outbox/<int(max=2147483647):message_id>/retry")
class RetryMessage(MethodView):
    @requires(ADMIN)
    @blp.response(200, OutboxMessageSchema)
    def post(self, message_id):
        """Send a failed message again"""
        with transaction() as session:
            return outbox.retry_message(session, message_id, actor=current_principal().username)
