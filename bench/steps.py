"""Part `steps`: an officer's step (list the dossier's tasks, claim, complete) as issue #16 measures it.

On one fresh database, with a real `motcua serve --workers N` (bench/server.py) and the 10-user-task
model (bench/models/linear10.bpmn, registered as BENCH_LINEAR10 through the API), in this order:

1. raw: raw SpiffWorkflow's loop on the same database (bench/raw_spiff.py), `raw_ms` per completion
   (its CPU time: the process's, which on SQLite holds the database's work too);
2. intake: dossiers received (`POST /api/v1/dossiers`, due date computed) by 8 clients: server CPU
   per receipt (P3);
3. step, empty: closed loop, `clients` clients each doing GET /tasks?dossier_code= → POST claim →
   POST complete on a dossier of its own: server CPU per step (P1) and the saturation rate;
4. inbox, empty: `GET /tasks?scope=available` (50 rows) one after another: server CPU per read;
5. open loop: steps arriving as a Poisson process at 50 % of that saturation rate, sent without
   waiting for earlier answers (a thread each): latency p50/p99 of claim and of complete (P2);
6. generated: `finished` finished dossiers (ten completed task rows each) and `open_` open ones
   (their first task ready in the inbox), inserted directly as copies of ones the API made (bulk
   inserts, not the API), then ANALYZE;
7. step and inbox again on that database (P1b, P3), and the plans (EXPLAIN) of every statement a
   step and an inbox read send, captured from the application in-process on the same database.

Server CPU is the gunicorn master's and workers' user + system time from /proc over the phase,
divided by what the phase did (on PostgreSQL running on this machine, the CPU of the backends
serving the database is given beside it, `database_cpu_ms`); it depends on how busy the rest of
the machine is less than rates and latencies do, which on a shared machine are noisy. The clients
run in this process.
"""

from __future__ import annotations

import math
import queue
import random
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from bench import raw_spiff
from bench.api_load import APPLICANT, LINEAR10, STEPS, _set_up
from bench.common import Progress, cpu_seconds, ms, percentile
from bench.server import HttpClient, Server, prepare_database, running_server, server_env
from engine.db import make_engine

STEP_DATA = STEPS[LINEAR10]
BATCH = 5_000
# The tables that grow with the dossiers, whose plans are looked at for a full scan.
BIG_TABLES = ("dossier", "process_instance", "human_task", "human_task_candidate", "instance_task", "audit_event",
              "waiting_timer", "access_token", "outbox_message", "portal_event")
BIG_ROWS = 10_000


def run(kind: str, database_url: str, *, row: dict, clients: int, steps: int, workers: int, finished: int,
        open_: int, intake: int, inbox_reads: int, open_loop_seconds: float) -> list[dict]:
    """Fill `row` with the figures of one database (created, empty), phase by phase."""
    row.update({"part": "steps", "database": kind, "workers": workers, "clients": clients})
    print(f"  [{kind}] raw SpiffWorkflow loop", flush=True)
    raw = raw_spiff.linear(kind, database_url, completions=min(steps, 500))[0]
    # CPU time, as the server's is: on a shared machine the wall time of one thread is mostly waiting
    row["raw_ms"], row["raw_wall_ms"] = raw["cpu_ms"], round(1000 / raw["completions_per_s"], 2)
    with tempfile.TemporaryDirectory(prefix="motcua-bench-steps-") as folder:
        env = server_env(database_url, Path(folder))
        print(f"  [{kind}] preparing the database (migrate, deploy-models, seed-demo)", flush=True)
        prepare_database(database_url)
        with running_server(env, workers=workers, log_path=Path(folder) / "server.log") as server:
            tokens = _set_up(server)
            token = tokens["desk"]
            # warm-up: every worker has loaded the model and compiled its statements
            warm = _receive_many(server, token, 4 * workers)[0]
            _closed_loop(server, token, warm, 2 * workers, 8 * workers)

            needed = clients + math.ceil(steps / 10)
            codes, row["intake"] = _receive_many(server, token, max(intake, needed))
            print(f"  [{kind}] intake: {row['intake']['server_cpu_ms']} ms server CPU per receipt", flush=True)
            row["step_empty"] = _closed_loop(server, token, codes, clients, steps, database_url)
            print(f"  [{kind}] step, empty: {row['step_empty']['server_cpu_ms']} ms server CPU per step, "
                  f"{row['step_empty']['steps_per_s']}/s", flush=True)
            row["inbox_empty"] = _inbox(server, token, inbox_reads)

            rate = row["step_empty"]["steps_per_s"] / 2
            arrivals = max(20, round(rate * open_loop_seconds))
            more = _receive_many(server, token, math.ceil(arrivals / 9) + 64)[0]
            row["open_loop"] = _open_loop(server, token, more, rate, arrivals)
            print(f"  [{kind}] open loop at {rate:.1f} steps/s: claim p99 {row['open_loop']['claim_p99_ms']} ms, "
                  f"complete p99 {row['open_loop']['complete_p99_ms']} ms", flush=True)

            row["generated"] = generate(database_url, finished=finished, open_=open_,
                                        finished_code=_finished_code(server, token),
                                        open_code=_receive_many(server, token, 1)[0][0])
            codes = _receive_many(server, token, needed)[0]
            row["step_full"] = _closed_loop(server, token, codes, clients, steps, database_url)
            print(f"  [{kind}] step, {finished:,} finished + {open_:,} open dossiers: "
                  f"{row['step_full']['server_cpu_ms']} ms server CPU per step", flush=True)
            row["inbox_full"] = _inbox(server, token, inbox_reads)
            row["plans"] = plans(database_url)
    return [row]


