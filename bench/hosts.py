"""Part `hosts`: two hosts' worth of servers on one PostgreSQL, to check docs/benchmarks.md's Capacity model
(issue #16).

The model predicts a dossier's server CPU and PostgreSQL CPU from one host's figures and says that one
PostgreSQL core keeps about 2.5–3 server cores busy. This part runs real dossiers of a seed procedure
end to end and measures both, on one host and then on two sharing the database:

1. one fresh PostgreSQL database, prepared as `make run` does (bench/server.py); host A, a
   `motcua serve --workers 4` (a host is 2 cores, served with the production settings: two workers
   per core, one thread each), is started; the demo users log in (their tokens
   live in the database, so either host accepts them); BACKLOG dossiers are received and left at
   the desk, so that every inbox read lists 50 tasks, as the model's inbox figure does;
2. warm-up on host A, then the one-host phase: half the clients, each driving dossiers one after
   another until `dossiers` are done;
3. host B, a second `motcua serve --workers 4` on its own port, same database; warm-up on both,
   then the two-host phase: all the clients, split evenly over the hosts, `dossiers` more;
4. the control: one server of both hosts' workers (`--workers 8`), all the clients, `dossiers` more:
   as many server processes and clients on the machine's cores as two hosts, on one host; what
   contention alone does to a dossier's CPU, to tell it from what two hosts on one database do;
5. the check, in the database: every dossier driven returned to its applicant (status 10), its
   instance ended, each of its human tasks completed once, by the user who did it, and no task
   completed twice (one `task.completed` audit event per task row).

A dossier is driven as the desk and the officers' clients do it: received at the desk (POST
/api/v1/dossiers), then each human task in turn by the demo user of its role (`bench.api_load.STEPS`:
GET /api/v1/tasks?dossier_code= → claim → complete with the task's form data) until the completion
answers no next task; after the receipt and after each step, two of the INBOX_READS reads of the
desk's inbox (GET /api/v1/tasks?scope=available&per_page=50) the model counts per dossier, the rest
at the end. Each of these (receipt, step, read) goes to the next host in turn, as a load balancer
would send them: a step on one host, the next on the other.

Server CPU is the user + system time of both hosts' gunicorn masters and workers (/proc) over the
phase; database CPU that of the PostgreSQL backends connected to the database
(bench.steps.database_pids), both per dossier finished; their ratio is the model's 2.5–3. Both hold
the hosts' background work (each host's scheduler polls the database): before each phase the hosts
are left idle IDLE_SECONDS and that CPU per second is given beside. The clients run in this
process; their CPU is given too. The model's prediction for two hosts is the one-host phase's CPU
per dossier and ratio (the model assumes a dossier's cost does not change with the number of
hosts); the two-host phase measures it. On a machine of few cores "two hosts" share them with the
database and the clients: what this checks is the CPU per dossier and the ratio under contention,
and that two servers on one database lose and double nothing; not the capacity of two real hosts.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import Counter
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.api_load import APPLICANT, STEPS, USERS, Quota
from bench.common import cpu_seconds, ms, percentile
from bench.server import HttpClient, Server, login, prepare_database, production_workers, running_server, server_env
from bench.steps import _latency_figures, database_pids, timed_step
from engine.models import AuditEvent, HumanTask, ProcessInstance
from workflows import statuses
from workflows.models import Dossier

PROCEDURE = "CHUYEN_TRUONG_THPT"  # the seed procedure of docs/benchmarks.md's figures; its specialist is `specialist`
STEP_DATA = STEPS[PROCEDURE]
FIRST_TASK = "check_dossier"  # a received dossier's first task, the desk's
INBOX_READS = 10  # per dossier, as the Capacity model assumes
READS_PER_EVENT = 2  # of them after the receipt and after each step
BACKLOG = 60  # dossiers left at the desk: every inbox read lists 50 tasks
HOST_WORKERS = production_workers(cores=2)  # a host is 2 cores, served with the production settings
ATTEMPTS = 3  # a step that fails is tried again (listing the dossier's tasks anew) up to this many times in all
IDLE_SECONDS = 5.0  # the hosts left idle before a phase: their schedulers' own CPU, and the database's
DOCUMENTED_RATIO = 2.5  # docs/benchmarks.md, Capacity: "plan on a ratio of 2.5" (measured 2.5-3.0)


@dataclass
class DrivenDossier:
    """What a client did to one dossier: its code, the tasks it completed (bpmn id, user) in order."""

    code: str
    steps: list[tuple[str, str]] = field(default_factory=list)
    finished: bool = False


@dataclass
class ClientLog:
    """What one client thread saw."""

    dossiers: list[DrivenDossier] = field(default_factory=list)
    steps: list[tuple[float, float, float]] = field(default_factory=list)  # list, claim, complete
    receipts: list[float] = field(default_factory=list)
    reads: list[float] = field(default_factory=list)
    read_rows: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    hosts: Counter = field(default_factory=Counter)  # units of work sent to each host


def run(database_url: str, *, row: dict, dossiers: int, clients: int, workers: int = HOST_WORKERS) -> list[dict]:
    """Fill `row` with the one-host, two-host and control figures, the model check and the check in the
    database, on one fresh PostgreSQL database."""
    row.update({"part": "hosts", "database": "postgresql", "procedure": PROCEDURE, "workers_per_host": workers,
                "clients": clients, "dossiers_per_phase": dossiers, "cpus": os.cpu_count()})
    driven: list[DrivenDossier] = []
    with tempfile.TemporaryDirectory(prefix="motcua-bench-hosts-") as folder, ExitStack() as hosts:
        print("  [postgresql] preparing the database (migrate, deploy-models, seed-demo)", flush=True)
        prepare_database(database_url)
        host_a = hosts.enter_context(_host(database_url, Path(folder), "a", workers))
        tokens = _log_in(host_a)
        row["backlog_dossiers"] = _receive_backlog(host_a, tokens["desk"], BACKLOG)
        _warm_up([host_a], tokens, workers, driven)
        idle = _idle([host_a], database_url)
        row["one_host"] = {**_measured(_load([host_a], tokens, max(1, clients // 2), dossiers, database_url),
                                       driven), **idle}
        _report("one host", row["one_host"])
        host_b = hosts.enter_context(_host(database_url, Path(folder), "b", workers))
        _warm_up([host_b, host_a], tokens, workers, driven)
        idle = _idle([host_a, host_b], database_url)
        row["two_hosts"] = {**_measured(_load([host_a, host_b], tokens, clients, dossiers, database_url), driven),
                            **idle}
        _report("two hosts", row["two_hosts"])
        # the control: both hosts' workers in one server, all the clients (the two hosts stay up, idle)
        control = hosts.enter_context(_host(database_url, Path(folder), "control", 2 * workers))
        _warm_up([control], tokens, 2 * workers, driven)
        idle = _idle([control], database_url)
        row["control"] = {**_measured(_load([control], tokens, clients, dossiers, database_url), driven), **idle,
                          "workers": 2 * workers}
        _report(f"control, one server of {2 * workers} workers", row["control"])
    row["check"] = check(database_url, driven)
    row["model"] = model_check(row["one_host"], row["two_hosts"], row["control"])
    print(f"  [postgresql] check: {row['check']['verdict']}", flush=True)
    return [row]


def _host(database_url: str, folder: Path, name: str, workers: int) -> AbstractContextManager[Server]:
    """One host's server: `motcua serve --workers N` on its own port, on the shared database."""
    data_dir = folder / name
    data_dir.mkdir()
    return running_server(server_env(database_url, data_dir), workers=workers, log_path=folder / f"server-{name}.log")


