"""Several divisions give their opinions on one dossier: one task each, collected for the gateway after."""

from __future__ import annotations

import pytest

from tests.api.models_at_work import deploy, history, open_tasks, register
from tests.conftest import read_model

DIVISIONS = ["Phòng Giáo dục trung học", "Phòng Khảo thí", "Phòng Tổ chức cán bộ"]


def receive(api, sequential: bool = False) -> str:
    content = read_model("division_opinions.bpmn")
    if sequential:
        content = content.replace(b'isSequential="false"', b'isSequential="true"')
    deploy(api, content, "division_opinions.bpmn")
    register(api, "LAY_Y_KIEN", "lay_y_kien_cac_phong")
    return api.receive("LAY_Y_KIEN", data={"divisions": DIVISIONS})["code"]


def give_opinions(api, code: str, opinions: list[str]) -> dict:
    result = None
    for opinion in opinions:
        task = open_tasks(api, code, "specialist")[0]
        assert task["bpmn_id"] == "division_opinion"
        result = api.post(f"/api/v1/tasks/{task['id']}/complete", user="specialist",
                          json={"data": {"opinion": opinion, "note": f"Ý kiến: {opinion}"}})
        assert result.status_code == 200, result.get_json()
    return result.get_json()


def test_each_division_s_opinion_is_its_own_task_with_the_element_s_form(api):
    code = receive(api)

    tasks = open_tasks(api, code, "specialist")
    assert [(t["bpmn_id"], t["role"], t["lane"]) for t in tasks] == [
        ("division_opinion", "specialist", "Các phòng chuyên môn")] * 3
    form = api.get(f"/api/v1/tasks/{tasks[0]['id']}", user="specialist").get_json()["form_schema"]
    assert form["properties"]["opinion"]["enum"] == ["agree", "disagree"]
    refused = api.post(f"/api/v1/tasks/{tasks[0]['id']}/complete", user="specialist", json={"data": {}})
    assert refused.status_code == 422  # the form applies to each instance


@pytest.mark.parametrize("sequential", [False, True])
def test_the_opinions_are_collected_into_a_list_the_gateway_after_the_join_reads(api, sequential):
    agreed = receive(api, sequential)
    result = give_opinions(api, agreed, ["agree", "agree", "agree"])
    assert [t["bpmn_id"] for t in result["next_tasks"]] == ["sign"]

    disagreed = api.receive("LAY_Y_KIEN", data={"divisions": DIVISIONS})["code"]
    result = give_opinions(api, disagreed, ["agree", "disagree", "agree"])
    assert [t["bpmn_id"] for t in result["next_tasks"]] == ["explain_disagreement"]
    completed = [e["data"]["bpmn_id"] for e in history(api, disagreed) if e["action"] == "task.completed"]
    assert completed == ["division_opinion"] * 3


def test_a_sequential_opinion_opens_one_task_at_a_time(api):
    code = receive(api, sequential=True)

    for left in (3, 2, 1):
        assert len(open_tasks(api, code, "specialist")) == 1
        give_opinions(api, code, ["agree"])
        assert len(open_tasks(api, code, "specialist")) == (1 if left > 1 else 0)
