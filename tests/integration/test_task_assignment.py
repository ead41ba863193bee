"""The engine gives each human task row its role and its candidate users as the model names them."""

from __future__ import annotations

from sqlalchemy import select

from engine import deployments, instances
from engine.models import HumanTask, HumanTaskCandidate
from tests.conftest import read_model

CAMUNDA = read_model("camunda_candidate_groups.bpmn")


def start(sessions, content: bytes, **roles) -> int:
    with sessions() as session, session.begin():
        deployments.deploy(session, content, "camunda_candidate_groups.bpmn", actor="designer")
        return instances.start_instance(session, "Process_0dc7inz", actor="t", **roles).instance.id


def open_row(sessions, instance_id: int) -> tuple[HumanTask, list[str]]:
    with sessions() as session:
        row = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.state == "ready")).one()
        users = session.scalars(select(HumanTaskCandidate.username).where(HumanTaskCandidate.task_id == row.id)
                                .order_by(HumanTaskCandidate.username)).all()
        return row, list(users)


def complete_open_task(sessions, instance_id: int) -> None:
    row, _ = open_row(sessions, instance_id)
    with sessions() as session, session.begin():
        instances.complete_task(session, row.id, actor="t", data={"ket_luan": "dat"})


def test_a_task_takes_the_role_of_its_first_mapped_candidate_group(sessions):
    instance_id = start(sessions, CAMUNDA, lane_roles={"mot_cua": "desk_officer", "chuyen_vien": None,
                                                       "specialist": "specialist"})
    assert open_row(sessions, instance_id)[0].role == "desk_officer"

    complete_open_task(sessions, instance_id)

    assert open_row(sessions, instance_id)[0].role == "specialist"  # chuyen_vien maps to nothing


def test_a_task_with_no_mapped_group_and_no_lane_takes_the_default_role(sessions):
    instance_id = start(sessions, CAMUNDA, lane_roles={}, default_role="clerk")

    assert open_row(sessions, instance_id)[0].role == "clerk"


def test_the_users_a_task_names_are_stored_with_its_row(sessions):
    model = CAMUNDA.replace(b'camunda:candidateGroups="mot_cua"', b'camunda:candidateGroups="mot_cua" '
                            b'camunda:assignee="an" camunda:candidateUsers="binh, an"')
    instance_id = start(sessions, model, lane_roles={"mot_cua": "desk_officer"})

    row, users = open_row(sessions, instance_id)

    assert (row.role, users) == ("desk_officer", ["an", "binh"])
    complete_open_task(sessions, instance_id)
    assert open_row(sessions, instance_id)[1] == []


def test_the_rows_a_step_gives_back_are_the_rows_it_stored(sessions):
    model = CAMUNDA.replace(b'camunda:candidateGroups="mot_cua"', b'camunda:candidateGroups="mot_cua" '
                            b'camunda:candidateUsers="binh"')
    with sessions() as session, session.begin():
        deployments.deploy(session, model, "camunda_candidate_groups.bpmn", actor="designer")
        started = instances.start_instance(session, "Process_0dc7inz", actor="t",
                                           lane_roles={"mot_cua": "desk_officer"})
        given = [(t.id, t.bpmn_id, t.name, t.lane, t.role, t.assignee, t.state, t.created_at, t.due_at)
                 for t in started.ready_tasks]

    row, users = open_row(sessions, started.instance.id)

    assert given == [(row.id, row.bpmn_id, row.name, row.lane, row.role, row.assignee, row.state, row.created_at,
                      row.due_at)]
    assert users == ["binh"]
