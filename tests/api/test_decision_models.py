"""Decision tables through the API: upload, versions, download, validation, and business rule tasks
of deployed models running the version bound when the model was deployed."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner

from api import cli
from tests.conftest import BPMN_MODELS
from tests.decision_tables import DMN12, bpmn_calling, dmn
from workflows.timers import fire_due_timers

VN = ZoneInfo("Asia/Ho_Chi_Minh")

DISHES = [(('"Winter"', "<= 8"), '"Stew"'), (('"Winter","Spring"', "> 8"), '"Roastbeef"'), (("-", "-"), '"Salad"')]
DISH = dmn(DISHES, hit_policy="FIRST")
DISH_V2 = dmn([(('"Winter"', "-"), '"Soup"'), (("-", "-"), '"Salad"')], hit_policy="FIRST")


def upload(api, content: bytes, filename: str = "mon_an.dmn", path: str = "/api/v1/decision-models",
           user: str = "admin", **headers):
    return api.post(path, user=user, data={"file": (BytesIO(content), filename)},
                    content_type="multipart/form-data", headers=headers)


def deployed_decisions(api) -> list[str]:
    return [d["decision_id"] for d in api.get("/api/v1/decision-models", user="admin").get_json()]


def make_procedure(api, process_id: str = "decide_dish") -> None:
    response = api.post("/api/v1/procedures", user="admin", json={
        "code": "CHON_MON", "name": "Thủ tục thử nghiệm bảng quyết định", "field": "Thử nghiệm",
        "processing_time_value": 3, "processing_time_unit": "working_days", "deciding_unit_code": "PHONG_GDTRH",
        "process_id": process_id, "lane_roles": {},
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}]})
    assert response.status_code == 201, response.get_json()


def receive(api, data: dict) -> str:
    return api.receive("CHON_MON", data=data)["code"]


def test_a_decision_is_deployed_listed_and_downloaded_in_versions(api):
    first = upload(api, DISH)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["decision_id"], body["version"], body["hit_policy"], body["aggregation"]) == ("dish", 1, "FIRST",
                                                                                              None)
    assert body["inputs"] == [{"label": "Season", "expression": "season"}, {"label": "Guests", "expression": "guests"}]
    assert body["outputs"] == [{"name": "dish", "label": "Dish", "values": []}]
    assert (body["rule_count"], body["deployed_by"], body["filename"]) == (3, "admin", "mon_an.dmn")

    again = upload(api, DISH)
    assert (again.status_code, again.get_json()["version"]) == (200, 1)
    second = upload(api, DISH_V2)
    assert (second.status_code, second.get_json()["version"]) == (201, 2)

    listing = api.get("/api/v1/decision-models", user="desk").get_json()
    assert [(d["decision_id"], d["version"], d["version_count"]) for d in listing] == [
        ("dish", 2, 2), ("le_phi_ban_sao", 1, 1)]  # and the diploma copy's fee table, shipped
    versions = api.get("/api/v1/decision-models/dish/versions", user="desk").get_json()
    assert [(v["version"], v["used_by"]) for v in versions] == [(2, []), (1, [])]
    detail = api.get("/api/v1/decision-models/dish/versions/1", user="desk").get_json()
    assert detail["dmn_xml"].encode() == DISH
    assert api.get("/api/v1/decision-models/dish/versions/3", user="desk").status_code == 404
    assert api.get("/api/v1/decision-models/nothing/versions", user="desk").status_code == 404


def test_each_deployment_is_audited(api):
    upload(api, DISH)
    upload(api, DISH)  # the same content: nothing deployed, nothing recorded
    events = api.get("/api/v1/audit-events", user="admin", query_string={"action": "decision.deployed",
                                                                         "subject": "dish"})
    assert events.status_code == 200, events.get_json()
    assert [(e["action"], e["data"]["version"], e["actor"]) for e in events.get_json()["items"]] == [
        ("decision.deployed", 1, "admin")]


@pytest.mark.parametrize("user", ["desk", "specialist", "leader"])
def test_only_a_designer_may_deploy_or_validate_a_decision(api, user):
    assert upload(api, DISH, user=user).status_code == 403
    assert upload(api, DISH, path="/api/v1/decision-models/validation", user=user).status_code == 403


def test_a_file_that_is_not_dmn_is_refused(api):
    response = upload(api, DISH, filename="mon_an.bpmn")
    assert (response.status_code, response.get_json()["code"]) == (422, "invalid_input")


def test_a_table_with_cells_outside_feel_is_refused_listing_every_cell_in_the_one_error_shape(api):
    bad = dmn([(('date("2020-01-01")', "-"), '"a"'), (("-", "[1..]"), '"b"')])

    response = upload(api, bad)

    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["status"]) == ("dmn_invalid", 422)
    assert body["message"] == "Tệp DMN 'mon_an.dmn' không hợp lệ; xem chi tiết (dòng, ô của bảng quyết định)."
    assert body["errors"]["element"] == "UnaryTests_1_1"
    assert [p["element"] for p in body["errors"]["problems"]] == ["UnaryTests_1_1", "UnaryTests_2_2"]
    assert body["errors"]["detail"].startswith("Rule 1, input column 'Season'")
    assert "dish" not in deployed_decisions(api)
    english = upload(api, bad, **{"Accept-Language": "en"}).get_json()
    assert english["message"].startswith("Rule 1, input column 'Season'")


def test_a_refused_tables_problems_are_told_in_the_readers_language_with_a_fix(api):
    bad = dmn([(('date("2020-01-01")', "-"), '"a"')], hit_policy="FIRST", aggregation="SUM")

    vi = upload(api, bad).get_json()["errors"]["problems"]
    en = upload(api, bad, **{"Accept-Language": "en"}).get_json()["errors"]["problems"]

    assert [p["message"] for p in vi] == [
        "Phép gộp SUM chỉ đi với chính sách khớp COLLECT, không đi với FIRST.",
        vi[1]["message"]]
    assert vi[1]["message"].startswith("Quy tắc 1, cột đầu vào 'Season': không chuyển được 'date(\"2020-01-01\")'")
    assert vi[0]["hint"] == "Chọn chính sách COLLECT, hoặc bỏ phép gộp."
    assert vi[1]["hint"].startswith("Ô điều kiện viết bằng FEEL")
    assert en[0]["message"] == "The aggregation SUM goes with the hit policy COLLECT, not FIRST."
    assert en[1]["message"].startswith("Rule 1, input column 'Season': 'date(\"2020-01-01\")' cannot be translated")
    assert all(set(p) == {"severity", "code", "element", "line", "message", "hint"} for p in vi + en)


def test_validation_reads_the_table_and_shows_its_translations_without_saving(api):
    response = upload(api, dmn(DISHES, ns=DMN12, hit_policy="COLLECT"), path="/api/v1/decision-models/validation")

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["decision_id"], body["dmn_version"], body["hit_policy"], body["version"]) == ("dish", "1.2",
                                                                                               "COLLECT", 1)
    assert (body["latest_version"], body["differs_from_latest"], body["rule_count"]) == (None, True, 3)
    assert {"element": "UnaryTests_2_1", "kind": "unary_test", "dialect": "feel", "original": '"Winter","Spring"',
            "python": 'feel_in(?, ["Winter", "Spring"])'} in body["translations"]
    assert "dish" not in deployed_decisions(api)


def test_a_model_calling_a_decision_not_deployed_is_refused_naming_it(api):
    response = api.deploy(bpmn_calling(), "chon_mon.bpmn")

    assert response.status_code == 422
    assert response.get_json()["errors"]["element"] == "decide"
    assert "calls the decision 'dish', which is not deployed" in response.get_json()["errors"]["detail"]


def test_a_business_rule_task_runs_the_decision_and_the_dossier_shows_its_result(api):
    upload(api, DISH)
    deployed = api.deploy(bpmn_calling(shown="dish"), "chon_mon.bpmn")
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["decisions"] == [{"decision_id": "dish", "version": 1, "elements": ["decide"]}]
    make_procedure(api)

    code = receive(api, {"season": "Winter", "guests": 10})

    assert api.dossier(code)["data"]["dish"] == "Roastbeef"
    assert api.complete(code, "desk", "work")["next_tasks"] == []
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert history[-1]["action"] == "instance.completed"
    versions = api.get("/api/v1/decision-models/dish/versions", user="desk").get_json()
    assert versions[0]["used_by"] == [{"process_id": "decide_dish", "version": 1}]


def test_a_new_decision_version_binds_into_the_next_model_version_and_running_dossiers_keep_theirs(api):
    upload(api, DISH)
    model = bpmn_calling(after_work=True, shown="dish")
    assert api.deploy(model, "chon_mon.bpmn").status_code == 201
    make_procedure(api)
    on_v1 = receive(api, {"season": "Winter", "guests": 2})

    upload(api, DISH_V2)
    redeployed = api.deploy(model, "chon_mon.bpmn")  # the same file: a new version, bound to dish v2
    assert (redeployed.status_code, redeployed.get_json()["version"]) == (201, 2)
    assert redeployed.get_json()["decisions"][0]["version"] == 2
    assert api.deploy(model, "chon_mon.bpmn").status_code == 200  # nothing changed since
    on_v2 = receive(api, {"season": "Winter", "guests": 2})
    for code in (on_v1, on_v2):
        api.complete(code, "desk", "work")

    assert api.dossier(on_v1)["data"]["dish"] == "Stew"
    assert api.dossier(on_v2)["data"]["dish"] == "Soup"
    listed = api.get("/api/v1/process-models/decide_dish/versions", user="admin").get_json()
    assert [(v["version"], [d["version"] for d in v["decisions"]]) for v in listed] == [(2, [2]), (1, [1])]


def test_validating_a_model_says_which_decision_versions_it_would_bind(api):
    upload(api, DISH)
    response = api.post("/api/v1/process-models/validation", user="admin",
                        data={"file": (BytesIO(bpmn_calling()), "chon_mon.bpmn")}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["decisions"] == [{"decision_id": "dish", "version": 1, "elements": ["decide"]}]


def test_a_hit_policy_violation_at_a_completion_is_a_422_naming_the_decision_and_the_rules(api):
    upload(api, dmn(DISHES))  # UNIQUE, with a catch-all last rule
    api.deploy(bpmn_calling(after_work=True), "chon_mon.bpmn")
    make_procedure(api)
    code = receive(api, {"season": "Winter", "guests": 2})
    task = api.open_task(code, "desk", "work")

    response = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {}})

    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["errors"]["element"]) == ("execution_failed", "decide")
    assert "decision 'dish' (version 1), hit policy UNIQUE: rules 1 and 3 match the inputs" in body["errors"]["detail"]
    assert api.open_task(code, "desk", "work")["state"] == "ready"  # nothing was changed


TIMER = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>'
         '<bpmn:timerEventDefinition id="wait_timer"><bpmn:timeDuration>"PT1H"</bpmn:timeDuration>'
         "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")


def test_a_decision_failing_after_a_timer_leaves_the_timer_waiting_and_is_logged(api, sessions, caplog):
    upload(api, dmn(DISHES))  # UNIQUE, with a catch-all last rule: "Winter, 2" matches rules 1 and 3
    model = bpmn_calling().decode().replace(
        '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>',
        f'<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>{TIMER}').replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>',
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="wait"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="decide"/>').replace(
        "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>start</bpmn:flowNodeRef>"
                                                      "<bpmn:flowNodeRef>wait</bpmn:flowNodeRef>")
    assert api.deploy(model.encode(), "chon_mon.bpmn").status_code == 201
    make_procedure(api)
    with time_machine.travel(datetime(2026, 12, 7, 8, 0, tzinfo=VN), tick=False) as clock:
        code = receive(api, {"season": "Winter", "guests": 2})
        clock.move_to(datetime(2026, 12, 7, 9, 0, 1, tzinfo=VN))

        assert fire_due_timers(sessions) == 0
        assert fire_due_timers(sessions) == 0  # still due: fired again at each tick, until the model is fixed

    assert "decision 'dish' (version 1), hit policy UNIQUE: rules 1 and 3 match" in caplog.text
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert "timer.fired" not in [e["action"] for e in history]


def test_deploy_models_deploys_the_decisions_before_the_models(api, database_url):
    result = CliRunner().invoke(cli.main, ["deploy-models", str(BPMN_MODELS)],
                                env={"MOTCUA_DATABASE_URL": database_url}, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("already deployed: decision le_phi_ban_sao v1 (")
    assert any(line.startswith("already deployed: cap_ban_sao_van_bang v1") for line in lines[1:])
