"""Deploying a test model and registering a procedure that runs it, for the API tests of what models do."""

from __future__ import annotations

from tests.conftest import read_model

# The lanes of the models in tests/fixtures/bpmn that are not named after a role
LANE_ROLES = {"Bộ phận một cửa": "desk_officer", "Phòng chuyên môn": "specialist",
              "Các phòng chuyên môn": "specialist", "Lãnh đạo Sở": "leader"}


def deploy(api, model: str | bytes, filename: str | None = None) -> dict:
    content = read_model(model) if isinstance(model, str) else model
    response = api.deploy(content, filename or (model if isinstance(model, str) else "model.bpmn"))
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def register(api, code: str, process_id: str, *, processing_days: int = 3) -> None:
    """A procedure of the transfers' unit (the user "specialist" works its specialist tasks)."""
    response = api.post("/api/v1/procedures", user="admin", json={
        "code": code, "name": f"Thủ tục thử nghiệm {code}", "field": "Thử nghiệm",
        "processing_time_value": processing_days, "processing_time_unit": "working_days",
        "deciding_unit_code": "PHONG_GDTRH", "process_id": process_id, "lane_roles": LANE_ROLES,
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}],
    })
    assert response.status_code == 201, response.get_json()


def history(api, code: str) -> list[dict]:
    response = api.get(f"/api/v1/dossiers/{code}/history", user="desk")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def open_tasks(api, code: str, user: str) -> list[dict]:
    return api.get("/api/v1/tasks", user=user, query_string={"dossier_code": code}).get_json()
