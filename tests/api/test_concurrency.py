"""Requests racing on one dossier: exactly one wins, the others get 409, nothing is lost."""

from __future__ import annotations

import threading
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import instances
from engine.models import HumanTask, ProcessInstance
from tests.api.test_process_models import PARALLEL, make_procedure

RACERS = 8


def race(app, calls) -> list:
    """Run each (method, path, headers, json) at the same moment from its own thread and client."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, path, headers, body):
        client = app.test_client()
        barrier.wait()
        response = client.post(path, headers=headers, json=body)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_rows_match_workflow(sessions, dossier_instance_id: int) -> None:
    """Every task row says what the stored workflow says."""
    with sessions() as session:
        instance = session.get(ProcessInstance, dossier_instance_id)
        workflow = instances.load_workflow(instance)
        for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)):
            task = workflow.get_task_from_id(UUID(row.id))
            expected = {"completed": TaskState.COMPLETED, "ready": TaskState.READY,
                        "claimed": TaskState.READY, "cancelled": TaskState.CANCELLED}[row.state]
            assert task.state == expected, (row.bpmn_id, row.state, TaskState.get_name(task.state))


def test_many_requests_completing_one_task_give_one_success_and_409s(api, app, sessions):
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")
    headers = {"Authorization": f"Bearer {api.token('desk')}"}

    results = race(app, [(f"/api/v1/tasks/{task['id']}/complete", headers, {"data": {"check_result": "complete"}})]
                   * RACERS)

    codes = sorted(status for status, _ in results)
    assert codes == [200] + [409] * (RACERS - 1), results
    assert {body["code"] for status, body in results if status == 409} <= {"task_not_ready", "concurrent_update"}
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert [e["action"] for e in history].count("task.completed") == 1
    assert [t["bpmn_id"] for t in api.get("/api/v1/tasks", user="specialist",
                                           query_string={"dossier_code": code}).get_json()] == ["review"]
    assert api.dossier(code)["status"] == 4
    with sessions() as session:
        instance_id = session.scalars(select(ProcessInstance.id)).one()
    assert_rows_match_workflow(sessions, instance_id)


def test_two_tasks_of_one_dossier_completed_at_once_never_both_write_stale_state(api, app, sessions):
    api.deploy(PARALLEL, "parallel_review.bpmn")
    make_procedure(api, "THU_NGHIEM_SONG_SONG", "tham_dinh_song_song")
    for _round in range(3):
        code = api.receive("THU_NGHIEM_SONG_SONG")["code"]
        api.complete(code, "desk", "intake")
        leader = api.open_task(code, "leader", "leader_review")
        technical = api.open_task(code, "specialist", "technical_review")

        results = race(app, [
            (f"/api/v1/tasks/{leader['id']}/complete", {"Authorization": f"Bearer {api.token('leader')}"},
             {"data": {}}),
            (f"/api/v1/tasks/{technical['id']}/complete", {"Authorization": f"Bearer {api.token('specialist')}"},
             {"data": {"score": 9}}),
        ])

        statuses = sorted(status for status, _ in results)
        assert statuses in ([200, 200], [200, 409]), results
        for status, body in results:
            if status == 409:
                assert body["code"] == "concurrent_update"
        open_tasks = {t["bpmn_id"] for t in api.get("/api/v1/tasks", user="desk",
                                                    query_string={"dossier_code": code}).get_json()}
        assert (open_tasks == {"hand_back"}) == (statuses == [200, 200])
        with sessions() as session:
            instance_id = session.scalars(select(HumanTask.instance_id).where(HumanTask.id == leader["id"])).one()
        assert_rows_match_workflow(sessions, instance_id)


def test_two_officers_claiming_one_task_cannot_both_hold_it(api, app, sessions):
    with sessions() as session, session.begin():
        from workflows.auth import create_user

        create_user(session, username="desk2", password="demo", full_name="Một Cửa Hai", roles=["desk_officer"],
                    demo=True)
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")

    results = race(app, [
        (f"/api/v1/tasks/{task['id']}/claim", {"Authorization": f"Bearer {api.token(user)}"}, None)
        for user in ("desk", "desk2")
    ])

    assert sorted(status for status, _ in results) == [200, 409]
    winner = next(body["assignee"] for status, body in results if status == 200)
    assert api.open_task(code, "desk", "check_dossier")["assignee"] == winner

