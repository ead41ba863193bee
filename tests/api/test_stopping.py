"""Stopping a dossier's processing (status 8) with the notice of Circular 03/2025's form 05: who may,
on which grounds (an administrator's data), what it does to the process, the applicant and the record."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.api.test_dossier_lifecycle import history, kinds_sent, statuses_of

AUTHORITY = "authority_request"
LETTER = "Công văn số 125/TTr ngày 02/12/2026 của Thanh tra tỉnh đề nghị dừng để xác minh học bạ."


def under_review(api) -> tuple[str, dict]:
    """A dossier received and checked, waiting for the specialist's review."""
    code = api.receive()["code"]
    tasks = api.get("/api/v1/tasks", user="desk", query_string={"dossier_code": code}).get_json()
    if any(t["bpmn_id"] == "check_dossier" for t in tasks):
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    return code, api.open_task(code, "specialist", "review")


def stop(api, code: str, user: str = "leader", **body):
    return api.post(f"/api/v1/dossiers/{code}/stop", user=user, json=body)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def test_a_leader_stops_a_dossier_under_review_its_process_ends_and_the_applicant_gets_form_05(api):
    code, review = under_review(api)

    response = stop(api, code, ground=AUTHORITY, details=LETTER)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == 8
    assert statuses_of(api, code)[-1] == 8
    specialist = api.specialist_for(code, "specialist")
    assert api.get(f"/api/v1/tasks/{review['id']}", user=specialist).get_json()["state"] == "cancelled"
    actions = [e["action"] for e in history(api, code)]
    assert "instance.terminated" in actions and "instance.completed" not in actions
    changed = [e for e in history(api, code) if e["action"] == "dossier.status_changed"][-1]
    assert changed["data"]["ground"] == AUTHORITY and changed["actor"] == "leader"

    notices = api.get(f"/api/v1/dossiers/{code}/notices", user="desk").get_json()
    assert [(n["kind"], n["ground"], n["reason"]) for n in notices] == [("stop", AUTHORITY, LETTER)]
    assert ("stop_notice", "email") in kinds_sent(api, code)
    email = next(m for m in api.get("/api/v1/notifications/outbox", user="admin",
                                    query_string={"dossier_code": code}).get_json()["items"]
                 if m["kind"] == "stop_notice" and m["channel"] == "email")
    assert "Căn cứ: Theo yêu cầu bằng văn bản của cơ quan nhà nước có thẩm quyền" in email["body"]

    by_number = api.get(f"/api/v1/dossiers/{code}/forms/05", user="desk")
    by_name = api.get(f"/api/v1/dossiers/{code}/forms/stop-notice", user="desk")
    assert by_number.status_code == by_name.status_code == 200
    text = pdf_text(by_name.data)
    for expected in ("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Mẫu số 05", code, "Công văn số 125/TTr",
                     "Căn cứ dừng giải quyết: Theo yêu cầu bằng văn bản của cơ quan nhà nước có thẩm quyền"):
        assert expected in text


def test_a_stopped_dossier_is_not_resolved_nor_worked_and_cannot_be_stopped_again(api):
    code, review = under_review(api)
    assert stop(api, code, ground="applicant_request").status_code == 200

    dossier = api.dossier(code)
    assert dossier["status"] == 8 and dossier.get("resolved_at") is None
    month = dossier["received_at"][:7]
    totals = api.get("/api/v1/reports/statistics", user="leader", query_string={"month": month}).get_json()["totals"]
    assert (totals["received"], totals["resolved"], totals["in_progress"]) == (1, 0, 0)
    again = stop(api, code, ground="applicant_request")
    assert again.status_code == 409
    specialist = api.specialist_for(code, "specialist")
    late = api.post(f"/api/v1/tasks/{review['id']}/complete", user=specialist, json={"data": {}})
    assert late.status_code in (404, 409)


def test_only_the_roles_the_rules_name_may_stop_a_dossier_and_an_administrator_changes_them(api):
    code, _ = under_review(api)
    refused = stop(api, code, user="desk", ground="applicant_request")
    assert refused.status_code == 403
    assert "Lãnh đạo" in refused.get_json()["message"]

    rules = api.get("/api/v1/stopping-rules", user="desk").get_json()
    assert rules["roles"] == ["leader", "admin"]
    changed = api.put("/api/v1/stopping-rules", user="admin", json={"roles": ["leader", "admin", "desk_officer"]})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["grounds"] == rules["grounds"]  # what was not sent is kept
    assert api.put("/api/v1/stopping-rules", user="leader", json={"roles": ["leader"]}).status_code == 403

    assert stop(api, code, user="desk", ground="applicant_request").status_code == 200
    logged = api.get("/api/v1/audit-events", user="admin", query_string={"action": "stopping.updated"}).get_json()
    assert logged["items"][0]["data"]["changes"]["roles"]["to"] == ["leader", "admin", "desk_officer"]


@pytest.mark.parametrize("body, field", [
    ({"ground": "no_such_ground"}, "ground"),
    ({"ground": AUTHORITY}, "details"),  # this ground needs the request it rests on
    ({"ground": AUTHORITY, "details": "x" * 2001}, "details"),
    ({}, "ground"),
])
def test_a_stop_without_a_known_ground_or_its_details_is_refused_naming_the_field(api, body, field):
    code, _ = under_review(api)
    response = stop(api, code, **body)
    assert response.status_code == 422
    assert field in str(response.get_json()), response.get_json()
    assert api.dossier(code)["status"] == 4  # nothing changed


def test_an_administrator_adds_a_ground_and_it_is_used_by_its_code(api):
    grounds = api.get("/api/v1/stopping-rules", user="admin").get_json()["grounds"]
    added = {"code": "court_decision", "vi": "Theo bản án, quyết định của Tòa án", "en": "By a court's decision",
             "details_required": True}
    assert api.put("/api/v1/stopping-rules", user="admin", json={"grounds": [*grounds, added]}).status_code == 200
    code, _ = under_review(api)
    assert stop(api, code, ground="court_decision", details="Quyết định số 12/2026/QĐ-TA").status_code == 200
    text = pdf_text(api.get(f"/api/v1/dossiers/{code}/forms/stop-notice", user="desk").data)
    assert "Theo bản án, quyết định của Tòa án" in text


@pytest.mark.parametrize("rules, field", [
    ({"roles": ["wizard"]}, "roles"),
    ({"roles": []}, "roles"),
    ({"grounds": [{"code": "a", "vi": "A", "en": "A"}, {"code": "a", "vi": "B", "en": "B"}]}, "grounds.1.code"),
    ({"grounds": [{"code": "a", "vi": "", "en": "A"}]}, "grounds"),
    ({"grounds": []}, "grounds"),
])
def test_rules_that_cannot_be_used_are_refused_and_the_old_ones_kept(api, rules, field):
    before = api.get("/api/v1/stopping-rules", user="admin").get_json()
    response = api.put("/api/v1/stopping-rules", user="admin", json=rules)
    assert response.status_code == 422
    assert field in str(response.get_json()), response.get_json()
    assert api.get("/api/v1/stopping-rules", user="admin").get_json() == before


def test_form_04_keeps_its_old_name_apology_and_is_also_reached_by_its_number(api):
    code, _ = under_review(api)
    for name in ("apology", "apology-extension", "04"):
        response = api.get(f"/api/v1/dossiers/{code}/forms/{name}", user="desk")
        errors = response.get_json()["errors"]  # none yet: the form does not apply
        assert response.status_code == 409 and (errors["form"], errors["reason"]) == ("apology-extension", "no_apology")
