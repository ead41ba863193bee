"""Online fee payment: the diploma copy asks an online applicant for its fee (status 6), the payment
platform's double creates the order and notifies the payment, and the dossier goes on by its model's
message; forged, replayed, wrong-amount and unknown-order notifications change nothing; a refusal
after payment records a refund. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest
import time_machine

from engine.clock import utcnow
from engine.instances import CompletedElement
from tests import payment_double
from tests.conftest import read_model
from workflows import payment_notifications, payment_orders, payments
from workflows.dossiers import get_dossier
from workflows.errors import InvalidInput
from workflows.payment_models import PaymentOrder
from workflows.settings import Settings

PROCEDURE = "CAP_BAN_SAO_VAN_BANG"
APPLICANT = {"full_name": "Trần Thị Bích", "id_number": "079300004321", "phone": "0987654321",
             "email": "bich.tran@example.vn"}
IPN = "/api/v1/payments/ipn"
payment_platform = payment_double.payment_platform  # the platform's double, a fixture


@pytest.fixture
def settings(database_url, tmp_path, payment_platform) -> Settings:
    """The app's settings (tests/api/conftest.py), with online payment on, to the platform's double."""
    return Settings(data_dir=tmp_path, database_url=database_url, scheduler_enabled=False,
                    token_ttl_minutes=7 * 24 * 60, payment=payment_platform.config())


def waiting_for_fee(api, copies: int = 2) -> str:
    """An online diploma-copy dossier the desk accepted: its fee computed (5.000 + 3.000 a further copy)."""
    response = api.post("/api/v1/public/dossiers", json={"procedure_code": PROCEDURE, "applicant": APPLICANT})
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete", "so_ban_sao": copies})
    return code


def created(sessions, config) -> payment_orders.DeliveryReport:
    return payment_orders.create_pending(sessions, config)


def payments_of(api, code: str) -> list[dict]:
    response = api.get(f"/api/v1/dossiers/{code}/payments", user="desk")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def statuses_of(api, code: str) -> list[int]:
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    return [e["data"]["to"] for e in history if e["action"] == "dossier.status_changed"]


def open_tasks(api, code: str, user: str) -> list[str]:
    return [t["bpmn_id"] for t in api.get("/api/v1/tasks", user=user, query_string={"dossier_code": code}).get_json()]


def ipn(api, fields: dict) -> dict:
    response = api.get(IPN, query_string=fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- asking, paying, going on ------------------------------------------------------------------

def test_an_online_diploma_copy_waits_for_its_fee_and_goes_on_once_the_platform_notifies_the_payment(
        api, sessions, payment_platform):
    code = waiting_for_fee(api)
    dossier = api.dossier(code)
    assert dossier["status"] == 6 and dossier["clock_paused_at"] is not None
    assert dossier["data"]["le_phi"] == 8000
    [asked] = payments_of(api, code)
    assert (asked["amount_vnd"], asked["status"], asked["gateway_status"], asked["receipts"]) == (8000, "open",
                                                                                                   "pending", [])
    outbox = api.get("/api/v1/notifications/outbox", user="admin", query_string={"dossier_code": code}).get_json()
    told = [m for m in outbox["items"] if m["kind"] == "payment_requested"]
    assert told and all(f"/thanh-toan/{code}" in m["body"] for m in told)
    assert any("8.000 đồng" in m["body"] for m in told)

    report = created(sessions, payment_platform.config())
    assert (report.created, report.retrying, report.failed) == (1, 0, 0)
    order = payment_platform.orders[asked["order_ref"]]
    assert order.amount == "800000" and order.return_url.endswith("/thanh-toan/ket-qua")

    answer = ipn(api, payment_platform.notification(asked["order_ref"]))

    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    dossier = api.dossier(code)
    assert dossier["status"] == 4 and dossier["clock_paused_at"] is None
    assert statuses_of(api, code) == [2, 4, 6, 4]
    assert "review" in open_tasks(api, code, "khaothi")
    [paid] = payments_of(api, code)
    assert paid["status"] == "paid" and paid["paid_at"] is not None
    [receipt] = paid["receipts"]
    assert (receipt["kind"], receipt["method"], receipt["amount_vnd"], receipt["bank_code"]) == (
        "payment", "online", 8000, "NCB")
    assert receipt["transaction_no"]


def test_a_dossier_received_at_the_desk_is_not_asked_to_pay_online(api):
    code = api.receive(PROCEDURE)["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    assert api.dossier(code)["status"] == 4 and payments_of(api, code) == []


def test_paying_at_the_desk_records_the_receipt_and_the_dossier_goes_on(api):
    code = waiting_for_fee(api, copies=1)

    response = api.post(f"/api/v1/dossiers/{code}/payments", user="desk", json={"note": "Biên lai số 0001234"})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["receipts"][0]["method"] == "desk"
    assert response.get_json()["receipts"][0]["amount_vnd"] == 5000
    assert api.dossier(code)["status"] == 4
    again = api.post(f"/api/v1/dossiers/{code}/payments", user="desk", json={})
    assert again.status_code == 409
    assert api.post(f"/api/v1/dossiers/{code}/payments", user="khaothi", json={}).status_code == 403


def test_the_clock_runs_while_the_fee_is_paid_when_the_procedure_says_so(api):
    response = api.put(f"/api/v1/procedures/{PROCEDURE}", user="admin", json={"clock_while_paying": "run"})
    assert response.status_code == 200 and response.get_json()["clock_while_paying"] == "run"
    code = waiting_for_fee(api)
    dossier = api.dossier(code)
    assert dossier["status"] == 6 and dossier["clock_paused_at"] is None


# --- notifications that change nothing ----------------------------------------------------------

def test_a_forged_notification_is_refused_and_the_dossier_still_waits(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    order_ref = payments_of(api, code)[0]["order_ref"]

    forged = payment_platform.notification(order_ref, secret="not-the-merchant-secret")
    tampered = {**payment_platform.notification(order_ref, amount="100"), "vnp_Amount": "800000"}
    tampered_back = {**payment_platform.notification(order_ref), "vnp_Amount": "100"}
    unsigned = {k: v for k, v in payment_platform.notification(order_ref).items() if k != "vnp_SecureHash"}

    for fields in (forged, tampered, tampered_back, unsigned):
        assert ipn(api, fields) == {"RspCode": "97", "Message": "Invalid Checksum"}
    assert api.dossier(code)["status"] == 6
    assert payments_of(api, code)[0]["receipts"] == []
    kept = api.get("/api/v1/payments/notifications", user="admin", query_string={"order_ref": order_ref})
    assert kept.status_code == 200 and kept.get_json()["total"] == 4
    assert {(n["answer_code"], n["answer"]) for n in kept.get_json()["items"]} == {("97", "Invalid Checksum")}
    assert kept.get_json()["items"][0]["fields"]["vnp_TxnRef"] == order_ref
    assert api.get("/api/v1/payments/notifications", user="desk").status_code == 403


def test_a_replayed_notification_is_refused_and_pays_once(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    order_ref = payments_of(api, code)[0]["order_ref"]
    fields = payment_platform.notification(order_ref)

    assert ipn(api, fields)["RspCode"] == "00"
    assert ipn(api, fields) == {"RspCode": "02", "Message": "Order already confirmed"}
    another_transaction = payment_platform.notification(order_ref)
    assert ipn(api, another_transaction)["RspCode"] == "02"

    assert len(payments_of(api, code)[0]["receipts"]) == 1
    assert statuses_of(api, code) == [2, 4, 6, 4]


def test_a_notification_of_another_amount_is_refused(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    order_ref = payments_of(api, code)[0]["order_ref"]

    answer = ipn(api, payment_platform.notification(order_ref, amount="500000"))

    assert answer == {"RspCode": "04", "Message": "Invalid amount"}
    assert api.dossier(code)["status"] == 6 and payments_of(api, code)[0]["status"] == "open"


def test_a_notification_of_an_unknown_order_or_another_merchant_is_refused(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    order_ref = payments_of(api, code)[0]["order_ref"]
    payment_platform.orders["SGDDT-000000-9999-1"] = payment_platform.orders[order_ref]
    unknown = {**payment_platform.notification(order_ref), "vnp_TxnRef": "SGDDT-000000-9999-1"}
    unknown["vnp_SecureHash"] = payment_double.checksum(unknown)
    other_merchant = {**payment_platform.notification(order_ref), "vnp_TmnCode": "KHAC0001"}
    other_merchant["vnp_SecureHash"] = payment_double.checksum(other_merchant)

    assert ipn(api, unknown) == {"RspCode": "01", "Message": "Order not found"}
    assert ipn(api, other_merchant)["RspCode"] == "01"
    assert api.dossier(code)["status"] == 6


def test_a_failed_payment_is_acknowledged_and_the_order_stays_open_to_pay_again(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    order_ref = payments_of(api, code)[0]["order_ref"]

    assert ipn(api, payment_platform.notification(order_ref, response_code="24"))["RspCode"] == "00"
    assert api.dossier(code)["status"] == 6 and payments_of(api, code)[0]["status"] == "open"

    assert ipn(api, payment_platform.notification(order_ref))["RspCode"] == "00"
    assert api.dossier(code)["status"] == 4


# --- refunds, the outbox, the count ----------------------------------------------------------

def test_a_dossier_refused_after_its_fee_was_paid_records_a_refund(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    ipn(api, payment_platform.notification(payments_of(api, code)[0]["order_ref"]))

    api.complete(code, "specialist", "review", {"opinion": "refuse", "reason": "Không tìm thấy trong sổ gốc"})
    api.complete(code, "leader", "sign", {"decision": "refuse", "reason": "Không tìm thấy trong sổ gốc"})
    api.complete(code, "desk", "notify_refusal", {})

    assert api.dossier(code)["status"] == 3
    [refunded] = payments_of(api, code)
    assert refunded["status"] == "refunded"
    assert [(r["kind"], r["amount_vnd"]) for r in refunded["receipts"]] == [("payment", 8000), ("refund", 8000)]
    assert refunded["receipts"][1]["reason"]


def test_a_withdrawal_while_the_fee_is_awaited_cancels_the_order_and_a_late_payment_is_refunded(
        api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    order_ref = payments_of(api, code)[0]["order_ref"]
    response = api.post(f"/api/v1/public/dossiers/{code}/withdrawal", query_string={"check": "4321"},
                        json={"reason": "Không cần nữa"})
    assert response.status_code == 200, response.get_json()
    api.complete(code, "desk", "confirm_withdrawal", {})
    assert api.dossier(code)["status"] == 8 and payments_of(api, code)[0]["status"] == "cancelled"

    assert ipn(api, payment_platform.notification(order_ref))["RspCode"] == "00"

    [late] = payments_of(api, code)
    assert late["status"] == "refunded" and [r["kind"] for r in late["receipts"]] == ["payment", "refund"]
    assert api.dossier(code)["status"] == 8


def test_the_create_order_call_is_retried_while_the_platform_is_down_and_is_one_order_when_sent_again(
        api, sessions, payment_platform):
    code = waiting_for_fee(api)
    payment_platform.fail_next("unavailable")

    report = created(sessions, payment_platform.config())

    assert (report.created, report.retrying) == (0, 1)
    [waiting] = payments_of(api, code)
    assert waiting["gateway_status"] == "pending" and "503" in waiting["last_error"]
    assert created(sessions, payment_platform.config()).created == 0  # not before its retry time
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        assert created(sessions, payment_platform.config()).created == 1
    with sessions() as session:
        order = session.query(PaymentOrder).one()
        first_page = order.pay_url
    again = payment_orders.create_order(payment_platform.config(), order_ref=waiting["order_ref"], amount_vnd=8000,
                                        description="Le phi", return_url="http://127.0.0.1:5000/thanh-toan/ket-qua")
    assert again == first_page and len(payment_platform.orders) == 1


def test_dossiers_paid_online_are_counted_by_quarter(api, sessions, payment_platform):
    paid_online, paid_at_desk = waiting_for_fee(api), waiting_for_fee(api)
    created(sessions, payment_platform.config())
    ipn(api, payment_platform.notification(payments_of(api, paid_online)[0]["order_ref"]))
    api.post(f"/api/v1/dossiers/{paid_at_desk}/payments", user="desk", json={})

    today = utcnow().date()
    quarter = (today.month - 1) // 3 + 1
    with sessions() as session:
        assert payments.dossiers_paid_online_in_quarter(session, today.year, quarter) == 1
        assert payments.dossiers_paid_online(session, today - timedelta(days=1), today + timedelta(days=1)) == 1
        assert payments.dossiers_paid_online(session, date(2000, 1, 1), date(2000, 3, 31)) == 0


def test_a_model_asking_for_a_fee_under_a_name_that_is_no_name_is_refused(api):
    broken = read_model("cap_ban_sao_van_bang.bpmn").replace(
        b'name="payment_request" value="le_phi"', b'name="payment_request" value="le phi"')

    response = api.post("/api/v1/process-models/validation", user="admin",
                        data={"file": (io.BytesIO(broken), "cap_ban_sao_van_bang.bpmn")},
                        content_type="multipart/form-data")

    problems = response.get_json()["errors"]["problems"]
    assert [(p["code"], p["element"]) for p in problems] == [("payment_property_invalid", "Event_PaymentRequested")]


# --- the applicant's pages ----------------------------------------------------------------------

def test_the_payment_page_shows_the_fee_and_links_to_the_platform_s_page_with_the_right_check_only(
        api, payment_platform):
    code = waiting_for_fee(api)

    asked = api.client.get(f"/thanh-toan/{code}")
    wrong = api.client.get(f"/thanh-toan/{code}", query_string={"check": "0000"})
    right = api.client.get(f"/thanh-toan/{code}", query_string={"check": "4321"})

    assert asked.status_code == 200 and 'name="check"' in asked.get_data(as_text=True)
    assert "Không tìm thấy hồ sơ" in wrong.get_data(as_text=True) and "8.000" not in wrong.get_data(as_text=True)
    page = right.get_data(as_text=True)
    assert "8.000 đồng" in page
    [order] = payment_platform.orders.values()  # created now: the scheduler had not run yet
    assert f'href="{payment_platform.base}/paymentv2/pay/{order.token}"' in page
    lookup = api.client.get(f"/tra-cuu/{code}", query_string={"check": "4321"}).get_data(as_text=True)
    assert f"/thanh-toan/{code}?check=4321" in lookup


def test_the_return_page_believes_only_a_genuine_answer(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    fields = payment_platform.notification(payments_of(api, code)[0]["order_ref"])

    genuine = api.client.get("/thanh-toan/ket-qua", query_string=fields).get_data(as_text=True)
    forged = api.client.get("/thanh-toan/ket-qua", query_string={**fields, "vnp_Amount": "100"}).get_data(as_text=True)

    assert "đã thành công" in genuine and code in genuine
    assert "Không xác nhận được" in forged and "đã thành công" not in forged
    assert api.dossier(code)["status"] == 6  # the browser's return pays nothing: the notification does


def test_without_online_payment_the_page_says_to_pay_at_the_desk_and_notifications_find_no_order(api, app):
    app.config["MOTCUA"] = app.config["MOTCUA"].with_overrides(payment=None)
    code = waiting_for_fee(api)

    page = api.client.get(f"/thanh-toan/{code}", query_string={"check": "4321"}).get_data(as_text=True)

    assert "nộp lệ phí tại Bộ phận một cửa" in page and "Thanh toán trực tuyến" not in page
    assert ipn(api, {"vnp_TxnRef": f"{code}-1"}) == {"RspCode": "01", "Message": "Order not found"}


def test_the_procedure_s_fee_may_be_asked_instead_of_a_computed_one(api, sessions):
    assert api.put(f"/api/v1/procedures/{PROCEDURE}", user="admin", json={"fee_vnd": 12000}).status_code == 200
    code = api.receive(PROCEDURE)["code"]
    with sessions() as session, session.begin():
        dossier = get_dossier(session, code)
        payments.apply_element(session, dossier, CompletedElement(
            "Event_Fee", "Lệ phí", {"payment_request": "procedure_fee"}, {}), actor="test")
        for wrong in ("năm nghìn", 0, -5000, 5000.5, True, None):
            with pytest.raises(InvalidInput, match="whole, positive number"):
                payments.apply_element(session, dossier, CompletedElement(
                    "Event_Other", "Lệ phí", {"payment_request": "le_phi"}, {"le_phi": wrong}), actor="test")
    [asked] = payments_of(api, code)
    assert asked["amount_vnd"] == 12000 and asked["element"] == "Event_Fee"


def test_one_notification_delivered_twice_at_the_same_time_pays_once(api, sessions, payment_platform):
    code = waiting_for_fee(api)
    created(sessions, payment_platform.config())
    fields = payment_platform.notification(payments_of(api, code)[0]["order_ref"])
    start, answers = threading.Barrier(2), []

    def deliver() -> None:
        start.wait(5)
        answers.append(payment_notifications.handle(sessions, fields, payment_platform.config()))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(code for code, _ in answers) == ["00", "02"]
    [paid] = payments_of(api, code)
    assert len(paid["receipts"]) == 1 and api.dossier(code)["status"] == 4