# --- the clients ---------------------------------------------------------------------------------------

def _receive_many(server: Server, token: str, count: int) -> tuple[list[str], dict]:
    """`count` dossiers received by 8 clients (POST only): their codes, and the server CPU per receipt."""
    local = threading.local()

    def one(_: int) -> tuple[str, float]:
        if not hasattr(local, "client"):
            local.client = HttpClient(server.base)
        t0 = time.perf_counter()
        status, dossier = local.client.call("POST", "/api/v1/dossiers", token, {
            "procedure_code": LINEAR10, "channel": "in_person", "applicant": APPLICANT, "data": {}})
        if status != 201:
            raise SystemExit(f"receiving a dossier failed: {status} {dossier}")
        return dossier["code"], time.perf_counter() - t0

    pids = server.pids()
    before, started = cpu_seconds(pids), time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(count)))
    wall, cpu = time.perf_counter() - started, cpu_seconds(pids) - before
    latencies = [seconds for _, seconds in answers]
    return [code for code, _ in answers], {
        "receipts": count, "per_s": round(count / wall, 1), "server_cpu_ms": round(1000 * cpu / count, 2),
        "p50_ms": ms(percentile(latencies, 0.5)), "p99_ms": ms(percentile(latencies, 0.99))}


def _step(client: HttpClient, token: str, code: str) -> tuple[tuple[float, float, float], bool]:
    """One step on dossier `code`: list its tasks, claim the ready one, complete it. The three
    latencies, and whether the dossier has a next task."""
    latencies, _task, done = timed_step(client, token, code, lambda listed: listed[0] if listed else None,
                                        lambda bpmn_id: STEP_DATA[bpmn_id][1])
    return latencies, bool(done["next_tasks"])


def timed_step(client: HttpClient, token: str, code: str, pick: Callable[[list[dict]], dict | None],
               data_of: Callable[[str], dict]) -> tuple[tuple[float, float, float], dict, dict]:
    """An officer's step on dossier `code`, as a client does it: list its tasks, claim the one `pick`
    chooses among them, complete it with `data_of(its bpmn id)`. The three latencies, the task and the
    completion's answer; RuntimeError when a request fails or there is no task to pick."""
    t0 = time.perf_counter()
    status, listed = client.call("GET", f"/api/v1/tasks?dossier_code={code}", token)
    t1 = time.perf_counter()
    task = pick(listed or []) if status == 200 else None
    if task is None:
        raise RuntimeError(f"listing the tasks of {code}: {status} {str(listed)[:300]}")
    status, claimed = client.call("POST", f"/api/v1/tasks/{task['id']}/claim", token)
    t2 = time.perf_counter()
    if status != 200:
        raise RuntimeError(f"claiming {task['bpmn_id']} of {code}: {status} {str(claimed)[:300]}")
    status, done = client.call("POST", f"/api/v1/tasks/{task['id']}/complete", token,
                               {"data": data_of(task["bpmn_id"])})
    t3 = time.perf_counter()
    if status != 200:
        raise RuntimeError(f"completing {task['bpmn_id']} of {code}: {status} {str(done)[:300]}")
    return (t1 - t0, t2 - t1, t3 - t2), task, done


