"""The organisational units (the desk, the divisions, the board): for choosing a user's unit."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.units import UnitSchema
from api.security import signed_in
from workflows import users

blp = Blueprint("units", __name__, url_prefix="/api/v1/units", description="Organisational units")


@blp.route("")
class Units(MethodView):
    @signed_in
    @blp.response(200, UnitSchema(many=True))
    def get(self):
        """Every unit, by name"""
        with transaction() as session:
            return users.list_units(session)
