"""Decision 766's self-assessment over dossiers written with known times, channels, digitised copies,
signed results and ratings: every value and every point checked against numbers worked out by hand,
the quarter's edges taken in Asia/Ho_Chi_Minh (UTC+7), and the targets and points an administrator sets."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from workflows.models import (
    ApplicantDocument,
    AttachmentBlob,
    DocumentReuse,
    Dossier,
    DossierAttachment,
    IssuedResult,
    Procedure,
    Rating,
)
from workflows.payment_models import PaymentOrder, PaymentReceipt

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ID_NUMBER = "079204001234"


def vn(*parts) -> datetime:
    return datetime(*parts, tzinfo=VN)


def write_dossier(session, code: str, *, received: datetime, channel: str = "in_person",
                  resolved: datetime | None = None, outcome: str | None = None, due: datetime | None = None,
                  status: int | None = None) -> Dossier:
    procedure = session.scalars(select(Procedure).where(Procedure.code == "CHUYEN_TRUONG_THPT")).one()
    status = status or (10 if resolved else 4)
    dossier = Dossier(code=code, procedure_id=procedure.id, applicant_name="Nguyễn Văn An",
                      applicant_id_number=ID_NUMBER, channel=channel, submitted_at=received, received_at=received,
                      due_at=due or received + timedelta(days=30), status=status,
                      status_changed_at=resolved or received, handed_over_at=None if status == 3 else received,
                      resolved_at=resolved, outcome=outcome, received_by="desk", data={})
    session.add(dossier)
    session.flush()
    return dossier


def blob(session, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    if session.get(AttachmentBlob, digest) is None:
        session.add(AttachmentBlob(sha256=digest, size=len(content), content=content))
        session.flush()
    return digest


def digitise(session, dossier: Dossier) -> ApplicantDocument:
    entry = ApplicantDocument(id_number=ID_NUMBER, kind="digitised", document_name="Học bạ", dossier_id=dossier.id,
                              sha256=blob(session, b"scan"), filename="hoc-ba.pdf", signer_subject="CN=Sở",
                              recorded_by="desk", recorded_at=dossier.received_at)
    session.add(entry)
    session.flush()
    return entry


def reuse(session, dossier: Dossier, stored: ApplicantDocument) -> None:
    attachment = DossierAttachment(dossier_id=dossier.id, category="document", document_name="Học bạ",
                                   filename="hoc-ba.pdf", content_type="application/pdf", size=4,
                                   sha256=stored.sha256, uploaded_by="desk", uploaded_at=dossier.received_at)
    session.add(attachment)
    session.flush()
    session.add(DocumentReuse(dossier_id=dossier.id, applicant_document_id=stored.id, attachment_id=attachment.id,
                              document_name="Học bạ", reused_by="desk", reused_at=dossier.received_at))


def issue_result(session, dossier: Dossier) -> None:
    session.add(IssuedResult(public_id=f"r{dossier.id:031d}", dossier_id=dossier.id, kind="decision",
                             title="Quyết định", filename="quyet-dinh.pdf", sha256=blob(session, b"result"), size=6,
                             signer_subject="CN=Sở", signed_at=dossier.resolved_at, validation={}, issued_by="leader"))


def pay(session, dossier: Dossier, method: str) -> None:
    """A fee asked (an order) and paid, online or at the desk."""
    order = PaymentOrder(dossier_id=dossier.id, order_ref=f"{dossier.code}-1", amount_vnd=50_000,
                         description="Lệ phí", message_name="fee_paid", status="paid", gateway_status="created",
                         next_attempt_at=dossier.received_at, created_by="desk", created_at=dossier.received_at,
                         paid_at=dossier.received_at)
    session.add(order)
    session.flush()
    session.add(PaymentReceipt(order_id=order.id, dossier_id=dossier.id, kind="payment", method=method,
                               amount_vnd=50_000, transaction_no=f"T{dossier.id}" if method == "online" else None,
                               paid_at=dossier.received_at, recorded_by="desk", recorded_at=dossier.received_at))


def rate(session, dossier: Dossier, level: str) -> None:
    session.add(Rating(dossier_id=dossier.id, level=level, rated_at=dossier.resolved_at))


@pytest.fixture
def quarter_of_dossiers(api, sessions):
    """The first quarter of 2026, worked out by hand:

    received in it (from 2026-01-01 00:00 to 2026-03-31 24:00 in Hanoi's time): d1 d2 d3 d4 d5 = 5
      (not d6, received 00:15 on 1 April there though 31 March in UTC; not d7, 23:00 on 31 December
      there; not d8, refused at the desk)
      online d1 d4 = 2 (40%); digitised d1 d5, reused d2 = 3 (60%); reused d2 = 1 (20%)
      a fee to pay d1 d3, paid online d1 = 1 of 2 (50%); d6's online payment falls in April
    resolved in it: d1 early, d2 on time, d3 late, d7 on time = 4; with a signed result d1 d2 d7 = 3 (75%);
      rated not satisfied d2 = 1 → (4 − 1) / 4 = 75%
      processing days 2 + 4 + 7.25 + 1.5 = 14.75 → 3.6875, shown 3.69
    in progress at its end: d4 within the deadline, d5 overdue
    on time: (1 early + 2 on time + 1 within) / (4 resolved + 2 in progress) = 66.67%
    """
    with sessions() as session, session.begin():
        d1 = write_dossier(session, "D1", received=vn(2026, 1, 1, 0, 30), channel="online",
                           resolved=vn(2026, 1, 3, 0, 30), outcome="early")
        d2 = write_dossier(session, "D2", received=vn(2026, 2, 2, 8), resolved=vn(2026, 2, 6, 8), outcome="on_time")
        d3 = write_dossier(session, "D3", received=vn(2026, 3, 2, 8), channel="post", resolved=vn(2026, 3, 9, 14),
                           outcome="late")
        write_dossier(session, "D4", received=vn(2026, 3, 31, 23, 30), channel="online", due=vn(2026, 4, 10, 17))
        d5 = write_dossier(session, "D5", received=vn(2026, 3, 10, 8), due=vn(2026, 3, 20, 17))
        d6 = write_dossier(session, "D6", received=vn(2026, 4, 1, 0, 15), channel="online", due=vn(2026, 4, 10, 17))
        d7 = write_dossier(session, "D7", received=vn(2025, 12, 31, 23), resolved=vn(2026, 1, 2, 11), outcome="on_time")
        write_dossier(session, "D8", received=vn(2026, 1, 5, 9), status=3)
        stored = digitise(session, d1)
        digitise(session, d5)
        digitise(session, d6)
        reuse(session, d2, stored)
        for dossier in (d1, d2, d7):
            issue_result(session, dossier)
        pay(session, d1, "online")
        pay(session, d3, "desk")
        pay(session, d6, "online")
        rate(session, d1, "very_satisfied")
        rate(session, d2, "not_satisfied")
        rate(session, d3, "satisfied")
    return api


def indicators(api, user="leader", **query):
    with time_machine.travel(vn(2026, 4, 5, 9), tick=False):
        response = api.get("/api/v1/reports/indicators", user=user, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def by_code(report) -> dict:
    return {row["code"]: row for group in report["groups"] for row in group["indicators"]}


def test_each_computable_indicator_matches_the_hand_computed_quarter(quarter_of_dossiers):
    report = indicators(quarter_of_dossiers, year=2026, quarter=1)
    rows = by_code(report)

    assert (report["from"], report["to"], report["timezone"]) == ("2026-01-01", "2026-03-31", "Asia/Ho_Chi_Minh")
    values = {code: (row["numerator"], row["denominator"], row["value"], row["points"]) for code, row in rows.items()
              if row["known"]}
    assert values == {
        "on_time": (4, 6, 66.67, 13.33),
        "average_processing_time": (14.75, 4, 3.69, 0.0),
        "digitised_dossiers": (3, 5, 60.0, 4.8),
        "electronic_results": (3, 4, 75.0, 6.0),
        "reused_data": (1, 5, 20.0, 1.2),
        "online_dossiers": (2, 5, 40.0, 4.8),
        "online_payment": (1, 2, 50.0, 5.0),
        "dossier_satisfaction": (3, 4, 75.0, 4.5),
    }
    assert [(g["code"], g["decision_points"], g["max_points"], g["points"]) for g in report["groups"]] == [
        ("publicity", 18, 18, 0), ("progress", 20, 20, 13.33), ("digitisation", 22, 22, 12.0),
        ("online", 22, 22, 9.8), ("satisfaction", 18, 18, 4.5)]
    assert (report["max_points"], report["points"], report["known_max_points"], report["unknown_max_points"]) == (
        100, 39.63, 70, 30)


def test_what_the_service_cannot_know_is_marked_and_never_given_a_value(quarter_of_dossiers):
    rows = by_code(indicators(quarter_of_dossiers, year=2026, quarter=1))
    unknown = {code: row for code, row in rows.items() if not row["known"]}

    assert sorted(unknown) == ["feedback_on_time", "feedback_satisfaction", "procedures_published",
                               "public_information"]
    for row in unknown.values():
        assert (row["value"], row["points"], row["numerator"]) == (None, None, None)
        assert row["reason"]
    assert rows["online_payment"]["max_points"] == 10
    assert rows["on_time"]["formula"].startswith("(Số hồ sơ đã giải quyết trước hạn, đúng hạn")
    assert rows["dossier_satisfaction"]["note"]  # complaints are not subtracted: said beside the value


def test_the_answer_is_in_english_on_request(quarter_of_dossiers):
    with time_machine.travel(vn(2026, 4, 5, 9), tick=False):
        response = quarter_of_dossiers.get("/api/v1/reports/indicators", user="admin",
                                           query_string={"year": 2026, "quarter": 1},
                                           headers={"Accept-Language": "en"})
    report = response.get_json()
    assert report["groups"][1]["name"] == "Progress and results"
    assert by_code(report)["online_payment"]["name"] == "Fees paid online"


def test_the_quarters_edges_are_midnight_in_hanoi_not_in_utc(quarter_of_dossiers):
    fourth_2025 = by_code(indicators(quarter_of_dossiers, year=2025, quarter=4))
    second_2026 = by_code(indicators(quarter_of_dossiers, year=2026, quarter=2))
    year_2026 = by_code(indicators(quarter_of_dossiers, year=2026))

    assert fourth_2025["online_dossiers"]["denominator"] == 1  # d7 only
    assert fourth_2025["electronic_results"]["denominator"] == 0  # d7 was resolved in January
    assert (second_2026["online_dossiers"]["numerator"], second_2026["online_dossiers"]["denominator"]) == (1, 1)
    assert second_2026["digitised_dossiers"]["value"] == 100.0  # d6
    assert (year_2026["online_dossiers"]["numerator"], year_2026["online_dossiers"]["denominator"]) == (3, 6)


def test_with_nothing_to_count_a_rate_has_no_value_and_no_points_and_says_why(quarter_of_dossiers):
    second = indicators(quarter_of_dossiers, year=2026, quarter=2)
    row = by_code(second)["electronic_results"]

    assert (row["known"], row["value"], row["points"], row["denominator"]) == (True, None, None, 0)
    assert row["reason"] == "Không có hồ sơ nào trong kỳ để tính chỉ số này."
    assert second["unknown_max_points"] == 30 + 8 + 6  # and the satisfaction rate, with nothing resolved
    assert by_code(second)["online_payment"]["value"] == 100.0  # d6, paid online


def test_an_administrators_targets_and_points_change_the_score_and_are_in_the_change_log(quarter_of_dossiers):
    api = quarter_of_dossiers
    response = api.put("/api/v1/reports/indicator-settings", user="admin", json={"indicators": [
        {"code": "on_time", "target": 60},
        {"code": "public_information", "points": 9},
        {"code": "average_processing_time", "points": 5, "target": 3},
    ]})
    assert response.status_code == 200, response.get_json()
    saved = {row["code"]: row for row in response.get_json()["indicators"]}
    assert (saved["on_time"]["target"], saved["on_time"]["default_target"]) == (60, 100)
    assert response.get_json()["updated_by"] == "admin"

    rows = by_code(indicators(api, year=2026, quarter=1))
    assert rows["on_time"]["points"] == 20  # 66.67% is above the target of 60%
    assert rows["average_processing_time"]["points"] == 4.07  # 5 × 3 / 3.69 days
    assert rows["public_information"]["max_points"] == 9

    log = api.get("/api/v1/audit-events", user="admin", query_string={"action_prefix": "indicators."}).get_json()
    assert [item["action"] for item in log["items"]] == ["indicators.updated"]
    assert log["items"][0]["data"]["changes"]["on_time.target"] == {"from": 100, "to": 60}
    assert log["items"][0]["data"]["changes"]["average_processing_time.points"] == {"from": 0, "to": 5}


def test_points_that_do_not_add_up_to_100_or_a_scored_indicator_without_target_are_refused(api):
    too_many = api.put("/api/v1/reports/indicator-settings", user="admin",
                       json={"indicators": [{"code": "on_time", "points": 25}]})
    no_target = api.put("/api/v1/reports/indicator-settings", user="admin", json={"indicators": [
        {"code": "public_information", "points": 10}, {"code": "average_processing_time", "points": 4}]})
    unknown = api.put("/api/v1/reports/indicator-settings", user="admin",
                      json={"indicators": [{"code": "speed", "points": 1}]})
    rate_over_100 = api.put("/api/v1/reports/indicator-settings", user="admin",
                            json={"indicators": [{"code": "on_time", "target": 120}]})

    assert too_many.status_code == 422
    assert "105" in too_many.get_json()["errors"]["detail"]
    assert no_target.status_code == 422 and "target" in no_target.get_json()["errors"]["detail"]
    assert unknown.status_code == 422 and unknown.get_json()["errors"]["field"] == "indicators.0.code"
    assert rate_over_100.status_code == 422
    assert api.get("/api/v1/reports/indicator-settings", user="leader").get_json()["updated_by"] is None


def test_only_the_dashboards_roles_read_the_indicators_and_only_an_administrator_sets_them(api):
    assert api.get("/api/v1/reports/indicators", user="desk", query_string={"year": 2026}).status_code == 403
    assert api.get("/api/v1/reports/indicators", user="clerk", query_string={"year": 2026}).status_code == 200
    assert api.put("/api/v1/reports/indicator-settings", user="leader",
                   json={"indicators": [{"code": "on_time", "target": 90}]}).status_code == 403
    assert api.get("/api/v1/reports/indicators", user="leader",
                   query_string={"year": 2026, "quarter": 5}).status_code == 422
    assert api.get("/api/v1/reports/indicators", user="leader", query_string={"quarter": 1}).status_code == 422
