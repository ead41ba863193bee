"""The pages applicants open without an account: look a dossier up, rate it (the notifications link
to both), and verify a signed result (its QR code links there).

Plain HTML forms (no script, no cookie); they call the same service functions as the public API.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from api import oidc
from api.db import session_factory, transaction
from workflows import public, result_verification
from workflows.errors import AlreadyRated, Conflict, InvalidInput, NotFound, RateLimited

bp = Blueprint("public_pages", __name__, template_folder="../templates")

LEVEL_LABELS = {"very_satisfied": "Rất hài lòng", "satisfied": "Hài lòng", "not_satisfied": "Không hài lòng"}


def _address() -> str:
    return request.remote_addr or "unknown"


def _check() -> str:
    return (request.values.get("check") or "").strip()


@bp.get("/tra-cuu/<string:code>")
def lookup_page(code: str):
    check, status, error = _check(), None, None
    if check:
        try:
            with public.guarded(session_factory(), code, address=_address()), transaction() as session:
                status = public.lookup(session, code, check)
        except (NotFound, RateLimited) as exc:
            error = _message(exc)
    return render_template("public/lookup.html", code=code, check=check, status=status, error=error,
                           sign_in_offered=oidc.enabled())


@bp.route("/danh-gia/<string:code>", methods=["GET", "POST"])
def rating_page(code: str):
    error, done = None, False
    if request.method == "POST":
        try:
            with public.guarded(session_factory(), code, address=_address()), transaction() as session:
                public.rate(session, code, _check(), level=request.form.get("level", ""),
                            comment=request.form.get("comment", ""))
            done = True
        except (NotFound, RateLimited, Conflict, InvalidInput) as exc:
            error = _message(exc)
    return render_template("public/rating.html", code=code, levels=LEVEL_LABELS, error=error, done=done,
                           selected=request.form.get("level")), 200 if not error else 422


@bp.route("/xac-minh/<string:result_id>", methods=["GET", "POST"])
def verification_page(result_id: str):
    presentation, error = None, None
    try:
        if request.method == "POST":
            result_verification.count_verification(session_factory(), _address())
            upload = request.files.get("file")
            limit = current_app.config["MOTCUA"].max_upload_bytes
            with transaction() as session:
                presentation = result_verification.verify_file(
                    session, result_id, upload.read(limit + 1) if upload else b"", max_bytes=limit)
            result = presentation.result
        else:
            with transaction() as session:
                result = result_verification.public_result(session, result_id)
    except NotFound:
        return render_template("public/verification.html", code="", result=None, presentation=None,
                               error="Không tìm thấy kết quả với mã này."), 404
    except (InvalidInput, RateLimited) as exc:
        with transaction() as session:
            result = result_verification.public_result(session, result_id)
        error = (_message(exc) if isinstance(exc, RateLimited)
                 else f"Vui lòng chọn tệp PDF (tối đa {exc.details.get('max_bytes', '')} byte)."
                 if exc.details.get("max_bytes") else "Vui lòng chọn tệp PDF của kết quả.")
    return render_template("public/verification.html", code=result.dossier_code, result=result,
                           presentation=presentation, error=error), 422 if error else 200


def _message(exc) -> str:
    if isinstance(exc, NotFound):
        return "Không tìm thấy hồ sơ với mã và 4 chữ số kiểm tra này."
    if isinstance(exc, RateLimited):
        return f"Bạn đã thử quá nhiều lần; vui lòng thử lại sau {exc.details.get('retry_after', 60)} giây."
    if isinstance(exc, InvalidInput):
        return "Vui lòng chọn mức độ hài lòng."
    if isinstance(exc, AlreadyRated):
        return "Hồ sơ này đã được đánh giá. Xin cảm ơn Ông/Bà."
    return "Hồ sơ chưa được trả kết quả nên chưa thể đánh giá."
