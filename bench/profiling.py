"""Where the time goes: cProfile of task completions and receipts through the Flask app in-process, or
of the scheduler firing due timers.

    .venv/bin/python -m bench.profiling completion [--procedure BENCH_LINEAR10] [--count 300]
                                                   [--database sqlite|postgresql] [--top 30]
    .venv/bin/python -m bench.profiling timers [--count 1000] [--database sqlite|postgresql]
    .venv/bin/python -m bench.profiling step [--count 300] [--database sqlite|postgresql]
    .venv/bin/python -m bench.profiling reads [--count 3000] [--database sqlite|postgresql]

`completion` drives the app with Flask's test client: the whole request (authentication, validation,
the service, the answer's serialization) without gunicorn and the socket. `timers` inserts due
timers as bench/timers.py does and calls `workflows.timers.fire_due_timers` until none is left, as
the scheduler does. `step` is an officer's step on the 10-task model as bench/steps.py sends it
(GET /tasks?dossier_code=, claim, complete), each of the three requests profiled on its own, and an
inbox read (GET /tasks?scope=available). Each prints the functions with the most time of their own,
the application's functions with the most cumulative time, and the SQL statements of one more
request or firing (transactions included); the raw profiles go to bench/results/profile-*.pstats (`python -m pstats`,
snakeviz). The profiler roughly doubles the time of what it watches: compare shares, not totals.
`reads` (no profiler) times two reads of the hot path each way: through the session or on its
connection, as ORM objects or as plain values. `step --timing-only` also says how much of the steps'
CPU went to Python's cyclic garbage collector (its collections, timed by `gc.callbacks`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from api import create_app
from bench import timers
from bench.api_load import APPLICANT, LINEAR10, LINEAR10_PROCEDURE, STEPS, STEPS_PER_DOSSIER, USERS
from bench.common import MODELS, RESULTS, ROOT, fresh_database, postgres_admin_url
from bench.server import prepare_database
from engine.db import make_engine, make_session_factory
from workflows import auth, tasks
from workflows.settings import from_env
from workflows.timers import fire_due_timers

OURS = f"{ROOT}/(engine|workflows|api)/|SpiffWorkflow|sqlalchemy/orm/session|jsonschema/validators"


def print_profile(profiler: cProfile.Profile, title: str, top: int) -> None:
    for order, restriction, heading in (
            ("tottime", (), "most time of their own"),
            ("cumulative", (OURS,), "most cumulative time (application, SpiffWorkflow, session, jsonschema)")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(*restriction, top)
        lines = out.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"\n== {title}: {heading}")
        print("\n".join(line[:180] for line in lines[start:start + top + 1]))


def save_profile(profiler: cProfile.Profile, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"profile-{name}.pstats"
    profiler.dump_stats(path)
    print(f"  raw profile: {path}")


@contextmanager
def statements_of(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` sends inside the block, shortened."""
    statements: list[str] = []

    def log(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split())[:150])

    sa.event.listen(engine, "before_cursor_execute", log)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", log)


def print_statements(statements: list[str], title: str) -> None:
    print(f"\n== the SQL statements of {title}: {len(statements)}")
    for statement in statements:
        print(f"  {statement}")


def _json(response) -> object:
    if response.status_code >= 400:
        raise SystemExit(f"{response.request.method} {response.request.path}: {response.status_code} "
                         f"{response.get_data(as_text=True)[:500]}")
    return response.get_json()


