"""Users, roles and units (administrators), and integration API tokens."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.schemas.users import (
    ApiTokenCreatedSchema,
    ApiTokenCreateSchema,
    ApiTokenSchema,
    PasswordSetSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from api.security import current_principal, requires
from workflows import auth, users
from workflows.roles import ADMIN

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users, roles and API tokens (administrators)")


@blp.route("/users")
class Users(MethodView):
    @requires(ADMIN)
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """Every user with roles, unit and whether the account is active"""
        with transaction() as session:
            return users.list_users(session)

    @requires(ADMIN)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, values):
        """Create a user (the password must be strong: 12+ characters, letters and digits)"""
        with transaction() as session:
            return auth.create_user(session, actor=current_principal().username, **values)


@blp.route("/users/<string:username>")
class UserByName(MethodView):
    @requires(ADMIN)
    @blp.response(200, UserSchema)
    def get(self, username):
        """One user"""
        with transaction() as session:
            return users.get_user(session, username)

    @requires(ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, values, username):
        """Change a user's roles, unit, contacts, or disable the account (its tokens are revoked)"""
        with transaction() as session:
            return users.update_user(session, username, values, actor=current_principal().username)


@blp.route("/users/<string:username>/password")
class UserPassword(MethodView):
    @requires(ADMIN)
    @blp.arguments(PasswordSetSchema)
    @blp.response(200, UserSchema)
    def put(self, body, username):
        """Set a user's password (administrator); the user's tokens are revoked"""
        with transaction() as session:
            return users.set_password(session, username, body["password"], actor=current_principal().username)


@blp.route("/api-tokens")
class ApiTokens(MethodView):
    @requires(ADMIN)
    @blp.response(200, ApiTokenSchema(many=True))
    def get(self):
        """The integrations' API tokens (never the tokens themselves)"""
        with transaction() as session:
            return auth.list_api_tokens(session)

    @requires(ADMIN)
    @blp.arguments(ApiTokenCreateSchema)
    @blp.response(201, ApiTokenCreatedSchema)
    def post(self, values):
        """Make an API token for an integration, limited to its scopes; the token is shown once"""
        with transaction() as session:
            raw, token = auth.create_api_token(session, actor=current_principal().username, **values)
            return {**{name: getattr(token, name) for name in ApiTokenSchema._declared_fields}, "token": raw}


@blp.route("/api-tokens/<string:name>")
class ApiTokenByName(MethodView):
    @requires(ADMIN)
    @blp.response(200, ApiTokenSchema)
    def delete(self, name):
        """Revoke an API token"""
        with transaction() as session:
            return auth.revoke_api_token(session, name, actor=current_principal().username)
