from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from api.db import transaction
from api.schemas.health import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and database reachability")


@blp.route("/healthz", endpoint="healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    def get(self):
        with transaction() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}
