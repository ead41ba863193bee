"""The applicant area under /nguoi-nop: sign in through OpenID Connect (VNeID), file a dossier online
as oneself, see one's own dossiers, sign out.

An applicant's session is a cookie of its own (`motcua_applicant`, HttpOnly, SameSite=Lax, sent only to
these pages) naming a server-side session (workflows.applicant_sessions); it is no bearer token, so
the officers' API refuses it. Every form that changes something carries a token derived from the
session (`csrf`), checked before anything is done. A sign-in replaces any session the browser had.
Plain HTML pages without scripts, in Vietnamese or English (the language cookie of the web pages).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from api import oidc
from api.db import session_factory, transaction
from api.oidc import SignInFailed
from api.web import i18n, language
from workflows import applicant_sessions, applicants, procedures, public
from workflows.errors import InvalidInput, NotFound, RateLimited

bp = Blueprint("applicant_pages", __name__, url_prefix="/nguoi-nop", template_folder="../templates")
COOKIE = "motcua_applicant"
# the form's fields that can be refused, each with its message (applicant.submit.invalid.<field>)
REFUSED_FIELDS = ("procedure_code", "phone", "email", "address", "subject", "rate_limited")
log = logging.getLogger(__name__)


def _raw_token() -> str | None:
    return request.cookies.get(COOKIE)


def _csrf_token(raw: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"applicant-form:" + raw.encode(), hashlib.sha256).hexdigest()


def _csrf_ok() -> bool:
    raw = _raw_token()
    return bool(raw) and hmac.compare_digest(request.form.get("csrf", ""), _csrf_token(raw))


def _render(template: str, status: int = 200, **context):
    lang = language()
    raw = _raw_token()
    return render_template(f"applicant/{template}", lang=lang, t=lambda key: i18n.translate(lang, key),
                           sign_in_offered=oidc.enabled(), csrf=_csrf_token(raw) if raw else "", **context), status


def _secure_cookie() -> bool:
    public_url = current_app.config["MOTCUA"].public_url or ""
    return request.is_secure or public_url.startswith("https:")


@bp.get("/")
def home():
    with transaction() as db:
        identity = applicant_sessions.find(db, _raw_token())
        own = applicants.own_dossiers(db, identity) if identity else []
    submitted = request.args.get("nop", "")
    return _render("home.html", identity=identity, dossiers=own,
                   submitted=submitted if any(d.code == submitted for d in own) else "",  # only one's own
                   signed_out="da-dang-xuat" in request.args)


@bp.get("/dang-nhap")
def sign_in():
    """Off to the identity provider, with a fresh state, nonce and PKCE verifier."""
    if not oidc.enabled():
        abort(404)
    session.clear()  # nothing from before this sign-in is carried over
    session["next"] = "submit" if request.args.get("next") == "nop-ho-so" else "home"
    try:
        return oidc.begin(url_for(".signed_in"))
    except SignInFailed as exc:
        return _failed(exc)


@bp.get("/dang-nhap/xong")
def signed_in():
    """The provider sends the browser back here with a code and the state."""
    if not oidc.enabled():
        abort(404)
    target = session.get("next")
    try:
        identity = oidc.finish()
    except SignInFailed as exc:
        return _failed(exc)
    finally:
        session.clear()  # the state, nonce and verifier are used once
    with transaction() as db:
        applicant_sessions.end(db, _raw_token())  # a session this browser had is ended, never reused
        raw = applicant_sessions.start(db, identity, minutes=current_app.config["MOTCUA"].oidc.session_minutes)
    response = redirect(url_for(".submit" if target == "submit" else ".home"))
    response.set_cookie(COOKIE, raw, max_age=current_app.config["MOTCUA"].oidc.session_minutes * 60,
                        path=bp.url_prefix, httponly=True, samesite="Lax", secure=_secure_cookie())
    return response


def _failed(exc: SignInFailed):
    log.warning("an applicant's sign-in failed: %s", exc)
    return _render("failed.html", 400, reason=exc.reason)


@bp.route("/nop-ho-so", methods=["GET", "POST"])
def submit():
    """The online dossier form, the applicant's name and ID number filled from the sign-in."""
    with transaction() as db:
        identity = applicant_sessions.find(db, _raw_token())
        catalogue = [(p.code, p.name) for p in procedures.list_procedures(db)]
    if identity is None:
        return redirect(url_for(".sign_in", next="nop-ho-so") if oidc.enabled() else url_for(".home"))
    form, error_field = request.form, None
    if request.method == "POST":
        if not _csrf_ok():
            return _render("failed.html", 400, reason="form")
        try:
            public.count_submission(session_factory(), request.remote_addr or "unknown")
            with transaction() as db:
                dossier = applicants.submit(
                    db, identity, procedure_code=form.get("procedure_code", ""), phone=form.get("phone", ""),
                    email=form.get("email", ""), address=form.get("address", ""), subject=form.get("subject", ""),
                    code_prefix=current_app.config["MOTCUA"].dossier_prefix)
                code = dossier.code
            return redirect(url_for(".home", nop=code))
        except InvalidInput as exc:
            field = exc.details.get("field")
            error_field = field if field in REFUSED_FIELDS else "procedure_code"
        except NotFound:
            error_field = "procedure_code"
        except RateLimited:
            error_field = "rate_limited"
    return _render("submit.html", 422 if error_field else 200, identity=identity, catalogue=catalogue, form=form,
                   error_field=error_field)


@bp.post("/dang-xuat")
def sign_out():
    if not _csrf_ok():
        return _render("failed.html", 400, reason="form")
    with transaction() as db:
        applicant_sessions.end(db, _raw_token())
    session.clear()
    response = redirect(url_for(".home", **{"da-dang-xuat": 1}))
    response.delete_cookie(COOKIE, path=bp.url_prefix, httponly=True, samesite="Lax", secure=_secure_cookie())
    return response
