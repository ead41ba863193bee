"""Dossiers the operations' browser tests work on, made through the served API: a transfer dossier at
a given step, a dossier whose timer leads into a failing script (an incident, from the server's own
scheduler), and the two-step test procedure whose dossiers migrate between versions."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import FIXTURES
from tests.e2e.test_server import call, login, multipart

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FEE_PROCEDURE = "PHI_HEN_GIO"  # the timed_fee model: a timer, then `fee = base_fee * 2` with no base_fee
GATEWAY_PROCEDURE = "RE_NHANH"  # the timed_gateway model: a timer, then a gateway on `amount`, which is missing
FAILING = {FEE_PROCEDURE: ("Thủ tục thử: tính phí sau hẹn giờ", "timed_fee"),
           GATEWAY_PROCEDURE: ("Thủ tục thử: rẽ nhánh sau hẹn giờ", "timed_gateway")}
TWO_STEPS_PROCEDURE = "HAI_BUOC"  # the two_steps model: tiep_nhan, then tham_dinh
APPLICANT = {"full_name": "Trần Thị Bình", "id_number": "079204005555", "phone": "0903111222"}


def deploy(base: str, filename: str, content: bytes) -> dict:
    body, content_type = multipart(filename, content)
    status, version = call(base, "POST", "/api/v1/process-models", login(base, "admin"), body, content_type)
    assert status in (200, 201), version
    return version


def ensure_procedure(base: str, code: str, name: str, model: str) -> None:
    """The test procedure `code` on the fixture model `model` (deployed and created once per server)."""
    admin = login(base, "admin")
    if call(base, "GET", f"/api/v1/procedures/{code}", admin)[0] == 200:
        return
    version = deploy(base, f"{model}.bpmn", (FIXTURES / "bpmn" / f"{model}.bpmn").read_bytes())
    status, body = call(base, "POST", "/api/v1/procedures", admin, body={
        "code": code, "name": name, "field": "Thử nghiệm", "processing_time_value": 5,
        "processing_time_unit": "working_days", "deciding_unit_code": "PHONG_GDTRH",
        "process_id": version["process_id"]})
    assert status == 201, body


def receive(base: str, procedure_code: str = "CHUYEN_TRUONG_THPT", data: dict | None = None) -> str:
    status, dossier = call(base, "POST", "/api/v1/dossiers", login(base, "desk"), body={
        "procedure_code": procedure_code, "channel": "in_person", "applicant": APPLICANT, "data": data or {}})
    assert status == 201, dossier
    return dossier["code"]


def complete(base: str, code: str, user: str, bpmn_id: str, data: dict | None = None) -> None:
    token = login(base, user)
    tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={code}", token)[1]
    task = next(t for t in tasks if t["bpmn_id"] == bpmn_id)
    status, body = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, body={"data": data or {}})
    assert status == 200, body


def open_tasks(base: str, code: str, user: str = "desk") -> list[str]:
    return [t["bpmn_id"] for t in call(base, "GET", f"/api/v1/tasks?dossier_code={code}", login(base, user))[1]]


def failing_dossier(base: str, procedure: str = FEE_PROCEDURE) -> tuple[str, dict]:
    """A dossier of a failing procedure (FAILING) whose timer falls due in a few seconds; the server's
    scheduler fires it, the step after it fails: returns the code and the incident it opened."""
    ensure_procedure(base, procedure, *FAILING[procedure])
    when = (datetime.now(ZONE) + timedelta(seconds=4)).isoformat(timespec="seconds")
    code = receive(base, procedure, {"when": when})
    admin = login(base, "admin")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [i for i in call(base, "GET", f"/api/v1/incidents?procedure_code={procedure}", admin)[1]
                 if i["dossier_code"] == code]
        if found:
            return code, found[0]
        time.sleep(0.5)
    raise AssertionError(f"no incident for {code} within 30 s")
