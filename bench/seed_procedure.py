"""Task completions per second through the service layer (in-process, no HTTP), on a seed procedure.

Runs N dossiers down the happy path on a fresh database and prints throughput, per-completion
latency percentiles and the stored state size. The path is followed task by task as the model
opens them: check, review, sign, then — when the result is ready before the due day — the desk's
`call_applicant`, then `return_result` (in person). The transfer is reviewed by `specialist`, the
diploma copy by `khaothi` (the examinations division decides it).

    .venv/bin/python bench/seed_procedure.py [--dossiers 200] [--procedure CHUYEN_TRUONG_THPT|CAP_BAN_SAO_VAN_BANG]
                                             [--database-url URL]

Default database: a temporary SQLite file; a PostgreSQL URL gets a throwaway database beside it.
Figures depend on the machine; nothing asserts them. `make bench` runs the fuller suite (bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_load import STEPS  # noqa: E402 - after the path fix above
from bench.common import RESULTS, fresh_database, percentile  # noqa: E402
from bench.server import prepare_database  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.models import ProcessInstance  # noqa: E402
from workflows import auth, dossiers, tasks  # noqa: E402
from workflows.models import User  # noqa: E402

SEED_PROCEDURES = ("CHUYEN_TRUONG_THPT", "CAP_BAN_SAO_VAN_BANG")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--procedure", default="CHUYEN_TRUONG_THPT", choices=SEED_PROCEDURES)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.database_url and args.database_url.startswith("postgresql"):
        with fresh_database("postgresql", args.database_url, "seed") as url:
            run(url, args.dossiers, args.procedure)
    else:
        run(args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='motcua-bench-')}/bench.db", args.dossiers,
            args.procedure)


def run(url: str, dossier_count: int, procedure: str) -> None:
    auth.use_cheap_hashing_for_tests()  # logins are not what is measured
    prepare_database(url)
    sessions = make_session_factory(make_engine(url))
    steps = STEPS[procedure]
    with sessions() as session:
        users = {name: auth.principal_of(session.scalars(select(User).where(User.username == name)).one())
                 for name, _ in steps.values()}

    received = []
    started = time.perf_counter()
    for _ in range(dossier_count):
        with sessions() as session, session.begin():
            shown = dossiers.receive_dossier(
                session, users["desk"], procedure_code=procedure, channel="in_person",
                applicant=dossiers.Applicant("Nguyễn Văn A", "079204001234"), data={}, code_prefix="BENCH")
            received.append(shown.dossier.code)
    receive_seconds = time.perf_counter() - started

    latencies, paths = [], {}
    started = time.perf_counter()
    for code in received:
        path = []
        while True:
            with sessions() as session:
                view = next((v for v in tasks.list_tasks(session, users["desk"], dossier_code=code)
                             + _others(session, users, code) if v.task.bpmn_id in steps), None)
            if view is None:
                break
            username, data = steps[view.task.bpmn_id]
            t0 = time.perf_counter()
            with sessions() as session, session.begin():
                tasks.complete_task(session, users[username], view.task.id, data)
            latencies.append(time.perf_counter() - t0)
            path.append(view.task.bpmn_id)
        paths[" → ".join(path)] = paths.get(" → ".join(path), 0) + 1
    complete_seconds = time.perf_counter() - started

    with sessions() as session:
        state_bytes = session.scalar(select(func.avg(func.length(ProcessInstance.state))))
    figures = {
        "database": url.split(":", 1)[0].split("+")[0],
        "procedure": procedure,
        "dossiers": dossier_count,
        "receipts_per_second": round(dossier_count / receive_seconds, 1),
        "completions": len(latencies),
        "completions_per_second": round(len(latencies) / complete_seconds, 1),
        "completion_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "completion_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "finished_state_bytes_avg": int(state_bytes or 0),
        "paths": paths,
    }
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"seed_procedure_{procedure}_{figures['database']}.json").write_text(json.dumps(figures, indent=2))


def _others(session, users: dict, code: str) -> list:
    """The dossier's open tasks as the other users see them (the desk's come first)."""
    views = []
    for name, principal in users.items():
        if name != "desk":
            views += tasks.list_tasks(session, principal, dossier_code=code)
    return views


if __name__ == "__main__":
    main()
