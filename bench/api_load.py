"""Part `api`: task completions through the HTTP API of a real server, with 1, 8, 32 concurrent clients.

For each database a fresh one is made and prepared as `make run` does (migrate, deploy-models,
seed-demo); `motcua serve --workers N` serves it on a free port. As the demo `admin` (a designer
and an administrator) the benchmark deploys bench/models/linear10.bpmn through the API and
registers the procedure BENCH_LINEAR10 for it (its one lane mapped to desk_officer).

For each procedure and number of clients: the dossiers are received first (POST /api/v1/dossiers,
not measured) and their first task looked up; enough of them for all the completions and one more
per client, so that every client always has one to work on (those the previous configurations left
open are worked too, first). Then the clients, each a thread with its
own keep-alive connection, take open tasks from a shared queue, complete them, and put back the
dossier's next task from `next_tasks` of the answer, until the wanted number of completions is
done. Only the completions are timed: the rate is completions / wall time of that phase, the
latency is each POST .../complete as the client saw it, and the server's CPU time (gunicorn master
and workers, from /proc) is divided by the completions.
"""

from __future__ import annotations

import math
import os
import queue
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import MODELS, cpu_seconds, mib, ms, percentile, rss_bytes
from bench.server import HttpClient, Server, login, prepare_database, running_server, server_env, upload_model

LINEAR10 = "BENCH_LINEAR10"
LINEAR10_PROCEDURE = {
    "code": LINEAR10, "name": "Mười bước nối tiếp (đo hiệu năng)", "field": "Đo hiệu năng",
    "processing_time_value": 15, "processing_time_unit": "working_days", "deciding_unit_code": "BP_MOT_CUA",
    "process_id": "bench_linear10", "lane_roles": {"Tổ xử lý thử": "desk_officer"},
}
APPLICANT = {"full_name": "Nguyễn Văn Đo", "id_number": "079204001234", "phone": "0912345678"}
USERS = ("desk", "specialist", "khaothi", "leader")

# Who completes each task of a procedure, with what data: the happy path. After `sign`, a result
# ready before the due day gives the desk `call_applicant` first, then `return_result`.
_SEED_STEPS = {
    "check_dossier": ("desk", {"check_result": "complete"}),
    "review": ("specialist", {"opinion": "approve", "note": "Đủ điều kiện"}),
    "sign": ("leader", {"decision": "approve"}),
    "call_applicant": ("desk", {"called": True, "note": "Đã gọi"}),
    "return_result": ("desk", {"return_method": "in_person", "receiver_name": "Nguyễn Văn Đo"}),
}
STEPS: dict[str, dict[str, tuple[str, dict]]] = {
    LINEAR10: {f"step_{i:02d}": ("desk", {"note": f"bước {i}"}) for i in range(1, 11)},
    "CHUYEN_TRUONG_THPT": _SEED_STEPS,
    # The diploma copy is decided by the examinations division: its specialist is `khaothi`.
    "CAP_BAN_SAO_VAN_BANG": {**_SEED_STEPS, "review": ("khaothi", {"opinion": "approve", "note": "Khớp sổ gốc"})},
}
STEPS_PER_DOSSIER = {LINEAR10: 10, "CHUYEN_TRUONG_THPT": 4, "CAP_BAN_SAO_VAN_BANG": 4}