def _warm_up(hosts: list[Server], tokens: dict[str, str], workers: int, driven: list[DrivenDossier]) -> None:
    """A few dossiers driven through, not measured, so that every worker has loaded the model and compiled its
    statements; they are checked with the others."""
    logs, _ = _load(hosts, tokens, 2 * workers, 2 * workers)
    driven += [d for log in logs for d in log.dossiers]


def _idle(hosts: list[Server], database_url: str) -> dict:
    """The CPU the hosts (their schedulers) and the database's backends use per second with no client:
    what a phase's figures hold beside the dossiers' own work."""
    server_pids = [pid for host in hosts for pid in host.pids()]
    backends = database_pids(database_url)
    server_before, backends_before = cpu_seconds(server_pids), _each_cpu(backends)
    time.sleep(IDLE_SECONDS)
    database = sum(cpu_seconds([pid]) - backends_before.get(pid, 0.0) for pid in database_pids(database_url))
    return {"idle_server_cpu_ms_per_s": round(1000 * (cpu_seconds(server_pids) - server_before) / IDLE_SECONDS, 1),
            "idle_database_cpu_ms_per_s": round(1000 * database / IDLE_SECONDS, 1)}


def _log_in(host: Server) -> dict[str, str]:
    client = HttpClient(host.base)
    tokens = {name: login(client, name) for name in USERS}
    client.close()
    return tokens


