"""Every failure answers in one JSON shape, in Vietnamese or English, never with a stack trace."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.conftest import read_model

SHAPE = {"code", "status", "message", "errors"}


def test_an_unknown_address_is_a_404_in_the_error_shape(api):
    response = api.get("/api/v1/khong-co", user="desk")
    body = response.get_json()
    assert response.status_code == 404
    assert set(body) == SHAPE
    assert (body["code"], body["status"]) == ("not_found", 404)


def test_a_wrong_method_is_a_405_in_the_error_shape(api):
    response = api.client.delete("/api/v1/procedures", headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert response.status_code == 405
    assert set(response.get_json()) == SHAPE


def test_a_body_that_is_not_json_is_refused(api):
    response = api.post("/api/v1/dossiers", user="desk", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert set(response.get_json()) == SHAPE


def test_an_upload_over_the_limit_is_a_413(api, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = api.post("/api/v1/process-models", user="admin", data={"file": (BytesIO(b"x" * 4096), "big.bpmn")},
                        content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_messages_are_vietnamese_by_default_and_english_on_request(api):
    vietnamese = api.get("/api/v1/dossiers/KHONG-CO", user="desk").get_json()
    english = api.get("/api/v1/dossiers/KHONG-CO", user="desk",
                      headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()

    assert vietnamese["message"] == "Không tìm thấy đối tượng được yêu cầu."
    assert english["message"] == "Dossier 'KHONG-CO' does not exist."
    assert vietnamese["errors"]["dossier_code"] == english["errors"]["dossier_code"] == "KHONG-CO"


@pytest.mark.parametrize("bad_status", ["11", "0", "xong"])
def test_a_model_that_sets_an_unknown_dossier_status_is_refused(api, bad_status):
    model = read_model("chuyen_truong_thpt.bpmn").replace(
        b'name="dossier_status" value="4"', f'name="dossier_status" value="{bad_status}"'.encode())

    body = api.deploy(model, "chuyen_truong_thpt.bpmn").get_json()

    assert body["code"] == "bpmn_invalid"
    assert body["errors"]["element"] == "Event_HandedOver"


def test_an_unexpected_failure_is_a_500_without_a_stack_trace(api, app, monkeypatch):
    from workflows import procedures

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(procedures, "list_procedures", explode)
    response = api.get("/api/v1/procedures", user="desk")

    assert response.status_code == 500
    assert set(response.get_json()) == SHAPE
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
