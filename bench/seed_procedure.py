"""Task completions per second through the service layer, on the student-transfer procedure.

Runs N dossiers down the happy path (check, review, sign, return in person) on a fresh
database and prints throughput, per-completion latency percentiles and the stored state size.

    .venv/bin/python bench/seed_procedure.py [--dossiers 200] [--database-url URL]

Default database: a temporary SQLite file. Figures depend on the machine; nothing asserts them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import migrations
from engine.db import make_engine, make_session_factory
from engine.models import ProcessInstance
from workflows import auth, dossiers, tasks
from workflows.models import User
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo

ROOT = Path(__file__).resolve().parent.parent
STEPS = (
    ("desk", "check_dossier", {"check_result": "complete"}),
    ("specialist", "review", {"opinion": "approve"}),
    ("leader", "sign", {"decision": "approve"}),
    ("desk", "return_result", {"return_method": "in_person"}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='motcua-bench-')}/bench.db"
    if url.startswith("postgresql"):
        with throwaway_postgres_database(url) as bench_url:
            run(bench_url, args.dossiers)
    else:
        run(url, args.dossiers)


@contextmanager
def throwaway_postgres_database(admin_url: str):
    """A database of its own next to `admin_url`'s, dropped afterwards."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"motcua_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, dossier_count: int) -> None:
    migrations.upgrade(url)
    sessions = make_session_factory(make_engine(url))
    auth.use_cheap_hashing_for_tests()  # logins are not what is measured
    with sessions() as session, session.begin():
        deploy_folder(session, ROOT / "bpmn_models", actor="bench")
        seed_demo(session)
        users = {name: auth.principal_of(session.scalars(select(User).where(User.username == name)).one())
                 for name in ("desk", "specialist", "leader")}

    received, latencies = [], []
    started = time.perf_counter()
    for _ in range(dossier_count):
        with sessions() as session, session.begin():
            dossier = dossiers.receive_dossier(
                session, users["desk"], procedure_code="CHUYEN_TRUONG_THPT", channel="in_person",
                applicant=dossiers.Applicant("Nguyễn Văn A", "079204001234"), data={},
                code_prefix="BENCH")
            received.append(dossier.code)
    receive_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for code in received:
        for username, bpmn_id, data in STEPS:
            principal = users[username]
            t0 = time.perf_counter()
            with sessions() as session, session.begin():
                view = next(v for v in tasks.list_tasks(session, principal, dossier_code=code)
                            if v.task.bpmn_id == bpmn_id)
                tasks.complete_task(session, principal, view.task.id, data)
            latencies.append(time.perf_counter() - t0)
    complete_seconds = time.perf_counter() - started

    with sessions() as session:
        state_bytes = session.scalar(select(func.avg(func.length(ProcessInstance.state))))
    latencies.sort()
    figures = {
        "database": url.split(":", 1)[0],
        "dossiers": dossier_count,
        "receipts_per_second": round(dossier_count / receive_seconds, 1),
        "completions_per_second": round(len(latencies) / complete_seconds, 1),
        "completion_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "completion_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "finished_state_bytes_avg": int(state_bytes or 0),
    }
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"seed_procedure_{figures['database']}.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
