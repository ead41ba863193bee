"""The pages an applicant pays a fee from: the dossier's fee (with its check digits) and a link to the
payment platform's page; the page the platform sends the applicant back to.

Plain HTML forms, like the lookup page (api/views/public_pages.py), rate-limited the same way.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from api.db import session_factory, transaction
from workflows import payment_orders, public
from workflows.errors import Conflict, NotFound, RateLimited

bp = Blueprint("payment_pages", __name__, template_folder="../templates")


def _address() -> str:
    return request.remote_addr or "unknown"


def _check() -> str:
    return (request.values.get("check") or "").strip()


def _config():
    return current_app.config["MOTCUA"].payment


@bp.get("/thanh-toan/<string:code>")
def payment_page(code: str):
    """With the check digits: the open fee and a link to its payment page at the platform (the order is
    created there now if the scheduler has not yet: a link, not a form, since the page is elsewhere)."""
    check, order, pay_url, error = _check(), None, None, None
    if check:
        try:
            with public.guarded(session_factory(), code, address=_address()), transaction() as session:
                order = payment_orders.payable_order(session, code, check)
                if order is not None and _config() is not None:
                    pay_url = payment_orders.pay_online(session, code, check, _config())
        except NotFound:
            error = "Không tìm thấy hồ sơ với mã và 4 chữ số kiểm tra này."
        except RateLimited as exc:
            error = f"Bạn đã thử quá nhiều lần; vui lòng thử lại sau {exc.details.get('retry_after', 60)} giây."
        except Conflict:
            error = "Cổng thanh toán chưa sẵn sàng nhận lệ phí; vui lòng thử lại sau ít phút."
    verified = bool(check) and (order is not None or error is None)
    return render_template("public/payment.html", code=code, check=check, order=order, pay_url=pay_url, error=error,
                           online=_config() is not None, verified=verified)


@bp.get("/thanh-toan/ket-qua")
def payment_return_page():
    with transaction() as session:
        returned = payment_orders.read_return(session, request.args.to_dict(), _config())
    return render_template("public/payment_result.html", code=returned.dossier_code, returned=returned)
