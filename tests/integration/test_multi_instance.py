"""Multi-instance user tasks and sub-processes: each instance its own human task row, with the form."""

from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import select

from engine import deployments, instances
from engine.models import HumanTask
from tests.conftest import read_model

DIVISIONS = ["Phòng Giáo dục trung học", "Phòng Khảo thí", "Phòng Tổ chức cán bộ"]


def deploy(session, content: bytes, name: str = "model.bpmn"):
    return deployments.deploy(session, content, name, actor="designer")[0]


def open_rows(session, instance_id: int) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "ready").order_by(HumanTask.created_at, HumanTask.id)))


def opinions_model(sequential: bool = False, extra: str = "") -> bytes:
    content = read_model("division_opinions.bpmn").decode()
    if sequential:
        content = content.replace('isSequential="false"', 'isSequential="true"')
    return content.replace("</bpmn:multiInstanceLoopCharacteristics>",
                           f"{extra}</bpmn:multiInstanceLoopCharacteristics>").encode()


def data_of(row: HumanTask) -> dict:
    """The task data of the row's task in the instance's workflow."""
    return instances.load_workflow(row.instance).get_task_from_id(UUID(row.id)).data


def test_a_parallel_multi_instance_task_opens_one_row_per_item_with_the_form(sessions):
    with sessions() as session, session.begin():
        deploy(session, opinions_model())
        started = instances.start_instance(session, "lay_y_kien_cac_phong", actor="t", data={"divisions": DIVISIONS},
                                           lane_roles={"Các phòng chuyên môn": "specialist"})
    rows = started.ready_tasks
    assert {(r.bpmn_id, r.name, r.role) for r in rows} == {("division_opinion", "Cho ý kiến của phòng", "specialist")}
    assert len(rows) == 3
    with sessions() as session:
        rows = open_rows(session, started.instance.id)
        assert sorted(data_of(r)["division"] for r in rows) == sorted(DIVISIONS)
        schema = instances.task_form_schema(rows[0])
        assert schema["required"] == ["opinion"]
        assert schema["properties"]["opinion"]["enum"] == ["agree", "disagree"]

    for row, opinion in zip(rows, ["agree", "agree", "agree"], strict=True):
        with sessions() as session, session.begin():
            step = instances.complete_task(session, row.id, actor="t", data={"opinion": opinion})
    assert [t.bpmn_id for t in step.ready_tasks] == ["sign"]
    with sessions() as session:
        workflow = instances.load_workflow(session.get(type(started.instance), started.instance.id))
        [sign] = [t for t in workflow.get_tasks() if t.task_spec.name == "sign"]
        assert sign.data["opinions"] == ["agree", "agree", "agree"]


def test_a_sequential_multi_instance_task_opens_the_next_row_when_one_is_done(sessions):
    with sessions() as session, session.begin():
        deploy(session, opinions_model(sequential=True))
        instance_id = instances.start_instance(session, "lay_y_kien_cac_phong", actor="t",
                                               data={"divisions": DIVISIONS}).instance.id
    seen = []
    for opinion in ("agree", "disagree", "agree"):
        with sessions() as session, session.begin():
            [row] = open_rows(session, instance_id)
            seen.append(data_of(row)["division"])
            step = instances.complete_task(session, row.id, actor="t", data={"opinion": opinion})
    assert seen == DIVISIONS
    assert [t.bpmn_id for t in step.ready_tasks] == ["explain_disagreement"]


def test_a_completion_condition_ends_the_instances_left_and_cancels_their_rows(sessions):
    condition = ('<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">opinion == "disagree"'
                 '</bpmn:completionCondition>')
    with sessions() as session, session.begin():
        deploy(session, opinions_model(extra=condition))
        instance_id = instances.start_instance(session, "lay_y_kien_cac_phong", actor="t",
                                               data={"divisions": DIVISIONS}).instance.id
    with sessions() as session, session.begin():
        first, *others = open_rows(session, instance_id)
        step = instances.complete_task(session, first.id, actor="t", data={"opinion": "disagree"})
    assert [t.bpmn_id for t in step.ready_tasks] == ["explain_disagreement"]
    with sessions() as session:
        states = {row.id: row.state for row in session.scalars(select(HumanTask).where(
            HumanTask.id.in_([o.id for o in others])))}
    assert set(states.values()) == {"cancelled"}


def test_a_cardinality_opens_that_many_rows(sessions):
    content = read_model("division_opinions.bpmn").decode()
    start = content.index("<bpmn:loopDataInputRef>")
    end = content.index("</bpmn:multiInstanceLoopCharacteristics>")
    cardinality = '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">reviewers</bpmn:loopCardinality>'
    content = (content[:start] + cardinality + content[end:]).replace("len(opinions) == len(divisions) and ", "")
    with sessions() as session, session.begin():
        deploy(session, content.encode())
        started = instances.start_instance(session, "lay_y_kien_cac_phong", actor="t", data={"reviewers": 2})
    assert len(started.ready_tasks) == 2


@pytest.mark.parametrize("sequential", [False, True])
def test_a_multi_instance_sub_process_runs_its_tasks_once_per_item(sessions, sequential):
    content = read_model("opinion_per_division.bpmn")
    if sequential:
        content = content.replace(b'isSequential="false"', b'isSequential="true"')
    with sessions() as session, session.begin():
        deploy(session, content)
        instance_id = instances.start_instance(session, "y_kien_tung_phong", actor="t",
                                               data={"divisions": DIVISIONS}).instance.id
    for _ in DIVISIONS:
        with sessions() as session, session.begin():
            rows = open_rows(session, instance_id)
            assert len(rows) == (1 if sequential else 3 - _count_done(session, instance_id))
            step = instances.complete_task(session, rows[0].id, actor="t", data={"answer": "đồng ý"})
    [read] = step.ready_tasks
    with sessions() as session:
        data = data_of(session.get(HumanTask, read.id))
    assert sorted(data["opinions"]) == sorted(f"{d}: đồng ý" for d in DIVISIONS)


def _count_done(session, instance_id: int) -> int:
    return len(list(session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "completed"))))
