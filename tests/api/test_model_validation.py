"""Checking a model without deploying it, and a process's list of versions (the process designer's page)."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.conftest import REVIEW_TIMER, read_model, with_review_timer

PARALLEL = read_model("parallel_review.bpmn")
TRANSFER = read_model("chuyen_truong_thpt.bpmn")


def validate(api, content: bytes, filename: str, user: str = "admin"):
    return api.post("/api/v1/process-models/validation", user=user, data={"file": (BytesIO(content), filename)},
                    content_type="multipart/form-data")


def versions(api, process_id: str, user: str = "admin"):
    return api.get(f"/api/v1/process-models/{process_id}/versions", user=user)


def test_a_valid_new_model_is_described_and_not_deployed(api):
    response = validate(api, PARALLEL, "parallel_review.bpmn")

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["process_id"] == "tham_dinh_song_song"
    assert body["lanes"] == ["desk_officer", "specialist", "leader"]
    assert sorted(t["bpmn_id"] for t in body["user_tasks"]) == ["hand_back", "intake", "leader_review",
                                                                "technical_review"]
    assert (body["latest_version"], body["differs_from_latest"], body["version"]) == (None, True, 1)
    listed = [m["process_id"] for m in api.get("/api/v1/process-models", user="admin").get_json()]
    assert "tham_dinh_song_song" not in listed
    assert versions(api, "tham_dinh_song_song").status_code == 404


def test_the_latest_version_validates_as_identical_and_an_edit_as_the_next_version(api):
    same = validate(api, TRANSFER, "chuyen_truong_thpt.bpmn").get_json()
    assert (same["process_id"], same["latest_version"], same["differs_from_latest"], same["version"]) == (
        "chuyen_truong_thpt", 1, False, 1)

    edited = TRANSFER.replace('name="Đã ký"'.encode(), 'name="Đã ký duyệt"'.encode())
    assert edited != TRANSFER
    changed = validate(api, edited, "chuyen_truong_thpt.bpmn").get_json()
    assert (changed["latest_version"], changed["differs_from_latest"], changed["version"]) == (1, True, 2)
    assert [v["version"] for v in versions(api, "chuyen_truong_thpt").get_json()] == [1]


def test_a_broken_timer_is_refused_naming_the_element_and_the_line(api):
    broken = with_review_timer("chuyen_truong_thpt.bpmn",
                               '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("review"</bpmn:timeDate>')

    response = validate(api, broken, "chuyen_truong_thpt.bpmn")

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "bpmn_invalid"
    assert body["errors"]["element"] == "Timer_ReviewOverdue"
    assert body["errors"]["file"] == "chuyen_truong_thpt.bpmn"
    line = broken.decode().splitlines().index(next(
        x for x in broken.decode().splitlines() if 'deadline("review"<' in x)) + 1
    assert body["errors"]["line"] == line
    assert "timeDate" in body["errors"]["detail"]


def test_a_dangling_sequence_flow_is_refused_naming_the_flow(api):
    broken = PARALLEL.replace(b'targetRef="hand_back"', b'targetRef="nowhere"')

    body = validate(api, broken, "parallel_review.bpmn").get_json()

    assert body["code"] == "bpmn_invalid"
    assert body["errors"]["element"] == "f8"
    assert isinstance(body["errors"]["line"], int)


def test_the_service_s_own_checks_apply_as_at_deployment(api):
    content = TRANSFER.decode()
    assert '<spiffworkflow:property name="dossier_status" value="2"/>' in content
    broken = content.replace('<spiffworkflow:property name="dossier_status" value="2"/>',
                             '<spiffworkflow:property name="dossier_status" value="11"/>', 1).encode()

    validated = validate(api, broken, "chuyen_truong_thpt.bpmn")
    deployed = api.deploy(broken, "chuyen_truong_thpt.bpmn")

    assert validated.status_code == deployed.status_code == 422
    assert validated.get_json()["errors"] == deployed.get_json()["errors"]
    assert validated.get_json()["errors"]["element"] == "Event_Received"


def test_an_upload_that_is_not_a_bpmn_file_is_refused(api):
    assert validate(api, b"hello", "notes.txt").status_code == 422
    missing = api.post("/api/v1/process-models/validation", user="admin", data={},
                       content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "file" in missing.get_json()["errors"]["files"]


@pytest.mark.parametrize("user", ["desk", "specialist", "leader", "clerk"])
def test_only_a_designer_may_validate(api, user):
    response = validate(api, PARALLEL, "parallel_review.bpmn", user=user)
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def test_the_versions_list_counts_the_dossiers_still_running_on_each_version(api):
    on_v1 = api.receive()["code"]
    edited = TRANSFER.replace(REVIEW_TIMER.encode(), REVIEW_TIMER.encode() + b"\n")
    deployed = api.deploy(edited, "chuyen_truong_thpt.bpmn", user="admin")
    assert (deployed.status_code, deployed.get_json()["version"]) == (201, 2)
    api.receive()

    response = versions(api, "chuyen_truong_thpt", user="desk")

    assert response.status_code == 200
    listed = response.get_json()
    assert [(v["version"], v["running_instances"]) for v in listed] == [(2, 1), (1, 1)]
    assert [v["deployed_by"] for v in listed] == ["admin", "test"]
    assert listed[0]["checksum"] != listed[1]["checksum"] and len(listed[0]["checksum"]) == 64
    assert listed[0]["deployed_at"].endswith("+07:00")

    api.complete(on_v1, "desk", "check_dossier", {"check_result": "refuse", "reason": "Hồ sơ không đúng thủ tục"})
    after = versions(api, "chuyen_truong_thpt", user="desk").get_json()
    assert [(v["version"], v["running_instances"]) for v in after] == [(2, 1), (1, 0)]


def test_the_versions_of_a_process_never_deployed_are_a_404(api):
    response = versions(api, "khong_ton_tai")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
