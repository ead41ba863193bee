"""/healthz tells the truth: 200 only when the database answers, 503 naming the failing part when
it does not, in the same shape, with a short reason and neither a stack trace nor a password."""

from __future__ import annotations

import pytest

from api import create_app
from tests.servers import LOCALHOST, free_port
from workflows.settings import Settings

PASSWORD = "hunter2-db-password"  # noqa: S105 - a test credential


def test_health_is_ok_when_the_database_answers(api):
    response = api.client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def unreachable_url(kind: str, tmp_path) -> str:
    if kind == "postgresql":  # a port nothing listens on
        return f"postgresql+psycopg://motcua:{PASSWORD}@{LOCALHOST}:{free_port()}/motcua"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'motcua.db'}"  # SQLite creates no folders


@pytest.mark.parametrize(("kind", "reason"), [
    ("postgresql", "Connection refused"),
    ("sqlite", "unable to open database file"),
])
def test_health_is_503_naming_the_database_when_it_cannot_be_reached(kind, reason, tmp_path):
    app = create_app(Settings(data_dir=tmp_path, database_url=unreachable_url(kind, tmp_path),
                              scheduler_enabled=False))
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["motcua_engine"].dispose()

    assert response.status_code == 503
    body = response.get_json()
    assert set(body) == {"status", "database"} and body["status"] == "unavailable"
    assert body["database"].startswith("unreachable: ") and reason in body["database"]
    assert len(body["database"]) < 250 and "\n" not in body["database"]
    assert PASSWORD not in response.get_data(as_text=True)
    assert "Traceback" not in body["database"] and "SELECT" not in body["database"]


def test_the_openapi_document_describes_both_answers_in_one_schema(api):
    operation = api.client.get("/api/openapi.json").get_json()["paths"]["/healthz"]["get"]

    assert operation["security"] == []
    assert set(operation["responses"]) >= {"200", "503"}
    schemas = {operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
               for status in ("200", "503")}
    assert schemas == {"#/components/schemas/Health"}
    assert "503" in operation["description"] and "unreachable" in operation["description"]
