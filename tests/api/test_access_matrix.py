"""Every endpoint × every role (and anonymous), generated from the API's own route list: an
endpoint without an access rule fails here, and each rule is checked against what the server does.

Authorization does not depend on the database, so the matrix runs on SQLite only.
"""

from __future__ import annotations

import re

import pytest

from api.security import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS, Access
from workflows.auth import create_user

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# the demo users standing for each role (admin also holds designer; "designer_only" holds only that)
ROLE_USERS = {"admin": "admin", "designer": "designer_only", "desk_officer": "desk", "specialist": "specialist",
              "leader": "leader", "clerk": "clerk"}
# endpoints whose service decides about the particular object (a task's role, the roles a model names
# for a message): an allowed role may still get 403 for an object that is not theirs, never 401
OBJECT_RULES = {"tasks.TaskById", "tasks.ClaimTask", "tasks.UnclaimTask", "tasks.CompleteTask",
                "dossiers.DossierMessages"}


def api_operations(app) -> list[tuple[str, str, str]]:
    operations = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & set(METHODS)):
            operations.append((rule.endpoint, method, rule.rule))
    return operations


def access_rule(app, endpoint: str, method: str) -> Access | None:
    view = app.view_functions[endpoint]
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    return getattr(handler, "access", None)


def is_public(app, endpoint: str) -> bool:
    blueprint = endpoint.split(".", 1)[0] if "." in endpoint else None
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS


@pytest.fixture
def sqlite_only(db_kind):
    if db_kind != "sqlite":
        pytest.skip("authorization does not depend on the database")


@pytest.fixture
def world(api, sessions, sqlite_only) -> dict:
    """Objects for the path parameters: a dossier of the specialist's unit with an open task."""
    with sessions() as session, session.begin():
        create_user(session, username="designer_only", password="demo", full_name="Thiết kế quy trình",
                    roles=["designer"], demo=True)
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")
    return {"code": code, "task_id": task["id"], "process_id": "chuyen_truong_thpt", "number": "1",
            "day": "2027-02-13", "kind": "refused", "channel": "sms", "message_id": "1", "attachment_id": "1",
            "form": "receipt", "username": "clerk", "name": "portal", "incident_id": "1",
            "decision_id": "le_phi_ban_sao", "event_id": "1", "result_id": "0" * 32, "id_number": "079204001234"}


def path_of(rule: str, world: dict) -> str:
    def value(match: re.Match) -> str:
        name = match[1]
        assert name in world, f"no value for the parameter {name} of {rule}"
        return world[name]

    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", value, rule)


def test_every_api_endpoint_has_an_access_rule(app):
    missing = [f"{method} {rule} ({endpoint})" for endpoint, method, rule in api_operations(app)
               if not is_public(app, endpoint) and access_rule(app, endpoint, method) is None]
    assert missing == [], "endpoints without a rule: requires(...) or signed_in"


def test_each_endpoint_answers_each_role_as_its_rule_says(app, api, world):
    wrong = []
    for endpoint, method, rule in api_operations(app):
        if endpoint in ("auth.Logout", "auth.Login"):
            continue  # logging out would end the matrix's own sessions; login is public
        path = path_of(rule, world)
        public = is_public(app, endpoint)
        access = access_rule(app, endpoint, method)
        anonymous = api.client.open(path, method=method, json={}).status_code
        if not public and anonymous != 401:
            wrong.append(f"{method} {path} anonymous: {anonymous}, expected 401")
        if public:
            continue
        for role, user in ROLE_USERS.items():
            status = api.client.open(path, method=method, json={},
                                     headers={"Authorization": f"Bearer {api.token(user)}"}).status_code
            holds = {"admin": {"admin", "designer"}}.get(role, {role})
            allowed = access.roles is None or bool(holds & access.roles)
            if allowed and (status == 401 or (status == 403 and endpoint not in OBJECT_RULES)):
                wrong.append(f"{method} {path} as {role}: {status}, expected to be let in")
            if not allowed and status != 403:
                wrong.append(f"{method} {path} as {role}: {status}, expected 403")
    assert wrong == []


def test_an_api_token_reaches_only_the_endpoints_of_its_scopes(app, api, world):
    created = api.post("/api/v1/api-tokens", user="admin", json={"name": "cong-thong-tin", "scopes": ["reports:read"]})
    assert created.status_code == 201, created.get_json()
    token = created.get_json()["token"]
    assert token.startswith("mcapi_")
    headers = {"Authorization": f"Bearer {token}"}

    reachable = []
    for endpoint, method, rule in api_operations(app):
        access = access_rule(app, endpoint, method)
        if is_public(app, endpoint) or access is None or endpoint == "auth.Logout":
            continue
        status = api.client.open(path_of(rule, world), method=method, json={}, headers=headers).status_code
        if status not in (401, 403):
            reachable.append(endpoint)
    assert sorted(set(reachable)) == ["reports.Indicators", "reports.Statistics", "reports.StatisticsWorkbook"]
