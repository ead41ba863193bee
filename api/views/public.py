"""What applicants reach without an account: register online, look up, rate, withdraw."""

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import session_factory, transaction
from api.schemas.common import DossierStatusSchema, WithdrawalSchema
from api.schemas.public import (
    CheckQuerySchema,
    OnlineDossierSchema,
    PublicProcedureSchema,
    PublicStatusSchema,
    RatingInputSchema,
    RatingSchema,
    SubmittedSchema,
)
from workflows import dossiers, procedures, public

blp = Blueprint("public", __name__, url_prefix="/api/v1/public",
                description="For applicants, without an account: each dossier request carries a check "
                            "(the last 4 digits of the applicant's phone or ID number); rate-limited")


def _address() -> str:
    return request.remote_addr or "unknown"


@blp.route("/procedures")
class PublicProcedures(MethodView):
    @blp.doc(security=[])  # applicants have no token
    @blp.response(200, PublicProcedureSchema(many=True))
    def get(self):
        """The procedures an applicant may file: documents to bring, processing time, fee"""
        with transaction() as session:
            return procedures.list_procedures(session)


@blp.route("/dossiers")
class OnlineDossiers(MethodView):
    @blp.arguments(OnlineDossierSchema)
    @blp.doc(security=[])  # applicants have no token
    @blp.response(201, SubmittedSchema)
    def post(self, body):
        """Register a dossier online (status 1): the desk accepts it (status 2, the clock starts) or refuses it"""
        public.count_submission(session_factory(), _address())
        with transaction() as session:
            return dossiers.submit_online(
                session, procedure_code=body["procedure_code"], applicant=dossiers.Applicant(**body["applicant"]),
                data=body["data"], code_prefix=current_app.config["MOTCUA"].dossier_prefix)


@blp.route("/dossiers/<string:code>")
class PublicDossier(MethodView):
    @blp.arguments(CheckQuerySchema, location="query")
    @blp.doc(security=[])  # applicants have no token
    @blp.response(200, PublicStatusSchema)
    def get(self, query, code):
        """A dossier's status, procedure, received and due dates; 404 for an unknown code or a wrong check"""
        with public.guarded(session_factory(), code, address=_address()), transaction() as session:
            return public.lookup(session, code, query["check"])


@blp.route("/dossiers/<string:code>/rating")
class PublicRating(MethodView):
    @blp.arguments(CheckQuerySchema, location="query")
    @blp.arguments(RatingInputSchema)
    @blp.doc(security=[])  # applicants have no token
    @blp.response(201, RatingSchema)
    def post(self, query, body, code):
        """Rate a returned dossier once: not_satisfied, satisfied or very_satisfied, with a comment"""
        with public.guarded(session_factory(), code, address=_address()), transaction() as session:
            return public.rate(session, code, query["check"], level=body["level"], comment=body["comment"])


@blp.route("/dossiers/<string:code>/withdrawal")
class PublicWithdrawal(MethodView):
    @blp.arguments(CheckQuerySchema, location="query")
    @blp.arguments(WithdrawalSchema)
    @blp.doc(security=[])  # applicants have no token
    @blp.response(200, DossierStatusSchema)
    def post(self, query, body, code):
        """Ask to withdraw a dossier (status 7); the desk returns the papers and processing stops (8)"""
        with public.guarded(session_factory(), code, address=_address()), transaction() as session:
            return public.withdraw(session, code, query["check"], reason=body["reason"])
