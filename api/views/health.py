from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import session_factory
from api.schemas.health import HealthSchema
from workflows import health

blp = Blueprint("health", __name__, description="Liveness and database reachability")


@blp.route("/healthz", endpoint="healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema, description="Every part answers: `{\"status\": \"ok\", \"database\": \"ok\"}`.")
    @blp.alt_response(503, schema=HealthSchema,
                      description="A part does not answer: `{\"status\": \"unavailable\", "
                                  "\"database\": \"unreachable: <short reason>\"}`.")
    def get(self):
        """Whether this server can serve: 200 when the database answers, 503 when it does not.

        Both answers have the same shape, one field per part (`database`) plus `status` (`ok` or
        `unavailable`), so that a monitor reads one document whatever the outcome; a failing part
        says `unreachable: <short reason>` (the driver's first line: no stack trace, no password).
        This is a probe, not an operation, so its 503 is this shape rather than the error shape
        {code, status, message, errors} of the other endpoints. No sign-in is needed.
        """
        found = health.check(session_factory())
        return {"status": found.status, "database": found.database}, (200 if found.ok else 503)
