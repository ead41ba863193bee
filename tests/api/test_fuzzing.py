"""Fuzz every operation of the OpenAPI document with schemathesis, anonymously and as each demo user.

Each case schemathesis generates from /api/openapi.json (valid and invalid data) is sent without a
token and then with the bearer token of each demo user (admin, desk, specialist, leader, clerk).
Every response must be below 500, and every error must be the one JSON shape
{code, status, message, errors} (a PDF, HTML or xlsx success is fine).

Half of the time the identifiers a case carries (dossier codes and their check digits, task,
attachment and outbox message ids, procedure codes, process versions, ...) are replaced by ones
that exist, so that cases get past the 404 to the code behind it.

Short by default, for `make test`; `make fuzz` runs it long. Environment:

    MOTCUA_FUZZ_EXAMPLES  cases per operation, each sent as the six callers (default 5)
    MOTCUA_FUZZ_SEED      the seed, or `random` (default: a fixed one, so `make test` is repeatable)
    MOTCUA_FUZZ_COVERAGE  1: also schemathesis' coverage phase (boundary values, wrong methods)

The fuzzing has its own SQLite database, set up once for this module (the cases of one operation
see what the earlier ones created); the other tests' databases are not touched.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import tempfile
import traceback
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup

import migrations
from api import create_app
from tests.api.conftest import ApiClient
from tests.conftest import BPMN_MODELS
from workflows.models import RateLimitHit
from workflows.printouts import DOSSIER_FORMS
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo
from workflows.settings import Settings

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES") or 5)
_seed = os.environ.get("MOTCUA_FUZZ_SEED") or "20260101"
SEED = random.SystemRandom().getrandbits(32) if _seed == "random" else int(_seed)
COVERAGE = (os.environ.get("MOTCUA_FUZZ_COVERAGE") or "0").lower() in ("1", "true", "yes", "on")

ROLES = (None, "admin", "desk", "specialist", "leader", "clerk")  # None: no token
ERROR_KEYS = {"code", "status", "message", "errors"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "079204001234", "phone": "0912345678"}
CHECKS = ["1234", "5678"]  # the last four digits of the applicant's ID number and phone (also ApiClient.receive's)



# --- the document ---------------------------------------------------------------------------

def _openapi_document() -> dict:
    """The app's own OpenAPI document, read at collection time (building it needs no database)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), database_url="sqlite://", scheduler_enabled=False))
        response = app.test_client().get("/api/openapi.json")
        app.extensions["motcua_engine"].dispose()
    assert response.status_code == 200, response.data
    return _with_file_parameters_in_the_body(response.get_json())


def _with_file_parameters_in_the_body(document: dict) -> dict:
    """The document with each `in: formData` parameter (OpenAPI 2, not valid in OpenAPI 3: schemathesis
    never sends it) moved into a multipart/form-data request body, so that the upload is fuzzed too.
    Does nothing once the document describes its uploads as OpenAPI 3 does."""
    document = copy.deepcopy(document)
    schemas = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            files = [p for p in operation.get("parameters", []) if p.get("in") == "formData"] \
                if isinstance(operation, dict) else []
            if not files:
                continue
            operation["parameters"] = [p for p in operation["parameters"] if p.get("in") != "formData"]
            content = operation.get("requestBody", {}).get("content", {})
            form = next(iter(content.values()), {}).get("schema", {"type": "object"})
            form = copy.deepcopy(schemas[form["$ref"].rsplit("/", 1)[-1]] if "$ref" in form else form)
            form.setdefault("properties", {}).update({p["name"]: p["schema"] for p in files})
            form["required"] = sorted({*form.get("required", []), *(p["name"] for p in files if p.get("required"))})
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": form}}}
    return document


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES, "database": "none"},
    "phases": {"coverage": {"enabled": COVERAGE}},
}))


# --- the checks -----------------------------------------------------------------------------

def one_error_shape(ctx, response, case):
    """An error response is JSON with exactly code, status, message and errors."""
    if response.status_code < 400:
        return None
    content_type = next((v[0] for k, v in response.headers.items() if k.lower() == "content-type"), "")
    assert content_type.split(";")[0].strip() == "application/json", (
        f"the {response.status_code} error is not JSON but {content_type or 'untyped'}: {response.text[:300]!r}")
    body = response.json()
    assert isinstance(body, dict) and set(body) == ERROR_KEYS, (
        f"the {response.status_code} error is not {{code, status, message, errors}}: {response.text[:300]!r}")
    assert body["status"] == response.status_code, f"status {body['status']!r} in a {response.status_code} response"
    assert isinstance(body["code"], str) and body["code"], f"code {body['code']!r} is not a non-empty string"
    assert isinstance(body["message"], str) and body["message"], f"message {body['message']!r} is not a sentence"
    assert isinstance(body["errors"], dict), f"errors {body['errors']!r} is not an object"
    return None


