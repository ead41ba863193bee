"""Human tasks as officers see them: an inbox by role, claim, release, complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from engine import instances, task_rows
from engine.models import OPEN_TASK_STATES, HumanTask, HumanTaskCandidate
from workflows import boundary, search_keys
from workflows.access import may_work_task
from workflows.auth import Principal
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.lifecycle import effects_on
from workflows.models import Dossier, Procedure, Unit, User
from workflows.roles import DESK_OFFICER, LEADER, SPECIALIST

SCOPES = ("mine", "available")
STATES = ("ready", "claimed", "completed", "cancelled")
SORTS = ("created", "due")


@dataclass(frozen=True)
class TaskView:
    """A task with the dossier it belongs to: the rows themselves, or in a list the columns shown."""

    task: HumanTask | task_rows.TaskColumns
    dossier: Dossier | ListedDossier
    form_schema: dict | None = None


@dataclass(frozen=True)
class CompletionResult:
    dossier: Dossier
    next_tasks: list[TaskView]


def list_tasks(session: Session, principal: Principal, *, dossier_code: str | None = None,
               scope: str | None = None, state: str | None = None, procedure_code: str | None = None,
               dossier_status: int | None = None, q: str | None = None, sort: str = "created", page: int = 1,
               per_page: int = 50) -> list[TaskView]:
    """The tasks of the caller's roles; open ones unless `state` says otherwise; oldest first, or
    with `sort="due"` the most urgent first (the step's own deadline, else the dossier's).

    `q` searches the dossier code, the applicant's name (case and diacritics ignored) and ID
    number: every word of it must be found in one of them.

    Rows only read: one statement per combination of filters, built once, and the columns shown
    read as plain values (`engine.task_rows.TaskColumns`, `ListedDossier`), not as ORM objects."""
    if scope is not None and scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}.", scope=scope)
    if state is not None and state not in STATES:
        raise InvalidInput(f"state must be one of {', '.join(STATES)}.", state=state)
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}.", sort=sort)
    terms = search_keys.terms(q)
    statement = _list_statement(state is not None, scope, dossier_code is not None, procedure_code is not None,
                                dossier_status is not None, sort, boundary.is_at_centre(principal), len(terms))
    rows = session.connection().execute(statement, {
        "roles": sorted(principal.roles), "unit_code": principal.unit_code, "username": principal.username,
        "state": state, "dossier_code": dossier_code, "procedure_code": procedure_code,
        "dossier_status": dossier_status, "offset": (page - 1) * per_page, "limit": per_page,
        **{f"term_{index}": f"%{_escaped(term)}%" for index, term in enumerate(terms)}})
    shown = len(task_rows.TASK_COLUMNS)
    return [TaskView(task_rows.TaskColumns(*row[:shown]),
                     ListedDossier(*row[shown:shown + 4], _procedure(row[shown + 4], row[shown + 5])))
            for row in rows]


@dataclass(frozen=True, slots=True)
class ListedProcedure:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ListedDossier:
    """A dossier's columns as the inbox shows them."""

    code: str
    status: int
    applicant_name: str
    due_at: datetime | None
    procedure: ListedProcedure


@lru_cache(maxsize=64)
def _procedure(code: str, name: str) -> ListedProcedure:
    return ListedProcedure(code, name)


def _role(by_dossier: bool):
    """The task's role as the inbox filters on it. For one dossier's tasks, as an expression no index
    matches (the same values: a task without a role is in no list), so that the database finds them
    by the dossier's instance (a handful of rows) rather than by role and state (every open task of
    the role: SQLite chose that, and the list slowed as open dossiers accumulated)."""
    return func.coalesce(HumanTask.role, "") if by_dossier else HumanTask.role


