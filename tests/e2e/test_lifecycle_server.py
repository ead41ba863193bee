"""A real `motcua serve` process, a real SMTP server and a real SMS gateway: an applicant registers
online, the desk, the specialist and the leader work the dossier over HTTP, the result is ready
early, the server's scheduler delivers the notifications, and the applicant rates the dossier
through the link they received."""

from __future__ import annotations

import re
import urllib.request
from email import message_from_bytes, policy

from tests.conftest import BPMN_MODELS
from tests.e2e.test_server import call, cli, login, running_server
from tests.servers import TOKEN, wait_for


def complete(base: str, token: str, code: str, bpmn_id: str, data: dict) -> dict:
    _, tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={code}", token)
    task = next(t for t in tasks if t["bpmn_id"] == bpmn_id)
    status, body = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": data})
    assert status == 200, body
    return body


def test_an_online_dossier_runs_to_an_early_result_notifications_and_a_rating(server_env, mailbox, gateway):
    handler, email = mailbox
    server_env.update(MOTCUA_SMTP_HOST=email.host, MOTCUA_SMTP_PORT=str(email.port),
                      MOTCUA_SMTP_FROM="Sở GDĐT Sóc Trăng <motcua@sogddt.example.vn>",
                      MOTCUA_SMS_URL=gateway.url, MOTCUA_SMS_TOKEN=TOKEN, MOTCUA_OUTBOX_POLL_SECONDS="0.3")
    cli(server_env, "migrate")
    cli(server_env, "deploy-models", str(BPMN_MODELS))
    cli(server_env, "seed-demo")

    with running_server(server_env) as base:
        admin = login(base, "admin")
        status, _ = call(base, "PATCH", "/api/v1/agency", admin, {"public_url": base})
        assert status == 200
        status, _ = call(base, "PUT", "/api/v1/procedures/CHUYEN_TRUONG_THPT", admin,
                         {"processing_time_value": 10, "processing_time_unit": "working_days"})
        assert status == 200

        status, submitted = call(base, "POST", "/api/v1/public/dossiers", None, {
            "procedure_code": "CHUYEN_TRUONG_THPT",
            "applicant": {"full_name": "Phạm Thị Hoa", "id_number": "079300007777", "phone": "0912000111",
                          "email": "hoa.pham@example.vn"}})
        assert status == 201 and submitted["status"] == 1, submitted
        code = submitted["code"]

        desk, specialist, leader = login(base, "desk"), login(base, "specialist"), login(base, "leader")
        complete(base, desk, code, "check_dossier", {"check_result": "complete"})
        complete(base, specialist, code, "review", {"opinion": "approve"})
        complete(base, leader, code, "sign", {"decision": "approve"})
        complete(base, desk, code, "call_applicant", {"called": True, "note": "Đã gọi"})
        done = complete(base, desk, code, "return_result", {"return_method": "post",
                                                             "postal_tracking_number": "EL987654321VN"})
        assert done["dossier"]["status"] == 10

        def emails() -> list:
            return [message_from_bytes(e.original_content, policy=policy.default) for e in handler.envelopes]

        received = wait_for(lambda: len(emails()) >= 2 and emails(), 20)
        assert received, f"two emails expected, got {len(emails())}"
        subjects = [m["Subject"] for m in received]
        assert f"Hồ sơ {code}: đã có kết quả trước ngày hẹn" in subjects
        returned = next(m for m in received if "đánh giá" in m["Subject"])
        assert returned["To"] == "hoa.pham@example.vn"
        link = re.search(r"(http://\S+/danh-gia/\S+)", returned.get_content()).group(1)
        assert "EL987654321VN" in returned.get_content()
        sms = wait_for(lambda: len(gateway.requests) >= 2 and gateway.requests, 20)
        assert sms, f"two SMS expected, got {len(gateway.requests)}"
        assert {r.json()["to"] for r in sms} == {"+84912000111"}

        with urllib.request.urlopen(link, timeout=10) as page:
            assert "Đánh giá mức độ hài lòng" in page.read().decode()
        status, rating = call(base, "POST", f"/api/v1/public/dossiers/{code}/rating?check=0111", None,
                              {"level": "very_satisfied", "comment": "Nhận kết quả sớm, rất tốt"})
        assert status == 201, rating
        status, outbox = call(base, "GET", f"/api/v1/notifications/outbox?dossier_code={code}&status=sent", admin)
        assert status == 200 and outbox["total"] >= 4