class _Tracebacks(logging.Handler):
    """What the app logs with a traceback (api.errors.handle_unexpected, for every 500)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record):
        if record.exc_info:
            self.records.append("".join(traceback.format_exception(*record.exc_info)))


# --- the world the cases reach --------------------------------------------------------------

@dataclass
class World:
    app: Flask
    client: ApiClient
    tracebacks: _Tracebacks
    dossier_codes: list[str] = field(default_factory=list)
    procedure_codes: list[str] = field(default_factory=list)
    process_versions: list[tuple[str, int]] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    attachment_ids: list[int] = field(default_factory=list)
    exception_days: list[str] = field(default_factory=list)
    templates: list[tuple[str, str]] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    calendar_settings: dict = field(default_factory=dict)
    usernames: list[str] = field(default_factory=list)
    api_token_names: list[str] = field(default_factory=list)

    def headers(self, role: str | None, *, fresh: bool = False) -> dict:
        if role is None:
            return {}
        if fresh:  # a token of its own, for a request that revokes it
            response = self.client.client.post("/api/v1/auth/login", json={"username": role, "password": "demo"})
            assert response.status_code == 200, response.get_json()
            return {"Authorization": f"Bearer {response.get_json()['access_token']}"}
        return {"Authorization": f"Bearer {self.client.token(role)}"}

    def _path_values(self, path: str, name: str) -> list:
        if name == "code":
            return self.procedure_codes if path.startswith("/api/v1/procedures/") else self.dossier_codes
        if name == "name" and path.startswith("/api/v1/api-tokens/"):
            return self.api_token_names
        return {
            "process_id": sorted({process_id for process_id, _ in self.process_versions}),
            "number": sorted({number for _, number in self.process_versions}),
            "kind": sorted({kind for kind, _ in self.templates}),
            "channel": sorted({channel for _, channel in self.templates}),
            "task_id": self.task_ids, "attachment_id": self.attachment_ids, "form": list(DOSSIER_FORMS),
            "day": self.exception_days, "message_id": self.message_ids, "username": self.usernames,
        }.get(name, [])

    def _query_values(self, name: str) -> list:
        known = {"check": CHECKS, "dossier_code": self.dossier_codes, "procedure_code": self.procedure_codes}
        return known.get(name, [])

    def with_known_values(self, case) -> st.SearchStrategy:
        """The case, with each identifier it carries replaced half of the time by one that exists."""

        @st.composite
        def strategy(draw):
            def maybe(values: list, value, label: str):
                return draw(st.sampled_from(values), label=label) if values and draw(st.booleans()) else value

            if case.path_parameters:
                case.path_parameters = {name: maybe(self._path_values(case.path, name), value, name)
                                        for name, value in case.path_parameters.items()}
                if case.path_parameters.get("username") in ROLES and self.usernames:
                    # the users the cases are sent as keep their password, roles and tokens
                    case.path_parameters["username"] = self.usernames[0]
            if case.query:
                case.query = {name: maybe(self._query_values(name), value, name) for name, value in case.query.items()}
            if isinstance(case.body, dict) and "procedure_code" in case.body:
                case.body = {**case.body, "procedure_code": maybe(self.procedure_codes, case.body["procedure_code"],
                                                                  "procedure_code")}
            return case

        return strategy()

    def calendar_works(self):
        """Calendar settings a case changed must still give a due date (the response of that); then
        the world's own are put back, so that one case's settings do not break the cases after it."""
        due_date = self.client.get("/api/v1/calendar/due-date", user="desk", query_string={
            "received_at": "2030-03-04T09:00:00+07:00", "value": 2, "unit": "working_days"})
        restored = self.client.put("/api/v1/calendar/settings", user="admin", json=self.calendar_settings)
        assert restored.status_code == 200, restored.get_json()
        return due_date

    def reset_rate_limits(self) -> None:
        """Each case starts with no public request counted, so that later cases are not all 429."""
        with self.app.extensions["motcua_engine"].begin() as connection:
            connection.execute(sa.delete(RateLimitHit))


def _build_world(app: Flask, tracebacks: _Tracebacks) -> World:
    """Demo data and a dossier at each stage: received, in review, returned (may be rated), withdrawing,
    registered online; an attachment, a calendar exception, the outbox the notifications filled, a user
    and an API token that the cases may change (the demo users they are sent as stay as they are)."""
    api = ApiClient(app.test_client())
    world = World(app=app, client=api, tracebacks=tracebacks)

    received = api.receive()["code"]
    in_review = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    api.complete(in_review, "desk", "check_dossier", {"check_result": "complete"})
    returned = api.receive()["code"]
    api.complete(returned, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(returned, "specialist", "review", {"opinion": "approve", "note": "Đủ điều kiện"})
    api.complete(returned, "leader", "sign", {"decision": "approve"})
    api.return_result(returned)
    withdrawing = api.receive()["code"]
    response = api.post(f"/api/v1/public/dossiers/{withdrawing}/withdrawal", query_string={"check": CHECKS[1]},
                        json={"reason": "Không còn nhu cầu"})
    assert response.status_code == 200, response.get_json()
    response = api.post("/api/v1/public/dossiers", json={"procedure_code": "CHUYEN_TRUONG_THPT",
                                                         "applicant": APPLICANT})
    assert response.status_code == 201, response.get_json()
    world.dossier_codes = [received, in_review, returned, withdrawing, response.get_json()["code"]]

    response = api.post(f"/api/v1/dossiers/{received}/attachments", user="desk", content_type="multipart/form-data",
                        data={"file": (BytesIO(PDF), "Học bạ.pdf"), "document_name": "Học bạ"})
    assert response.status_code == 201, response.get_json()
    world.attachment_ids = [response.get_json()["id"]]
    response = api.post("/api/v1/calendar/exceptions", user="admin",
                        json={"date": "2031-01-02", "kind": "day_off", "reason": "Nghỉ bù"})
    assert response.status_code == 201, response.get_json()
    world.exception_days = ["2031-01-02", "2031-01-03"]
    world.calendar_settings = api.get("/api/v1/calendar/settings", user="admin").get_json()

    world.procedure_codes = [p["code"] for p in api.get("/api/v1/procedures", user="admin").get_json()]
    world.process_versions = [(m["process_id"], m["version"])
                              for m in api.get("/api/v1/process-models", user="admin").get_json()]
    world.task_ids = sorted({t["id"] for role in ROLES[1:] for t in api.get("/api/v1/tasks", user=role).get_json()})
    world.templates = [(t["kind"], t["channel"])
                       for t in api.get("/api/v1/notifications/templates", user="admin").get_json()]
    world.message_ids = [m["id"] for m in api.get("/api/v1/notifications/outbox", user="admin").get_json()["items"]]
    if "/api/v1/users" in DOCUMENT["paths"]:
        response = api.post("/api/v1/users", user="admin", json={
            "username": "fuzz.target", "full_name": "Người dùng thử", "password": "Mat-khau-2031-fuzz",
            "roles": ["specialist"], "unit_code": "PHONG_GDTRH"})
        assert response.status_code == 201, response.get_json()
        world.usernames = ["fuzz.target"]
    if "/api/v1/api-tokens" in DOCUMENT["paths"]:
        response = api.post("/api/v1/api-tokens", user="admin", json={"name": "fuzz-integration",
                                                                      "scopes": ["reports:read"]})
        assert response.status_code == 201, response.get_json()
        world.api_token_names = ["fuzz-integration"]
    for name in ("procedure_codes", "process_versions", "task_ids", "templates", "message_ids"):
        assert getattr(world, name), f"the fuzzing world has no {name}"
    return world


_WORLDS: list[World] = []  # the world of the running module, for the hook below


@schema.hook
def flatmap_case(context, case):
    return _WORLDS[-1].with_known_values(case) if _WORLDS else st.just(case)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{data_dir / 'motcua.db'}"
    migrations.upgrade(url)
    app = create_app(Settings(data_dir=data_dir, database_url=url, scheduler_enabled=False,
                              token_ttl_minutes=24 * 60))
    app.config["TESTING"] = True
    tracebacks = _Tracebacks()
    logging.getLogger("api.errors").addHandler(tracebacks)
    weasyprint = logging.getLogger("weasyprint")
    weasyprint_level = weasyprint.level
    weasyprint.setLevel(logging.ERROR)  # fuzzed text has characters no font has: a warning for each
    try:
        with app.extensions["motcua_sessions"]() as session, session.begin():
            deploy_folder(session, BPMN_MODELS, actor="test")
            seed_demo(session)
        _WORLDS.append(_build_world(app, tracebacks))
        yield _WORLDS[-1]
    finally:
        _WORLDS.clear()
        logging.getLogger("api.errors").removeHandler(tracebacks)
        weasyprint.setLevel(weasyprint_level)
        app.extensions["motcua_engine"].dispose()


# --- the fuzzing ----------------------------------------------------------------------------

@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_errors_in_the_one_shape(case, world):
    world.reset_rate_limits()
    revokes_token = case.path == "/api/v1/auth/logout"
    for role in ROLES:
        headers = world.headers(role, fresh=revokes_token)
        before = len(world.tracebacks.records)
        response = case.call(app=world.app, headers=headers)
        logged = world.tracebacks.records[before:]
        caller = f"{case.operation.label} {'as ' + role if role else 'without a token'} (MOTCUA_FUZZ_SEED={SEED})"
        try:
            case.validate_response(response, checks=[not_a_server_error, one_error_shape], headers=headers)
        except FailureGroup as failure:
            raise FailureGroup(list(failure.exceptions), "\n".join(
                [f"{caller}: {failure.message}", *(f"The app logged:\n{text}" for text in logged)])) from None
        if case.operation.label == "PUT /api/v1/calendar/settings" and response.status_code < 300:
            before = len(world.tracebacks.records)
            due_date = world.calendar_works()
            logged = world.tracebacks.records[before:]
            if due_date.status_code >= 500:
                pytest.fail("\n".join([f"{caller}: the calendar settings were accepted ({response.text}), then"
                                       f" GET /api/v1/calendar/due-date gave {due_date.status_code}",
                                       *(f"The app logged:\n{text}" for text in logged)]), pytrace=False)