def _receive_backlog(host: Server, desk_token: str, count: int) -> int:
    client = HttpClient(host.base)
    for _ in range(count):
        _receive(client, desk_token)
    client.close()
    return count


def _receive(client: HttpClient, desk_token: str) -> str:
    status, dossier = client.call("POST", "/api/v1/dossiers", desk_token, {
        "procedure_code": PROCEDURE, "channel": "in_person", "applicant": APPLICANT, "data": {}})
    if status != 201:
        raise RuntimeError(f"receiving a {PROCEDURE} dossier: {status} {str(dossier)[:300]}")
    return dossier["code"]


# --- the clients ---------------------------------------------------------------------------------------

class Rotation:
    """A client's connections to the hosts, handing out the next host for each unit of work."""

    def __init__(self, hosts: list[Server], first: int) -> None:
        self.clients = [HttpClient(host.base) for host in hosts]
        self.next = first

    def take(self, log: ClientLog) -> HttpClient:
        index = self.next % len(self.clients)
        self.next += 1
        log.hosts[index] += 1
        return self.clients[index]

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _step(client: HttpClient, tokens: dict[str, str], code: str, user: str) -> tuple[tuple[float, float, float],
                                                                                    str, str | None]:
    """One officer's step on dossier `code` as `user`: list its tasks, claim the one of `user`'s role,
    complete it with its form data. The three latencies, the task's bpmn id, and the user of the next
    task (None when the completion answers none)."""
    latencies, task, done = timed_step(
        client, tokens[user], code, lambda listed: next((t for t in listed if t["bpmn_id"] in STEP_DATA), None),
        lambda bpmn_id: STEP_DATA[bpmn_id][1])
    following = next((t for t in done["next_tasks"] if t["bpmn_id"] in STEP_DATA), None)
    return latencies, task["bpmn_id"], STEP_DATA[following["bpmn_id"]][0] if following else None


def _read_inbox(client: HttpClient, desk_token: str, log: ClientLog) -> None:
    t0 = time.perf_counter()
    status, listed = client.call("GET", "/api/v1/tasks?scope=available&per_page=50", desk_token)
    if status != 200:
        log.errors.append(f"reading the inbox: {status} {str(listed)[:300]}")
        return
    log.reads.append(time.perf_counter() - t0)
    log.read_rows.append(len(listed))


def _drive_dossier(rotation: Rotation, tokens: dict[str, str], log: ClientLog) -> DrivenDossier:
    """One dossier from its receipt to its last task, with its inbox reads; each unit of work on the next host."""
    t0 = time.perf_counter()
    dossier = DrivenDossier(_receive(rotation.take(log), tokens["desk"]))
    log.receipts.append(time.perf_counter() - t0)
    log.dossiers.append(dossier)
    reads = 0

    def read(count: int) -> int:
        for _ in range(count):
            _read_inbox(rotation.take(log), tokens["desk"], log)
        return count

    reads += read(min(READS_PER_EVENT, INBOX_READS - reads))
    user: str | None = STEP_DATA[FIRST_TASK][0]
    while user is not None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                latencies, bpmn_id, following = _step(rotation.take(log), tokens, dossier.code, user)
                break
            except RuntimeError as exc:
                log.errors.append(str(exc))
                if attempt == ATTEMPTS:
                    return dossier  # given up: the check shows it unfinished
                log.retries += 1
        log.steps.append(latencies)
        dossier.steps.append((bpmn_id, user))
        user = following
        reads += read(min(READS_PER_EVENT, INBOX_READS - reads))
    read(INBOX_READS - reads)
    dossier.finished = True
    return dossier


