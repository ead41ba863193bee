"""When the portal is down, slow, expires the session or refuses an event: nothing is lost, each
dossier's events arrive in order, an event sent twice is the same call twice, and the administrator
sees a refusal with the portal's answer and sends it again.

"Once" here: every event is delivered until the portal accepts it; it is sent again only when its
answer was lost (the portal's answer came too late, or the process died between sending and
recording), and then with the same data. The portal's double keeps every call it accepted: removing
exact repeats leaves the outbox's events, in order, each once.
"""

from __future__ import annotations

from datetime import timedelta

from engine.clock import utcnow
from tests.api.portal.support import LATER, call_of, deliver, events, review_and_sign
from workflows.portal import outbox
from workflows.portal.client import PortalClient


def distinct_in_order(calls) -> list:
    """The calls with each immediate repeat of the same call (the same service and data) removed."""
    kept = []
    for call in calls:
        service, body = call_of(call)
        key = (service, body["data"])
        if not kept or kept[-1] != key:
            kept.append(key)
    return kept


def written(sessions, code: str | None = None) -> list:
    return [(e.service, e.body["data"]) for e in events(sessions, code)]


def test_while_the_portal_is_down_nothing_is_lost_and_everything_arrives_once_in_order_when_it_is_back(
        api, portal, sessions, portal_client):
    portal.down()
    first = api.receive()["code"]
    second = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    review_and_sign(api, first)
    api.complete(second, "desk", "check_dossier", {"check_result": "complete"})
    now = utcnow()
    for hour in range(4):  # hours of outage: each try fails and is retried later, nothing is given up
        report = deliver(sessions, portal_client, now=now + timedelta(hours=hour))
        assert report.sent == 0 and report.failed == 0 and report.retrying >= 1
    waiting = events(sessions)
    assert {e.status for e in waiting} == {"pending"}
    assert all("cannot reach" in e.last_error for e in waiting if e.attempts)
    assert max(e.attempts for e in waiting) == 4
    # only the head of each dossier was tried: the others waited their turn
    assert sorted(e.id for e in waiting if e.attempts) == sorted(
        min(e.id for e in waiting if e.dossier.code == code) for code in (first, second))

    portal.up()
    report = deliver(sessions, portal_client, now=now + timedelta(hours=4) + LATER)

    assert (report.sent, report.failed) == (len(waiting), 0)
    assert {e.status for e in events(sessions)} == {"sent"}
    for code in (first, second):
        arrived = [call for call in portal.service_calls() if call.body["data"][0]["MaHoSo"] == code]
        assert distinct_in_order(arrived) == written(sessions, code)
        assert len(arrived) == len(written(sessions, code))  # no answer was lost: each event exactly once


def test_an_answer_lost_in_a_timeout_sends_the_same_event_again_never_a_different_one(api, portal, sessions):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    impatient = PortalClient(portal.config(timeout=0.5))
    portal.fail_next("slow", times=2)  # the portal does the work of the first two calls, then answers too late

    report = deliver(sessions, impatient)
    assert (report.sent, report.retrying) == (0, 1)
    later = deliver(sessions, impatient, now=utcnow() + LATER)
    again = deliver(sessions, impatient, now=utcnow() + 2 * LATER)

    assert later.sent + again.sent == 4 and again.failed == 0
    first_tries = [c for c in portal.service_calls() if c.body["data"] == events(sessions, code)[0].body["data"]]
    assert len(first_tries) >= 2  # sent again: its answer was lost
    assert {str(c.body["data"]) for c in first_tries} == {str(events(sessions, code)[0].body["data"])}
    # the portal had created the dossier: the same record is sent again, as an update
    assert [c.body["isUpdating"] for c in first_tries] == ["False", "False", "False", "True"]
    assert distinct_in_order(portal.accepted()) == written(sessions, code)
    assert [r["TrangThaiHoSo"] for r in portal.history[code]] == ["2", "2", "4"]