class Quota:
    """A number of completions the clients share out, one at a time."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


@dataclass
class ClientLog:
    """What one client thread saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run(kind: str, database_url: str, *, procedures: list[str], clients: list[int], completions: int,
        workers: int) -> list[dict]:
    """The `api` rows for one database (already created, empty)."""
    with tempfile.TemporaryDirectory(prefix="motcua-bench-api-") as folder:
        env = server_env(database_url, Path(folder))
        print(f"  [{kind}] preparing the database (migrate, deploy-models, seed-demo)", flush=True)
        prepare_database(database_url)
        with running_server(env, workers=workers, log_path=Path(folder) / "server.log") as server:
            print(f"  [{kind}] server up in {server.startup_seconds:.1f} s, {workers} worker(s)", flush=True)
            tokens = _set_up(server)
            rows = []
            for procedure in procedures:
                open_tasks = _warm_up(server, tokens, procedure, workers)
                for count in clients:
                    row = _measure(server, tokens, procedure, count, completions, open_tasks)
                    rows.append({"part": "api", "database": kind, "workers": workers, **row})
                    print(f"  [{kind}] {procedure} × {count} clients: {row['completions_per_s']:.1f}/s, "
                          f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms", flush=True)
            return rows


def _set_up(server: Server) -> dict[str, str]:
    """Log the users in; deploy the 10-task model through the API and register its procedure."""
    client = HttpClient(server.base)
    admin = login(client, "admin")
    upload_model(client, admin, MODELS / "linear10.bpmn")
    status, body = client.call("POST", "/api/v1/procedures", admin, LINEAR10_PROCEDURE)
    if status != 201:
        raise SystemExit(f"registering {LINEAR10} failed: {status} {body}")
    tokens = {name: login(client, name) for name in USERS}
    client.close()
    return tokens


def _receive(client: HttpClient, tokens: dict[str, str], procedure: str) -> dict:
    """Receive one dossier at the desk; its first open task (as the API lists it)."""
    status, dossier = client.call("POST", "/api/v1/dossiers", tokens["desk"], {
        "procedure_code": procedure, "channel": "in_person", "applicant": APPLICANT, "data": {}})
    if status != 201:
        raise SystemExit(f"receiving a {procedure} dossier failed: {status} {dossier}")
    status, tasks = client.call("GET", f"/api/v1/tasks?dossier_code={dossier['code']}", tokens["desk"])
    if status != 200 or not tasks:
        raise SystemExit(f"dossier {dossier['code']} has no first task: {status} {tasks}")
    return tasks[0]


def _receive_many(server: Server, tokens: dict[str, str], procedure: str, count: int) -> tuple[list[dict], float]:
    """Receive `count` dossiers with 8 clients; their first tasks and the receipts per second."""
    local = threading.local()

    def one(_: int) -> dict:
        if not hasattr(local, "client"):
            local.client = HttpClient(server.base)
        return _receive(local.client, tokens, procedure)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        first_tasks = list(pool.map(one, range(count)))
    return first_tasks, count / (time.perf_counter() - started)


def _drive(base: str, tokens: dict[str, str], procedure: str, work: queue.Queue, quota: Quota, log: ClientLog,
           start: threading.Barrier) -> None:
    """One client: complete open tasks from `work`, putting back each dossier's next one, while `quota` lasts."""
    steps = STEPS[procedure]
    client = HttpClient(base)
    start.wait()
    while quota.take():
        try:
            task = work.get(timeout=60)
        except queue.Empty:
            log.errors.append("no open task left to complete")
            break
        username, data = steps[task["bpmn_id"]]
        t0 = time.perf_counter()
        status, body = client.call("POST", f"/api/v1/tasks/{task['id']}/complete", tokens[username], {"data": data})
        elapsed = time.perf_counter() - t0
        if status != 200:
            log.errors.append(f"{task['bpmn_id']}: {status} {str(body)[:300]}")
            continue
        log.latencies.append(elapsed)
        following = next((t for t in body["next_tasks"] if t["bpmn_id"] in steps and t["id"] != task["id"]), None)
        if following is not None:
            work.put(following)
    client.close()


def _run_clients(server: Server, tokens: dict[str, str], procedure: str, open_tasks: list[dict], clients: int,
                 completions: int) -> tuple[list[ClientLog], float, float, float]:
    """`completions` completions by `clients` threads, from `open_tasks` (left holding the tasks still open);
    the clients' logs, the wall time, the server's and the clients' CPU time."""
    work: queue.Queue = queue.Queue()
    for task in open_tasks:
        work.put(task)
    quota = Quota(completions)
    logs = [ClientLog() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=_drive, args=(server.base, tokens, procedure, work, quota, log, start))
               for log in logs]
    for thread in threads:
        thread.start()
    pids = server.pids()
    cpu_before, own_before = cpu_seconds(pids), _own_cpu()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    server_cpu, client_cpu = cpu_seconds(pids) - cpu_before, _own_cpu() - own_before
    open_tasks[:] = [work.get_nowait() for _ in range(work.qsize())]
    return logs, wall, server_cpu, client_cpu


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _warm_up(server: Server, tokens: dict[str, str], procedure: str, workers: int) -> list[dict]:
    """A few dossiers received and taken a few steps, so that every worker has loaded the model before
    anything is timed; their tasks still open."""
    open_tasks, _ = _receive_many(server, tokens, procedure, 2 * workers)
    _run_clients(server, tokens, procedure, open_tasks, 2 * workers, 4 * workers)
    return open_tasks


def _measure(server: Server, tokens: dict[str, str], procedure: str, clients: int, completions: int,
             open_tasks: list[dict]) -> dict:
    """One configuration, from the dossiers left open by the previous ones and as many new as it needs."""
    # Enough new dossiers for all the completions, and `clients` more, so that no client ever waits
    # for work: the dossiers the previous configurations left open may be near their end (on a seed
    # procedure one of them may give a single completion), so they are not counted on.
    new = clients + math.ceil(completions / STEPS_PER_DOSSIER[procedure])
    received, receipts_per_s = _receive_many(server, tokens, procedure, new)
    open_tasks += received
    logs, wall, server_cpu, client_cpu = _run_clients(server, tokens, procedure, open_tasks, clients, completions)
    latencies = [value for log in logs for value in log.latencies]
    errors = [error for log in logs for error in log.errors]
    done = max(len(latencies), 1)
    return {
        "procedure": procedure, "clients": clients, "dossiers_received": new, "completions": len(latencies),
        "errors": len(errors), "first_errors": errors[:3], "seconds": round(wall, 2),
        "completions_per_s": round(len(latencies) / wall, 1),
        "p50_ms": ms(percentile(latencies, 0.50)), "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(max(latencies, default=0.0)),
        "server_cpu_ms": round(1000 * server_cpu / done, 2), "client_cpu_ms": round(1000 * client_cpu / done, 2),
        "server_rss_mib": mib(max((rss_bytes(pid) for pid in server.pids()), default=0)),
        "receipts_per_s": round(receipts_per_s, 1) if receipts_per_s else None,
    }