def _latency_figures(latencies: list[tuple[float, float, float]]) -> dict:
    figures = {}
    for index, name in enumerate(("list", "claim", "complete")):
        values = [entry[index] for entry in latencies]
        figures[f"{name}_p50_ms"] = ms(percentile(values, 0.5))
        figures[f"{name}_p99_ms"] = ms(percentile(values, 0.99))
    steps = [sum(entry) for entry in latencies]
    figures["step_p50_ms"], figures["step_p99_ms"] = ms(percentile(steps, 0.5)), ms(percentile(steps, 0.99))
    return figures


def database_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends connected to this database now (the servers' pools), when the server runs on
    this machine (their CPU time is read from /proc); [] on SQLite, whose work is in the server's CPU."""
    if not database_url.startswith("postgresql"):
        return []
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            pids = list(connection.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def _closed_loop(server: Server, token: str, codes: list[str], clients: int, steps: int,
                 database_url: str | None = None) -> dict:
    """`steps` steps by `clients` clients, each waiting for its answers; a dossier finished is dropped.
    With `database_url` (PostgreSQL on this machine), also the database backends' CPU per step."""
    work: queue.Queue = queue.Queue()
    for code in codes:
        work.put(code)
    left, lock = [steps], threading.Lock()
    latencies: list[tuple[float, float, float]] = []
    errors: list[str] = []
    start = threading.Barrier(clients + 1)

    def drive() -> None:
        client = HttpClient(server.base)
        start.wait()
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            try:
                code = work.get(timeout=30)
            except queue.Empty:
                errors.append("no open dossier left")
                break
            try:
                measured, more = _step(client, token, code)
            except RuntimeError as exc:
                errors.append(str(exc))
                continue
            latencies.append(measured)
            if more:
                work.put(code)
        client.close()

    threads = [threading.Thread(target=drive) for _ in range(clients)]
    for thread in threads:
        thread.start()
    pids = server.pids()
    before = cpu_seconds(pids)
    start.wait()
    database_before = {pid: cpu_seconds([pid]) for pid in database_pids(database_url)} if database_url else {}
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - started, cpu_seconds(pids) - before
    # the backends alive at the end (one that began during the phase counts whole; one that ended is lost)
    backends = database_pids(database_url) if database_url else []
    database_cpu = sum(cpu_seconds([pid]) - database_before.get(pid, 0.0) for pid in backends)
    codes[:] = [work.get_nowait() for _ in range(work.qsize())]
    done = max(len(latencies), 1)
    return {"steps": len(latencies), "errors": len(errors), "first_errors": errors[:3], "seconds": round(wall, 2),
            "steps_per_s": round(len(latencies) / wall, 1), "server_cpu_ms": round(1000 * cpu / done, 2),
            "database_cpu_ms": round(1000 * database_cpu / done, 2) if backends else None,
            **_latency_figures(latencies)}


def _open_loop(server: Server, token: str, codes: list[str], rate: float, arrivals: int) -> dict:
    """`arrivals` steps arriving as a Poisson process of `rate` per second, each on a thread of a large
    pool, sent at its arrival time whatever the earlier ones are doing (an open load)."""
    work: queue.Queue = queue.Queue()
    for code in codes:
        work.put(code)
    local = threading.local()
    latencies: list[tuple[float, float, float]] = []
    late_starts: list[float] = []
    errors: list[str] = []
    randomness = random.Random(16)

    def one(due: float) -> None:
        late_starts.append(time.perf_counter() - due)
        if not hasattr(local, "client"):
            local.client = HttpClient(server.base)
        code = work.get()
        try:
            measured, more = _step(local.client, token, code)
        except RuntimeError as exc:
            errors.append(str(exc))
            return
        latencies.append(measured)
        if more:
            work.put(code)

    pids = server.pids()
    before = cpu_seconds(pids)
    started = time.perf_counter()
    due = started
    with ThreadPoolExecutor(max_workers=64) as pool:
        for _ in range(arrivals):
            due += randomness.expovariate(rate)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(one, due)
    wall, cpu = time.perf_counter() - started, cpu_seconds(pids) - before
    return {"rate_per_s": round(rate, 1), "arrivals": arrivals, "steps": len(latencies), "errors": len(errors),
            "first_errors": errors[:3], "seconds": round(wall, 2), "achieved_per_s": round(len(latencies) / wall, 1),
            "server_cpu_ms": round(1000 * cpu / max(len(latencies), 1), 2),
            "start_lateness_p99_ms": ms(percentile(late_starts, 0.99)), **_latency_figures(latencies)}


def _inbox(server: Server, token: str, reads: int) -> dict:
    """`reads` reads of the desk's inbox (`GET /tasks?scope=available`, 50 rows), one after another."""
    client = HttpClient(server.base)
    latencies, rows = [], 0
    pids = server.pids()
    before = cpu_seconds(pids)
    for _ in range(reads):
        t0 = time.perf_counter()
        status, listed = client.call("GET", "/api/v1/tasks?scope=available&per_page=50", token)
        latencies.append(time.perf_counter() - t0)
        if status != 200:
            raise SystemExit(f"reading the inbox failed: {status} {str(listed)[:300]}")
        rows = len(listed)
    cpu = cpu_seconds(pids) - before
    client.close()
    return {"reads": reads, "rows": rows, "server_cpu_ms": round(1000 * cpu / reads, 2),
            "p50_ms": ms(percentile(latencies, 0.5)), "p99_ms": ms(percentile(latencies, 0.99))}


def _finished_code(server: Server, token: str) -> str:
    """A dossier taken through all its ten steps by the API: the template of the finished ones."""
    code = _receive_many(server, token, 1)[0][0]
    client = HttpClient(server.base)
    while _step(client, token, code)[1]:
        pass
    client.close()
    return code


# --- generated data ------------------------------------------------------------------------------------

def generate(database_url: str, *, finished: int, open_: int, finished_code: str, open_code: str) -> dict:
    """Insert `finished` copies of the finished dossier `finished_code` (its instance, dossier and
    human-task rows) and `open_` copies of the open one `open_code` (with its workflow task rows, its
    first task ready), with bulk inserts; then ANALYZE. The audit trail is not copied (it is a hash
    chain); nor are the finished instances' workflow task rows, which nothing reads once finished."""
    engine = make_engine(database_url)
    metadata = sa.MetaData()
    metadata.reflect(engine, only=("process_instance", "dossier", "human_task", "instance_task"))
    tables = metadata.tables
    started = time.perf_counter()
    counts = {"finished_dossiers": finished, "open_dossiers": open_, "human_task_rows": 0, "instance_task_rows": 0}
    for template_code, count, prefix, with_workflow_rows in ((finished_code, finished, "F", False),
                                                             (open_code, open_, "O", True)):
        template = _template(engine, tables, template_code, with_workflow_rows)
        with engine.connect() as connection:
            next_instance = connection.scalar(sa.select(sa.func.max(tables["process_instance"].c.id))) + 1
            next_dossier = connection.scalar(sa.select(sa.func.max(tables["dossier"].c.id))) + 1
        progress = Progress(f"generating {'finished' if prefix == 'F' else 'open'} dossiers", count, every=10)
        for batch_start in range(0, count, BATCH):
            rows: dict[str, list[dict]] = {name: [] for name in tables}
            for i in range(batch_start, min(count, batch_start + BATCH)):
                instance_id, dossier_id = next_instance + i, next_dossier + i
                rows["process_instance"].append({**template["process_instance"][0], "id": instance_id})
                rows["dossier"].append({**template["dossier"][0], "id": dossier_id, "instance_id": instance_id,
                                        "code": f"BENCH-{prefix}{i:07d}"})
                rows["human_task"] += [{**task, "instance_id": instance_id,
                                        "id": str(uuid.UUID(int=(instance_id << 16) + n))}
                                       for n, task in enumerate(template["human_task"])]
                rows["instance_task"] += [{**task, "instance_id": instance_id}
                                          for task in template.get("instance_task", [])]
            with engine.begin() as connection:
                for name in ("process_instance", "dossier", "human_task", "instance_task"):
                    if rows.get(name):
                        connection.execute(tables[name].insert(), rows[name])
            counts["human_task_rows"] += len(rows["human_task"])
            counts["instance_task_rows"] += len(rows.get("instance_task", []))
            progress.update(min(count, batch_start + BATCH))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table, column in (("process_instance", "id"), ("dossier", "id")):
                connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                                           f"(SELECT max({column}) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))
    counts["seconds"] = round(time.perf_counter() - started, 1)
    with engine.connect() as connection:
        counts["human_task_rows_in_all"] = connection.scalar(sa.select(sa.func.count()).select_from(
            tables["human_task"]))
    engine.dispose()
    return counts


def _template(engine: sa.Engine, tables: dict, code: str, with_workflow_rows: bool) -> dict[str, list[dict]]:
    """The rows of dossier `code` and its instance, as dictionaries (ids to be replaced)."""
    dossier, instance, human, workflow_rows = (tables[name] for name in ("dossier", "process_instance", "human_task",
                                                                         "instance_task"))
    with engine.connect() as connection:
        found = connection.execute(sa.select(dossier).where(dossier.c.code == code)).mappings().one()
        instance_id = found["instance_id"]
        template = {
            "dossier": [dict(found)],
            "process_instance": [dict(connection.execute(sa.select(instance).where(instance.c.id == instance_id))
                                      .mappings().one())],
            "human_task": [dict(r) for r in connection.execute(sa.select(human).where(
                human.c.instance_id == instance_id).order_by(human.c.created_at)).mappings()],
        }
        if with_workflow_rows:
            template["instance_task"] = [dict(r) for r in connection.execute(sa.select(workflow_rows).where(
                workflow_rows.c.instance_id == instance_id)).mappings()]
    return template


# --- the plans of the hot path ---------------------------------------------------------------------------

def plans(database_url: str) -> list[dict]:
    """Every statement a step (list, claim, complete) and an inbox read send, captured from the
    application run in-process on the database, with its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
    on PostgreSQL) and the big tables (BIG_ROWS rows or more) it reads without an index."""
    from api import create_app
    from workflows.settings import from_env

    app = create_app(from_env().with_overrides(database_url=database_url))
    engine = app.extensions["motcua_engine"]
    client = app.test_client()
    answer = client.post("/api/v1/auth/login", json={"username": "desk", "password": "demo"}).get_json()
    headers = {"Authorization": f"Bearer {answer['access_token']}"}
    code = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure_code": LINEAR10, "channel": "in_person", "applicant": APPLICANT, "data": {}}).get_json()["code"]
    captured: list[tuple[str, str, object]] = []

    def log(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
            captured.append((current[0], statement, parameters))

    current = ["list"]
    sa.event.listen(engine, "before_cursor_execute", log)
    try:
        task = client.get(f"/api/v1/tasks?dossier_code={code}", headers=headers).get_json()[0]
        current[0] = "claim"
        client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers)
        current[0] = "complete"
        client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers,
                    json={"data": STEP_DATA[task["bpmn_id"]][1]})
        current[0] = "inbox"
        client.get("/api/v1/tasks?scope=available&per_page=50", headers=headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", log)
    found, seen = [], set()
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        # a full scan of a table of a few rows is the planner's right choice: only big ones count
        big = {table for table in BIG_TABLES
               if connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) >= BIG_ROWS}
        for request, statement, parameters in captured:
            key = " ".join(statement.split())
            if key in seen:
                continue
            seen.add(key)
            cursor = connection.connection.driver_connection.cursor()
            cursor.execute(prefix + statement, parameters)
            lines = [" ".join(str(v) for v in row[-1:]) for row in cursor.fetchall()]
            cursor.close()
            found.append({"request": request, "statement": key[:300], "plan": lines,
                          "unindexed": _unindexed(engine.dialect.name, lines, big)})
        connection.rollback()
    engine.dispose()
    return found


def _unindexed(dialect: str, plan: list[str], big: set[str] | tuple[str, ...] = BIG_TABLES) -> list[str]:
    """The `big` tables the plan reads whole (SQLite `SCAN t` without an index, PostgreSQL `Seq Scan on t`)."""
    tables = []
    for line in plan:
        if dialect == "sqlite":  # SCAN t, SCAN t_1 (an alias); not SCAN t USING [COVERING] INDEX
            match = re.match(r"\s*SCAN (\w+?)(?:_\d+)?(?: AS \w+)?\s*$", line)
        else:
            match = re.search(r"Seq Scan on (\w+)", line)
        if match and match.group(1) in big:
            tables.append(match.group(0).strip())
    return tables