def _load(hosts: list[Server], tokens: dict[str, str], clients: int, dossiers: int,
          database_url: str | None = None) -> tuple[list[ClientLog], dict]:
    """`dossiers` dossiers driven end to end by `clients` closed-loop clients, client i starting on host
    i mod len(hosts). The clients' logs, and the phase's wall time and CPU (servers, this process, and
    with `database_url` the database's backends)."""
    quota, logs = Quota(dossiers), [ClientLog() for _ in range(clients)]
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        rotation = Rotation(hosts, index)
        start.wait()
        try:
            while quota.take():
                try:
                    _drive_dossier(rotation, tokens, logs[index])
                except (RuntimeError, OSError) as exc:  # a receipt refused, a connection lost: the next dossier
                    logs[index].errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        finally:
            rotation.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    server_pids = [pid for host in hosts for pid in host.pids()]
    backends = database_pids(database_url) if database_url else []
    server_before, backends_before, own_before = cpu_seconds(server_pids), _each_cpu(backends), _own_cpu()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    usage = {"seconds": wall, "server_cpu": cpu_seconds(server_pids) - server_before,
             "client_cpu": _own_cpu() - own_before}
    if database_url:
        # the backends alive at the end: one opened during the phase counts whole, one closed is lost
        usage["database_cpu"] = sum(cpu - backends_before.get(pid, 0.0)
                                    for pid, cpu in _each_cpu(database_pids(database_url)).items())
    usage["hosts"], usage["clients"] = len(hosts), clients
    return logs, usage


def _each_cpu(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds([pid]) for pid in pids}


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


# --- figures -------------------------------------------------------------------------------------------

def _measured(load: tuple[list[ClientLog], dict], driven: list[DrivenDossier]) -> dict:
    """A phase's figures from its clients' logs and its CPU; its dossiers are added to `driven`."""
    logs, usage = load
    dossiers = [d for log in logs for d in log.dossiers]
    driven += dossiers
    finished = sum(d.finished for d in dossiers)
    steps = [s for log in logs for s in log.steps]
    errors = [e for log in logs for e in log.errors]
    per_dossier, per_step = max(finished, 1), max(len(steps), 1)
    database_cpu = usage.get("database_cpu")
    hosts = Counter()
    for log in logs:
        hosts.update(log.hosts)
    return {
        "hosts": usage["hosts"], "clients": usage["clients"], "dossiers": len(dossiers), "finished": finished,
        "steps": len(steps), "steps_per_dossier": round(len(steps) / per_dossier, 2),
        "errors": len(errors), "retries": sum(log.retries for log in logs), "first_errors": errors[:5],
        "seconds": round(usage["seconds"], 2), "dossiers_per_s": round(finished / usage["seconds"], 2),
        "steps_per_s": round(len(steps) / usage["seconds"], 1),
        "server_cpu_ms_per_dossier": round(1000 * usage["server_cpu"] / per_dossier, 1),
        "server_cpu_ms_per_step": round(1000 * usage["server_cpu"] / per_step, 2),
        "database_cpu_ms_per_dossier": round(1000 * database_cpu / per_dossier, 1) if database_cpu else None,
        "server_per_database": round(usage["server_cpu"] / database_cpu, 2) if database_cpu else None,
        "client_cpu_ms_per_dossier": round(1000 * usage["client_cpu"] / per_dossier, 1),
        "receipt_p50_ms": ms(percentile([r for log in logs for r in log.receipts], 0.5)),
        "inbox_p50_ms": ms(percentile([r for log in logs for r in log.reads], 0.5)),
        "inbox_rows_min": min((n for log in logs for n in log.read_rows), default=0),
        "work_per_host": [hosts[i] for i in range(usage["hosts"])],
        **_latency_figures(steps),
    }


def _report(label: str, figures: dict) -> None:
    print(f"  [postgresql] {label}: {figures['finished']} dossiers in {figures['seconds']} s, "
          f"{figures['server_cpu_ms_per_dossier']} ms server CPU and {figures['database_cpu_ms_per_dossier']} ms "
          f"database CPU per dossier (ratio {figures['server_per_database']}), {figures['errors']} errors", flush=True)