def test_a_process_that_died_while_sending_leaves_its_event_to_be_sent_after_the_lease(api, portal, sessions,
                                                                                       portal_client):
    code = api.receive()["code"]
    now = utcnow()
    with sessions() as session, session.begin():
        claimed = outbox._claim(session, now, limit=50)  # ...and the process dies before sending
    assert [c.id for c in claimed] == [events(sessions, code)[0].id]

    assert deliver(sessions, portal_client, now=now + timedelta(minutes=1)).sent == 0  # leased: nobody sends it
    report = deliver(sessions, portal_client, now=now + outbox.LEASE + timedelta(seconds=1))

    assert report.sent == 2 and [e.status for e in events(sessions, code)] == ["sent", "sent"]
    assert distinct_in_order(portal.service_calls()) == written(sessions, code)


def test_an_expired_session_means_logging_in_again_not_a_failure(api, portal, sessions, portal_client):
    code = api.receive()["code"]
    deliver(sessions, portal_client)
    portal.expire_sessions()
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})

    report = deliver(sessions, portal_client)

    assert (report.sent, report.failed, report.retrying) == (2, 0, 0)
    assert portal.logins() == 2
    assert [c.answer["error_code"] for c in portal.service_calls()] == ["00", "00", "-1", "00", "00"]


def test_a_refusal_shows_with_the_portals_answer_holds_the_dossier_back_and_is_sent_again(api, portal, sessions,
                                                                                          portal_client):
    refused = api.receive()["code"]
    api.complete(refused, "desk", "check_dossier", {"check_result": "complete"})
    portal.fail_next("error")

    report = deliver(sessions, portal_client)
    assert report.failed == 1 and report.sent == 0
    other = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    assert deliver(sessions, portal_client).sent == 2  # another dossier goes on

    page = api.get("/api/v1/portal/events", user="admin", query_string={"status": "failed"}).get_json()
    assert page["total"] == 1
    failure = page["items"][0]
    assert failure["dossier_code"] == refused and failure["service"] == "DongBoHoSoMC"
    assert failure["portal_error_code"] == "99"
    assert failure["portal_message"] == "Lỗi hệ thống khi đồng bộ: vui lòng thử lại sau"
    summary = api.get("/api/v1/portal", user="admin").get_json()
    assert summary["enabled"] is True and summary["counts"] == {"pending": 3, "sending": 0, "sent": 2, "failed": 1}
    assert [e.status for e in events(sessions, refused)] == ["failed", "pending", "pending", "pending"]
    assert api.post(f"/api/v1/portal/events/{failure['id']}/resend", user="desk").status_code == 403

    resent = api.post(f"/api/v1/portal/events/{failure['id']}/resend", user="admin")
    assert resent.status_code == 200 and resent.get_json()["status"] == "pending"
    assert deliver(sessions, portal_client).sent == 4

    assert {e.status for e in events(sessions)} == {"sent"}
    arrived = [c for c in portal.accepted() if c.body["data"][0]["MaHoSo"] == refused]
    assert distinct_in_order(arrived) == written(sessions, refused)
    log = api.get("/api/v1/audit-events", user="admin", query_string={"action_prefix": "portal."}).get_json()
    assert [(e["action"], e["actor"], e["subject"]) for e in log["items"]] == [
        ("portal.resent", "admin", str(failure["id"]))]
    assert other in portal.dossiers


def test_a_missing_national_code_is_refused_and_sent_again_once_the_administrator_records_it(api, portal, sessions,
                                                                                             portal_client):
    assert api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin", json={"national_code": ""}).status_code == 200
    code = api.receive()["code"]
    deliver(sessions, portal_client)
    failed = api.get("/api/v1/portal/events", user="admin", query_string={"dossier_code": code}).get_json()["items"]
    first = failed[-1]
    assert first["status"] == "failed" and first["portal_message"] == "Thiếu trường bắt buộc: MaTTHC"
    detail = api.get(f"/api/v1/portal/events/{first['id']}", user="admin").get_json()
    assert detail["body"]["data"][0]["MaTTHC"] == "" and detail["body"]["data"][0]["SoGiayToChuHoSo"] == "*********234"

    edited = api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
                     json={"national_code": "2.000875", "field_code": "G03-GD10"})
    assert edited.get_json()["national_code"] == "2.000875"
    assert api.post(f"/api/v1/portal/events/{first['id']}/resend", user="admin").status_code == 200
    assert deliver(sessions, portal_client).sent == 2

    assert portal.dossiers[code]["MaTTHC"] == "2.000875"
    assert api.post(f"/api/v1/portal/events/{first['id']}/resend", user="admin").status_code == 409  # sent
