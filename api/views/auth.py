from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas import LoginSchema, MeSchema, TokenSchema
from api.security import current_principal
from workflows import auth

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Log in and out")


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=[])
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    def post(self, credentials):
        """Exchange a username and password for a bearer token"""
        ttl = current_app.config["MOTCUA"].token_ttl_minutes
        with transaction() as session:
            token, expires_at, _ = auth.login(session, ttl_minutes=ttl, **credentials)
        return {"access_token": token, "token_type": "Bearer", "expires_at": expires_at}


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self):
        """Revoke the token this request carries"""
        with transaction() as session:
            auth.revoke_token(session, g.raw_token)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """Who the token belongs to"""
        principal = current_principal()
        return {"username": principal.username, "full_name": principal.full_name,
                "roles": sorted(principal.roles), "unit_code": principal.unit_code}