@lru_cache(maxsize=128)
def _list_statement(by_state: bool, scope: str | None, by_dossier: bool, by_procedure: bool, by_status: bool,
                    sort: str, at_centre: bool, terms: int):
    """The inbox statement for one combination of filters, its values bound at execution."""
    query = (select(*task_rows.TASK_COLUMNS, Dossier.code, Dossier.status, Dossier.applicant_name, Dossier.due_at,
                    Procedure.code, Procedure.name)
             .join(Dossier, Dossier.instance_id == HumanTask.instance_id)
             .join(Procedure, Procedure.id == Dossier.procedure_id).join(Unit, Unit.id == Procedure.deciding_unit_id)
             .where(_role(by_dossier).in_(bindparam("roles", expanding=True)),
                    # specialists see the tasks of the dossiers their unit decides
                    or_(HumanTask.role != SPECIALIST, Unit.code == bindparam("unit_code")),
                    # a task offered to named users who have accounts: only those
                    or_(~_OFFERED_TO_USERS, _offered_to(bindparam("username")))))
    if at_centre:  # another centre's desk does not work the department desk's tasks
        query = query.where(HumanTask.role != DESK_OFFICER)
    if by_state:
        query = query.where(HumanTask.state == bindparam("state"))
    elif scope != "available":
        query = query.where(HumanTask.state.in_(OPEN_TASK_STATES))
    if scope == "mine":
        query = query.where(or_(HumanTask.assignee == bindparam("username"),
                                HumanTask.completed_by == bindparam("username")))
    elif scope == "available":
        query = query.where(HumanTask.state == "ready")
    if by_dossier:
        query = query.where(Dossier.code == bindparam("dossier_code"))
    if by_procedure:
        query = query.where(Procedure.code == bindparam("procedure_code"))
    if by_status:
        query = query.where(Dossier.status == bindparam("dossier_status"))
    for index in range(terms):
        query = query.where(_matches(bindparam(f"term_{index}")))
    if sort == "due":
        due = func.coalesce(HumanTask.due_at, Dossier.due_at)
        query = query.order_by(due.is_(None), due, HumanTask.created_at, HumanTask.id)
    else:
        query = query.order_by(HumanTask.created_at, HumanTask.id)
    return query.offset(bindparam("offset")).limit(bindparam("limit"))


def _matches(pattern):
    """A dossier whose code, applicant's name or ID number holds the search word (`pattern`: the folded
    word between %, its own % and _ escaped), anywhere in it: officers type a code's last digits or a
    given name. It filters the rows the inbox's indexes (human_task's role and state, the dossier's
    instance) already narrowed to the caller's tasks, so it needs no index of its own; the folded name
    makes it ignore case and diacritics on both databases."""
    return or_(func.lower(Dossier.code).like(pattern, escape="/"),
               Dossier.applicant_name_key.like(pattern, escape="/"),
               Dossier.applicant_id_number.like(pattern, escape="/"))


def _escaped(term: str) -> str:
    """`term` as a LIKE pattern's literal part (escape character /)."""
    return term.replace("/", "//").replace("%", "/%").replace("_", "/_")


def get_task(session: Session, principal: Principal, task_id: str) -> TaskView:
    view = _task_for(session, principal, task_id)
    return TaskView(view.task, view.dossier, instances.task_form_schema(view.task))


def claim_task(session: Session, principal: Principal, task_id: str) -> TaskView:
    view = _task_to_move(session, principal, task_id)
    return TaskView(instances.claim_task(session, view.task, actor=principal.username), view.dossier)


def unclaim_task(session: Session, principal: Principal, task_id: str) -> TaskView:
    """Release a claimed task: the claimer may, and so may a leader (to reassign it)."""
    view = _task_to_move(session, principal, task_id, for_work=False)
    if view.task.assignee not in (None, principal.username) and not principal.has_role(LEADER):
        raise Forbidden(f"Only {view.task.assignee} or a leader can release this task.", task_id=task_id)
    return TaskView(instances.unclaim_task(session, view.task, actor=principal.username), view.dossier)


def complete_task(session: Session, principal: Principal, task_id: str, data: dict) -> CompletionResult:
    view = _task_for(session, principal, task_id)
    dossier = view.dossier
    result = instances.complete_task(session, view.task.id, actor=principal.username, data=data,
                                     effects=effects_on(session, dossier, actor=principal.username))
    return CompletionResult(dossier, [TaskView(t, dossier) for t in result.ready_tasks])


_OFFERED_TO_USERS = (exists().where(HumanTaskCandidate.task_id == HumanTask.id,
                                   HumanTaskCandidate.username == User.username, User.active.is_(True))
                     .correlate(HumanTask))


def _offered_to(username: str):
    return exists().where(HumanTaskCandidate.task_id == HumanTask.id,
                          HumanTaskCandidate.username == username).correlate(HumanTask)