def profile_completions(database_url: str, label: str, *, procedure: str, count: int, top: int) -> None:
    auth.use_cheap_hashing_for_tests()  # the demo users' logins are not what is profiled
    prepare_database(database_url)
    app = create_app(from_env().with_overrides(database_url=database_url))
    client = app.test_client()

    def login(username: str) -> dict:
        body = _json(client.post("/api/v1/auth/login", json={"username": username, "password": "demo"}))
        return {"Authorization": f"Bearer {body['access_token']}"}

    headers = {name: login(name) for name in (*USERS, "admin")}
    model = MODELS / "linear10.bpmn"
    _json(client.post("/api/v1/process-models", headers=headers["admin"],
                      data={"file": (model.open("rb"), model.name)}, content_type="multipart/form-data"))
    _json(client.post("/api/v1/procedures", headers=headers["admin"], json=LINEAR10_PROCEDURE))

    dossiers = -(-count // STEPS_PER_DOSSIER[procedure]) + 1
    receipts, open_tasks = cProfile.Profile(), []
    started = time.perf_counter()
    for _ in range(dossiers):
        receipts.enable()
        dossier = _json(client.post("/api/v1/dossiers", headers=headers["desk"], json={
            "procedure_code": procedure, "channel": "in_person", "applicant": APPLICANT, "data": {}}))
        receipts.disable()
        open_tasks.append(_json(client.get(f"/api/v1/tasks?dossier_code={dossier['code']}",
                                           headers=headers["desk"]))[0])
    receipt_seconds = time.perf_counter() - started

    steps = STEPS[procedure]

    def complete(task: dict) -> None:
        username, data = steps[task["bpmn_id"]]
        answer = _json(client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers[username],
                                   json={"data": data}))
        following = next((t for t in answer["next_tasks"] if t["bpmn_id"] in steps), None)
        if following is not None:
            open_tasks.append(following)

    completions, done = cProfile.Profile(), 0
    started = time.perf_counter()
    while done < count and open_tasks:
        task = open_tasks.pop(0)
        completions.enable()
        complete(task)
        completions.disable()
        done += 1
    seconds = time.perf_counter() - started
    print(f"\n{done} completions of {procedure} on {label}: {1000 * seconds / done:.1f} ms each in-process, "
          f"profiler on; {dossiers} receipts: {1000 * receipt_seconds / dossiers:.1f} ms each (with a task lookup)")
    print_profile(completions, f"completions ({done})", top)
    save_profile(completions, f"completion-{procedure}-{label}")
    print_profile(receipts, f"receipts ({dossiers})", top)
    save_profile(receipts, f"receipt-{procedure}-{label}")
    if open_tasks:
        task = open_tasks[0]
        with statements_of(app.extensions["motcua_engine"]) as statements:
            complete(task)
        print_statements(statements, f"one completion ({task['bpmn_id']}), all transactions of the request")
    with statements_of(app.extensions["motcua_engine"]) as statements:
        _json(client.post("/api/v1/dossiers", headers=headers["desk"], json={
            "procedure_code": procedure, "channel": "in_person", "applicant": APPLICANT, "data": {}}))
    print_statements(statements, f"one receipt ({procedure}), all transactions of the request")
    app.extensions["motcua_engine"].dispose()


def _linear10_desk(database_url: str, dossiers: int):
    """The app in-process on a prepared database with the 10-task model registered, the desk's
    headers, and `dossiers` dossiers received: (app, client, desk headers, their codes, the CPU
    seconds of their receipts)."""
    auth.use_cheap_hashing_for_tests()
    prepare_database(database_url)
    app = create_app(from_env().with_overrides(database_url=database_url))
    client = app.test_client()

    def login(username: str) -> dict:
        body = _json(client.post("/api/v1/auth/login", json={"username": username, "password": "demo"}))
        return {"Authorization": f"Bearer {body['access_token']}"}

    admin, desk = login("admin"), login("desk")
    model = MODELS / "linear10.bpmn"
    _json(client.post("/api/v1/process-models", headers=admin, data={"file": (model.open("rb"), model.name)},
                      content_type="multipart/form-data"))
    _json(client.post("/api/v1/procedures", headers=admin, json=LINEAR10_PROCEDURE))

    def receive() -> str:
        return _json(client.post("/api/v1/dossiers", headers=desk, json={
            "procedure_code": LINEAR10, "channel": "in_person", "applicant": APPLICANT, "data": {}}))["code"]

    codes = [receive()]  # the first warms the caches (the model's spec, compiled statements): not timed
    started = time.process_time()
    codes.extend(receive() for _ in range(dossiers - 1))
    return app, client, desk, codes, time.process_time() - started


def profile_reads(database_url: str, label: str, *, count: int, top: int) -> None:
    """Two reads of the hot path each way, `count` times in one transaction, CPU µs per read: the token's
    holder through the session and on its connection; a task to claim as ORM objects (its task,
    instance, version, dossier, procedure and unit, as a completion reads it) and as plain values
    (as a claim reads it)."""
    app, client, desk, codes, _ = _linear10_desk(database_url, 1)
    task_id = _json(client.get(f"/api/v1/tasks?dossier_code={codes[0]}", headers=desk))[0]["id"]
    holder = {"token_hash": auth._digest(desk["Authorization"].split()[1])}
    reads = {
        "token holder, through the session": lambda s: s.execute(auth._TOKEN_HOLDER, holder).all(),
        "token holder, on the connection": lambda s: s.connection().execute(auth._TOKEN_HOLDER, holder).all(),
        "task to claim, ORM objects": lambda s: (s.execute(tasks._TASK_AND_DOSSIER, {"task_id": task_id}).first(),
                                                 s.expunge_all()),
        "task to claim, plain values": lambda s: s.connection().execute(tasks._TASK_TO_MOVE,
                                                                        {"task_id": task_id}).first(),
    }
    print(f"\n{count} reads each on {label}, CPU µs per read (this process):")
    for name, read in reads.items():
        with app.extensions["motcua_sessions"]() as session, session.begin():
            for _ in range(min(count, 200)):  # warm: statements compiled, connection begun
                read(session)
            started = time.process_time()
            for _ in range(count):
                read(session)
            print(f"  {name}: {1e6 * (time.process_time() - started) / count:.0f}")
    app.extensions["motcua_engine"].dispose()


