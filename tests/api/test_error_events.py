"""BPMN errors and escalations in a dossier's process, through the API."""

from __future__ import annotations

from tests.api.models_at_work import deploy, open_tasks, register
from tests.conftest import read_model

ERRORS = read_model("missing_documents_error.bpmn")


def test_missing_documents_thrown_as_an_error_take_the_boundary_s_way(api):
    deploy(api, ERRORS, "missing_documents_error.bpmn")
    register(api, "KIEM_TRA_LOI", "kiem_tra_co_loi")

    missing = api.receive("KIEM_TRA_LOI", data={"missing_documents": ["Học bạ"]})["code"]
    complete = api.receive("KIEM_TRA_LOI", data={"missing_documents": []})["code"]

    assert [t["bpmn_id"] for t in open_tasks(api, missing, "desk")] == ["request_supplement"]
    assert [t["bpmn_id"] for t in open_tasks(api, complete, "specialist")] == ["review"]
    assert api.complete(missing, "desk", "request_supplement")["dossier"]["status"] == 8


def test_an_error_nobody_catches_refuses_the_step_and_names_it(api):
    uncaught = ERRORS.replace(b'id="ErrorEventDefinition_1r7m0xs" errorRef="Error_missing"',
                              b'id="ErrorEventDefinition_1r7m0xs" errorRef="Error_other"')
    deploy(api, uncaught, "missing_documents_error.bpmn")
    register(api, "KIEM_TRA_LOI", "kiem_tra_co_loi")
    before = api.get("/api/v1/dossiers", user="desk").get_json()["total"]

    response = api.post("/api/v1/dossiers", user="desk", json={
        "procedure_code": "KIEM_TRA_LOI", "channel": "in_person",
        "applicant": {"full_name": "Nguyễn Văn An", "id_number": "079204001234", "phone": "0912345678"},
        "data": {"missing_documents": ["Học bạ"]}})

    body = response.get_json()
    assert response.status_code == 422
    assert body["code"] == "execution_failed"
    assert body["errors"]["element"] == "Event_missing"
    assert body["errors"]["error_code"] == "MISSING_DOCUMENTS"
    assert api.get("/api/v1/dossiers", user="desk").get_json()["total"] == before  # nothing was received


def test_an_urgent_review_escalates_to_a_leader_while_the_review_goes_on(api):
    deploy(api, "urgent_escalation.bpmn")
    register(api, "BAO_CAO_KHAN", "bao_cao_khan")

    code = api.receive("BAO_CAO_KHAN", data={"urgent": True})["code"]

    assert [t["bpmn_id"] for t in open_tasks(api, code, "leader")] == ["leader_attention"]
    assert [t["bpmn_id"] for t in open_tasks(api, code, "specialist")] == ["review"]
    api.complete(code, "leader", "leader_attention")
    assert api.complete(code, "specialist", "review")["dossier"]["status"] == 9