def offered_to(session: Session, task_id: str) -> list[str]:
    """The users a task is offered to (the active accounts among the users its model names), or []
    when it is offered to everyone of its role."""
    query = (select(User.username).join(HumanTaskCandidate, HumanTaskCandidate.username == User.username)
             .where(HumanTaskCandidate.task_id == task_id, User.active.is_(True)).order_by(User.username))
    return list(session.scalars(query))


# The task, its dossier and whether its model offers it to named users (then, and only then, who).
_TASK_AND_DOSSIER = (select(HumanTask, Dossier,
                            exists().where(HumanTaskCandidate.task_id == HumanTask.id).correlate(HumanTask)
                            .label("offered"))
                     .outerjoin(Dossier, Dossier.instance_id == HumanTask.instance_id)
                     .where(HumanTask.id == bindparam("task_id")))


def _task_for(session: Session, principal: Principal, task_id: str, *, for_work: bool = True) -> TaskView:
    """The task and its dossier as ORM objects (one query), if the caller may work it: holds its role
    and, when the model offers it to named users (`for_work`), is one of them."""
    found = session.execute(_TASK_AND_DOSSIER, {"task_id": task_id}).first()
    if found is None:
        raise NotFound(f"Task '{task_id}' does not exist.", task_id=task_id)
    task, dossier, offered = found
    _check_may_work(session, principal, task.id, task.role, dossier.procedure.deciding_unit.code if dossier else None,
                    offered=offered and for_work)
    return TaskView(task, dossier)


# The same for a claim or a release, which change only the task's row: its columns and its instance's
# hold (engine/task_rows.py), its dossier's columns shown with it, as plain values read on the
# connection. An ORM read of the task and its dossier (six objects with their joined relations) costs
# about five times as much.
_TASK_TO_MOVE = (task_rows.of_task_row(select(
    *task_rows.TASK_ROW_COLUMNS, Dossier.code, Dossier.status, Dossier.applicant_name, Dossier.due_at, Procedure.code,
    Procedure.name, Unit.code, exists().where(HumanTaskCandidate.task_id == HumanTask.id).correlate(HumanTask)))
    .outerjoin(Dossier, Dossier.instance_id == HumanTask.instance_id)
    .outerjoin(Procedure, Procedure.id == Dossier.procedure_id).outerjoin(Unit, Unit.id == Procedure.deciding_unit_id)
    .where(HumanTask.id == bindparam("task_id")))
_TASK_ROW_WIDTH = len(task_rows.TASK_ROW_COLUMNS)


def _task_to_move(session: Session, principal: Principal, task_id: str, *, for_work: bool = True) -> TaskView:
    found = session.connection().execute(_TASK_TO_MOVE, {"task_id": task_id}).first()
    if found is None:
        raise NotFound(f"Task '{task_id}' does not exist.", task_id=task_id)
    task = task_rows.TaskRow(*found[:_TASK_ROW_WIDTH])
    code, status, applicant_name, due_at, procedure_code, procedure_name, deciding_unit, offered = (
        found[_TASK_ROW_WIDTH:])
    _check_may_work(session, principal, task.id, task.role, deciding_unit if code is not None else None,
                    offered=offered and for_work)
    dossier = ListedDossier(code, status, applicant_name, due_at, _procedure(procedure_code, procedure_name))
    return TaskView(task, dossier)


def _check_may_work(session: Session, principal: Principal, task_id: str, role: str | None,
                    deciding_unit_code: str | None, *, offered: bool) -> None:
    """The caller may work the task: holds its role, its dossier (of `deciding_unit_code`; None: it has
    none) is theirs to work, and when the model `offered` it to named users, they are one of them."""
    if role not in principal.roles:
        raise Forbidden(f"This task is for the role '{role}', which you do not hold.", task_id=task_id, role=role)
    if deciding_unit_code is None:
        raise NotFound("This task belongs to no dossier.", task_id=task_id)
    if not may_work_task(principal, role, deciding_unit_code):
        raise Forbidden("This task belongs to the specialists of another unit.", task_id=task_id, role=role)
    if offered:
        users = offered_to(session, task_id)
        if users and principal.username not in users:
            raise Forbidden(f"This task is offered to {', '.join(users)} only.", task_id=task_id,
                            candidate_users=users)