def profile_steps(database_url: str, label: str, *, count: int, top: int, timing_only: bool = False) -> None:
    app, client, desk, codes, receipts = _linear10_desk(database_url, -(-count // 10) + 2)
    received = len(codes) - 1
    profilers = {name: cProfile.Profile() for name in ("list", "claim", "complete", "inbox")}
    seconds = dict.fromkeys(profilers, 0.0)

    def timed(name: str, method: str, path: str, body: dict | None = None) -> object:
        started = time.process_time()
        if not timing_only:
            profilers[name].enable()
        answer = _json(client.open(path, method=method, headers=desk, json=body))
        if not timing_only:
            profilers[name].disable()
        seconds[name] += time.process_time() - started
        return answer

    done = 0
    collector = _CollectorTime()
    gc.callbacks.append(collector)
    started = time.process_time()
    while done < count and codes:
        code = codes.pop(0)
        task = timed("list", "GET", f"/api/v1/tasks?dossier_code={code}")[0]
        timed("claim", "POST", f"/api/v1/tasks/{task['id']}/claim")
        answer = timed("complete", "POST", f"/api/v1/tasks/{task['id']}/complete",
                       {"data": STEPS[LINEAR10][task["bpmn_id"]][1]})
        if answer["next_tasks"]:
            codes.append(code)
        timed("inbox", "GET", "/api/v1/tasks?scope=available&per_page=50")
        done += 1
    print(f"\n{done} steps on {label}, profiler {'off' if timing_only else 'on'}, CPU ms per request "
          f"(this process, the test client's share included): "
          + ", ".join(f"{name} {1000 * value / done:.2f}" for name, value in seconds.items())
          + f"; receipt {1000 * receipts / received:.2f} (of {received}, without the profiler)")
    gc.callbacks.remove(collector)
    if timing_only:
        cpu = time.process_time() - started
        print(f"Python's garbage collector during the steps: {sum(collector.collections)} collections "
              f"(by generation {collector.collections}), {1000 * collector.seconds:.1f} ms, "
              f"{100 * collector.seconds / cpu:.1f} % of their CPU")
        app.extensions["motcua_engine"].dispose()
        return
    for name, profiler in profilers.items():
        print_profile(profiler, f"{name} ({done})", top)
        save_profile(profiler, f"step-{name}-{label}")
    app.extensions["motcua_engine"].dispose()


class _CollectorTime:
    """A `gc.callbacks` entry: the collections of each generation and the CPU seconds they took."""

    def __init__(self) -> None:
        self.collections = [0, 0, 0]
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.collections[info["generation"]] += 1
            self.seconds += time.process_time() - self._started


def profile_timers(database_url: str, label: str, *, count: int, top: int) -> None:
    prepare_database(database_url, seed=False)
    template = timers.make_template(database_url)
    due = datetime.now(timezone.utc) - timedelta(minutes=1)
    timers.insert_timers(database_url, template, count + 1, lambda _: due, "due timers")
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with statements_of(engine) as statements:
        fire_due_timers(sessions, limit=1)
    print_statements(statements, "one firing (the scheduler's query of due instances, then the instance)")
    profiler, fired = cProfile.Profile(), 0
    started = time.perf_counter()
    profiler.enable()
    while moved := fire_due_timers(sessions):
        fired += moved
    profiler.disable()
    seconds = time.perf_counter() - started
    print(f"\n{fired} instances' timers fired on {label}: {1000 * seconds / max(fired, 1):.1f} ms each, profiler on")
    print_profile(profiler, f"timer firings ({fired})", top)
    save_profile(profiler, f"timers-{label}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("completion", "timers", "step", "reads"))
    parser.add_argument("--procedure", default=LINEAR10, choices=sorted(STEPS), help="completion only")
    parser.add_argument("--count", type=int, default=300, help="completions, or due timers (default: 300)")
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--postgres-url", default=postgres_admin_url())
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--timing-only", action="store_true",
                        help="step only: the CPU time per request without the profiler (which doubles it)")
    args = parser.parse_args()
    run: Callable[..., None]
    if args.what == "completion":
        run, options = profile_completions, {"procedure": args.procedure}
    elif args.what == "step":
        run, options = profile_steps, {"timing_only": args.timing_only}
    elif args.what == "reads":
        run, options = profile_reads, {}
    else:
        run, options = profile_timers, {}
    with fresh_database(args.database, args.postgres_url, "profile") as url:
        run(url, args.database, count=args.count, top=args.top, **options)


if __name__ == "__main__":
    main()
