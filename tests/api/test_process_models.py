"""Deploying models through the API: new processes, versions, and files the engine must refuse."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from api import cli
from tests.conftest import BPMN_MODELS, read_model
from workflows.process_models import deploy_folder

PARALLEL = read_model("parallel_review.bpmn")


def make_procedure(api, code: str, process_id: str, lane_roles: dict | None = None):
    return api.post("/api/v1/procedures", user="admin", json={
        "code": code, "name": "Thủ tục thử nghiệm song song", "field": "Thử nghiệm",
        "processing_time_value": 3, "processing_time_unit": "working_days",
        "deciding_unit_code": "PHONG_GDTRH", "process_id": process_id, "lane_roles": lane_roles or {},
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}],
    })


def test_a_new_model_deployed_through_the_api_runs_to_its_end(api):
    deployed = api.deploy(PARALLEL, "parallel_review.bpmn")
    assert deployed.status_code == 201
    assert deployed.get_json()["process_id"] == "tham_dinh_song_song"
    assert deployed.get_json()["lanes"] == ["desk_officer", "specialist", "leader"]
    created = make_procedure(api, "THU_NGHIEM_SONG_SONG", "tham_dinh_song_song")
    assert created.status_code == 201, created.get_json()

    code = api.receive("THU_NGHIEM_SONG_SONG")["code"]
    after_intake = api.complete(code, "desk", "intake")
    assert sorted(t["bpmn_id"] for t in after_intake["next_tasks"]) == ["leader_review", "technical_review"]
    assert sorted(t["role"] for t in after_intake["next_tasks"]) == ["leader", "specialist"]
    after_leader = api.complete(code, "leader", "leader_review")
    assert [t["bpmn_id"] for t in after_leader["next_tasks"]] == ["technical_review"]
    after_join = api.complete(code, "specialist", "technical_review", {"score": 7})
    assert [t["bpmn_id"] for t in after_join["next_tasks"]] == ["hand_back"]
    api.complete(code, "desk", "hand_back")

    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert history[-1]["action"] == "instance.completed"
    completed = [e["data"]["bpmn_id"] for e in history if e["action"] == "task.completed"]
    assert sorted(completed) == ["hand_back", "intake", "leader_review", "technical_review"]


def test_deploying_identical_content_returns_the_existing_version(api):
    first = api.deploy(PARALLEL, "parallel_review.bpmn")
    again = api.deploy(PARALLEL, "parallel_review.bpmn")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["version"] == first.get_json()["version"] == 1
    listing = {m["process_id"]: m for m in api.get("/api/v1/process-models", user="desk").get_json()}
    assert listing["tham_dinh_song_song"]["version_count"] == 1


def test_running_dossiers_stay_on_the_version_they_started_with(api):
    api.deploy(PARALLEL, "parallel_review.bpmn")
    make_procedure(api, "THU_NGHIEM_SONG_SONG", "tham_dinh_song_song")
    on_v1 = api.receive("THU_NGHIEM_SONG_SONG")["code"]

    v2 = PARALLEL.replace('name="Trả kết quả"'.encode(), 'name="Trả kết quả (bản 2)"'.encode())
    assert v2 != PARALLEL
    deployed = api.deploy(v2, "parallel_review.bpmn")
    assert (deployed.status_code, deployed.get_json()["version"]) == (201, 2)
    on_v2 = api.receive("THU_NGHIEM_SONG_SONG")["code"]

    for code in (on_v1, on_v2):
        api.complete(code, "desk", "intake")
        api.complete(code, "leader", "leader_review")
        api.complete(code, "specialist", "technical_review", {"score": 5})
    assert api.open_task(on_v1, "desk", "hand_back")["name"] == "Trả kết quả"
    assert api.open_task(on_v2, "desk", "hand_back")["name"] == "Trả kết quả (bản 2)"
    for code in (on_v1, on_v2):
        assert api.complete(code, "desk", "hand_back")["next_tasks"] == []
    version_1 = api.get("/api/v1/process-models/tham_dinh_song_song/versions/1", user="desk").get_json()
    assert "Trả kết quả (bản 2)" not in version_1["bpmn_xml"]


def test_a_version_that_does_not_exist_is_a_404(api):
    response = api.get("/api/v1/process-models/chuyen_truong_thpt/versions/99", user="desk")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


@pytest.mark.parametrize("user", ["desk", "specialist", "leader", "clerk"])
def test_only_a_designer_may_deploy(api, user):
    response = api.deploy(PARALLEL, "parallel_review.bpmn", user=user)
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def test_a_file_that_is_not_bpmn_is_refused_with_file_and_line(api):
    response = api.deploy(b"<?xml version='1.0'?>\n<bpmn:definitions xmlns:bpmn='x'>\n<oops>\n", "broken.bpmn")

    body = response.get_json()
    assert response.status_code == 422
    assert body["code"] == "bpmn_invalid"
    assert body["errors"]["file"] == "broken.bpmn"
    assert body["errors"]["line"] >= 3
    assert "broken.bpmn" in body["message"]


def test_a_model_with_a_dangling_reference_names_the_element(api):
    broken = PARALLEL.replace(b'targetRef="hand_back"', b'targetRef="nowhere"')

    body = api.deploy(broken, "parallel_review.bpmn", user="admin").get_json()

    assert body["code"] == "bpmn_invalid"
    assert body["errors"]["element"] == "f8"
    assert "nowhere" in body["errors"]["detail"]
    assert isinstance(body["errors"]["line"], int)


def test_an_upload_without_a_bpmn_file_is_refused(api):
    from io import BytesIO

    response = api.post("/api/v1/process-models", user="admin", data={"file": (BytesIO(b"x"), "notes.txt")},
                        content_type="multipart/form-data")
    assert response.status_code == 422
    missing = api.post("/api/v1/process-models", user="admin", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "file" in missing.get_json()["errors"]["files"]


def test_a_procedure_whose_lanes_have_no_role_is_refused(api):
    renamed = PARALLEL.replace(b'name="leader"', b'name="Ban Gi\xc3\xa1m \xc4\x91\xe1\xbb\x91c"')
    api.deploy(renamed, "parallel_review.bpmn")

    refused = make_procedure(api, "THU_NGHIEM", "tham_dinh_song_song")
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["lane_roles"] == ["Ban Giám đốc"]
    mapped = make_procedure(api, "THU_NGHIEM", "tham_dinh_song_song", {"Ban Giám đốc": "leader"})
    assert mapped.status_code == 201


def test_a_procedure_for_a_model_never_deployed_is_refused(api):
    response = make_procedure(api, "THU_NGHIEM", "khong_ton_tai")
    assert response.status_code == 422
    assert response.get_json()["errors"]["process_id"] == "khong_ton_tai"


def test_deploying_the_bundled_models_again_keeps_a_designers_newer_version(api, sessions, database_url):
    edited = read_model("chuyen_truong_thpt.bpmn").replace("Kiểm tra hồ sơ".encode(), "Kiểm tra, đối chiếu".encode())
    newer = api.deploy(edited, "chuyen_truong_thpt.bpmn").get_json()["version"]

    # what `make run` does at every start
    result = CliRunner().invoke(cli.main, ["deploy-models", str(BPMN_MODELS)],
                                env={"MOTCUA_DATABASE_URL": database_url}, catch_exceptions=False)

    assert result.exit_code == 0 and "already deployed: chuyen_truong_thpt v1" in result.output, result.output
    with sessions() as session, session.begin():
        assert not any(created for _version, created in deploy_folder(session, BPMN_MODELS, actor="test"))
    latest = api.get("/api/v1/process-models", user="admin").get_json()
    assert {m["process_id"]: m["version"] for m in latest}["chuyen_truong_thpt"] == newer