def model_check(one_host: dict, two_hosts: dict, control: dict) -> dict:
    """The model's prediction for two hosts (one host's CPU per dossier and ratio: the model assumes they do
    not change with the hosts) against the two-host measurement, as ratios two hosts ÷ one host; and two
    hosts ÷ the control (as many processes and clients on one server: what contention alone does)."""

    def ratio(name: str, base: dict = one_host) -> float | None:
        one, two = base.get(name), two_hosts.get(name)
        return round(two / one, 2) if one and two else None

    return {
        "predicted_server_cpu_ms_per_dossier": one_host["server_cpu_ms_per_dossier"],
        "predicted_database_cpu_ms_per_dossier": one_host["database_cpu_ms_per_dossier"],
        "predicted_server_per_database": one_host["server_per_database"],
        "documented_server_per_database": DOCUMENTED_RATIO,
        "measured_server_cpu_ms_per_dossier": two_hosts["server_cpu_ms_per_dossier"],
        "measured_database_cpu_ms_per_dossier": two_hosts["database_cpu_ms_per_dossier"],
        "measured_server_per_database": two_hosts["server_per_database"],
        "server_cpu_two_vs_one": ratio("server_cpu_ms_per_dossier"),
        "database_cpu_two_vs_one": ratio("database_cpu_ms_per_dossier"),
        "ratio_two_vs_one": ratio("server_per_database"),
        "control_server_cpu_ms_per_dossier": control["server_cpu_ms_per_dossier"],
        "control_database_cpu_ms_per_dossier": control["database_cpu_ms_per_dossier"],
        "server_cpu_two_vs_control": ratio("server_cpu_ms_per_dossier", control),
        "database_cpu_two_vs_control": ratio("database_cpu_ms_per_dossier", control),
    }


# --- the check -----------------------------------------------------------------------------------------

def check(database_url: str, driven: list[DrivenDossier]) -> dict:
    """In the database: each dossier driven (the warm-ups' too) returned, its instance ended, its human task
    rows exactly the tasks its client completed, each completed once by that client's user."""
    engine = sa.create_engine(database_url)
    codes = [d.code for d in driven]
    try:
        with engine.connect() as connection:
            found = {code: (status, instance_id, instance_status) for code, status, instance_id, instance_status in
                     connection.execute(sa.select(Dossier.code, Dossier.status, Dossier.instance_id,
                                                  ProcessInstance.status)
                                        .join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
                                        .where(Dossier.code.in_(codes)))}
            instances = [instance_id for _, instance_id, _ in found.values()]
            tasks: dict[int, list] = {}
            for task in connection.execute(sa.select(HumanTask.instance_id, HumanTask.id, HumanTask.bpmn_id,
                                                     HumanTask.state, HumanTask.completed_by)
                                           .where(HumanTask.instance_id.in_(instances))):
                tasks.setdefault(task.instance_id, []).append(task)
            completions = Counter(dict(connection.execute(
                sa.select(AuditEvent.subject, sa.func.count()).where(
                    AuditEvent.action == "task.completed", AuditEvent.instance_id.in_(instances))
                .group_by(AuditEvent.subject)).all()))
    finally:
        engine.dispose()
    return _verdict(driven, found, tasks, completions)


def _verdict(driven: list[DrivenDossier], found: dict, tasks: dict[int, list], completions: Counter) -> dict:
    problems: list[str] = []
    returned = task_rows = completed_once = 0
    for dossier in driven:
        if dossier.code not in found:
            problems.append(f"{dossier.code}: not in the database")
            continue
        status, instance_id, instance_status = found[dossier.code]
        if status == statuses.RESULT_RETURNED and instance_status == "completed":
            returned += 1
        else:
            problems.append(f"{dossier.code}: dossier status {status}, instance {instance_status}")
        rows = tasks.get(instance_id, [])
        task_rows += len(rows)
        expected = sorted(dossier.steps)
        stored = sorted((row.bpmn_id, row.completed_by) for row in rows if row.state == "completed")
        if stored != expected or len(rows) != len(expected):
            problems.append(f"{dossier.code}: task rows {sorted((r.bpmn_id, r.state) for r in rows)}, "
                            f"completed by the client {expected}")
        for row in rows:
            if completions[row.id] == 1:
                completed_once += 1
            else:
                problems.append(f"{dossier.code}: task {row.bpmn_id} has {completions[row.id]} completion events")
    return {"dossiers": len(driven), "returned_and_ended": returned, "task_rows": task_rows,
            "steps_completed_by_clients": sum(len(d.steps) for d in driven), "completed_once": completed_once,
            "completed_twice_or_more": sum(1 for count in completions.values() if count > 1),
            "problems": len(problems), "first_problems": problems[:10],
            "verdict": "nothing lost or doubled" if not problems else f"{len(problems)} problem(s)"}
