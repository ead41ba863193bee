"""The app on each database, a client that logs in as the demo users, and seeded demo data."""

from __future__ import annotations

import pytest

from api import create_app
from tests.conftest import BPMN_MODELS
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo
from workflows.settings import Settings

# Specialists work the dossiers their unit decides: "specialist" (Phòng Giáo dục trung học) the
# transfers, "khaothi" (Phòng Khảo thí và Quản lý chất lượng) the diploma copies.
SPECIALIST_OF = {"CAP_BAN_SAO_VAN_BANG": "khaothi"}


class ApiClient:
    """The Flask test client, logging in as a demo user on demand (tokens are cached per user).

    In `open_task` and `complete`, the user "specialist" stands for the specialist of the unit that
    decides the dossier (`SPECIALIST_OF`).
    """

    def __init__(self, client):
        self.client = client
        self._tokens: dict[str, str] = {}

    def token(self, username: str, password: str = "demo") -> str:
        if username not in self._tokens:
            response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self._tokens[username] = response.get_json()["access_token"]
        return self._tokens[username]

    def _headers(self, user: str | None, headers: dict | None) -> dict:
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return headers

    def get(self, path: str, user: str | None = None, headers: dict | None = None, **kwargs):
        return self.client.get(path, headers=self._headers(user, headers), **kwargs)

    def post(self, path: str, user: str | None = None, headers: dict | None = None, **kwargs):
        return self.client.post(path, headers=self._headers(user, headers), **kwargs)

    def put(self, path: str, user: str | None = None, headers: dict | None = None, **kwargs):
        return self.client.put(path, headers=self._headers(user, headers), **kwargs)

    # --- the steps of a dossier ------------------------------------------------------------

    def receive(self, procedure_code: str = "CHUYEN_TRUONG_THPT", **overrides) -> dict:
        body = {
            "procedure_code": procedure_code,
            "channel": "in_person",
            "applicant": {"full_name": "Nguyễn Văn An", "id_number": "079204001234", "phone": "0912345678",
                          "email": "an.nguyen@example.vn", "address": "12 Lê Lợi, Phường 1"},
            "data": {"student_name": "Nguyễn Minh Khoa"},
            **overrides,
        }
        response = self.post("/api/v1/dossiers", user="desk", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def specialist_for(self, dossier_code: str, user: str) -> str:
        if user != "specialist":
            return user
        procedure = self.get(f"/api/v1/dossiers/{dossier_code}", user="desk").get_json()["procedure_code"]
        return SPECIALIST_OF.get(procedure, user)

    def open_task(self, dossier_code: str, user: str, bpmn_id: str) -> dict:
        user = self.specialist_for(dossier_code, user)
        response = self.get("/api/v1/tasks", user=user, query_string={"dossier_code": dossier_code})
        assert response.status_code == 200, response.get_json()
        matching = [t for t in response.get_json() if t["bpmn_id"] == bpmn_id]
        assert matching, f"no open task {bpmn_id} for {user}: {response.get_json()}"
        return matching[0]

    def complete(self, dossier_code: str, user: str, bpmn_id: str, data: dict | None = None) -> dict:
        user = self.specialist_for(dossier_code, user)
        task = self.open_task(dossier_code, user, bpmn_id)
        response = self.post(f"/api/v1/tasks/{task['id']}/complete", user=user, json={"data": data or {}})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def return_result(self, dossier_code: str, data: dict | None = None) -> dict:
        """Return the result; a result ready before the due day first has the desk call the applicant."""
        open_tasks = self.get("/api/v1/tasks", user="desk", query_string={"dossier_code": dossier_code}).get_json()
        if any(t["bpmn_id"] == "call_applicant" for t in open_tasks):
            self.complete(dossier_code, "desk", "call_applicant", {"called": True})
        return self.complete(dossier_code, "desk", "return_result", data or {"return_method": "in_person"})

    def dossier(self, code: str) -> dict:
        response = self.get(f"/api/v1/dossiers/{code}", user="desk")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def deploy(self, content: bytes, filename: str, user: str = "admin"):
        from io import BytesIO

        return self.post("/api/v1/process-models", user=user, data={"file": (BytesIO(content), filename)},
                         content_type="multipart/form-data")


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    # Tokens last a week: tests that move the clock over days keep their logins.
    return Settings(data_dir=tmp_path, database_url=database_url, scheduler_enabled=False,
                    token_ttl_minutes=7 * 24 * 60)


@pytest.fixture
def app(settings, sessions):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["motcua_engine"].dispose()


@pytest.fixture
def seeded(sessions):
    with sessions() as session, session.begin():
        deploy_folder(session, BPMN_MODELS, actor="test")
        seed_demo(session)


@pytest.fixture
def api(app, seeded) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def bare_api(app) -> ApiClient:
    """A client on an empty database (no demo data)."""
    return ApiClient(app.test_client())
