"""Part `stats`: the quarterly statistics (`workflows.reports.statistics`) over many generated dossiers,
on PostgreSQL.

The database is migrated and given the demo units and procedures; then N dossiers are generated
by `INSERT ... SELECT generate_series` in batches of 100,000 (with progress): received evenly over
the two years up to now, in the two seed procedures; about 3 % refused at the desk, 77 % returned
(10), 5 % processed (9), 10 % in progress (4), 5 % waiting for a supplement (5); resolved ones early,
on time or late against due dates 1-10 days after receipt; one returned dossier in four rated.
After ANALYZE the report of the last full quarter is computed once (first run) and then five
times more (median, best). Each SQL statement the report sends is timed, and the slowest is run
again under EXPLAIN (ANALYZE, BUFFERS): its plan goes to the JSON file.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

import migrations
from bench.common import ROOT, Progress, ms
from engine.db import make_engine, make_session_factory
from workflows import auth, reports
from workflows.models import Procedure
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo

BATCH = 100_000
ZONE = "Asia/Ho_Chi_Minh"
REPEATS = 5

GENERATE = """
WITH s AS (
    SELECT g, CAST(:start AS timestamptz) + (g - 1) * CAST(:step AS double precision) * interval '1 second'
               AS received_at,
           (1 + g % 10) * interval '1 day' AS allowed,
           (g * 7919) % 100 AS h
    FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g
), t AS (
    SELECT s.*, received_at + allowed AS due_at,
           CASE WHEN h < 3 THEN 3 WHEN h < 80 THEN 10 WHEN h < 85 THEN 9 WHEN h < 95 THEN 4 ELSE 5 END AS status
    FROM s
), u AS (
    SELECT t.*, CASE WHEN status IN (9, 10) THEN received_at + allowed * ((g * 37 % 100) / 70.0) END AS resolved_at
    FROM t
)
INSERT INTO dossier (code, procedure_id, applicant_name, applicant_id_number, applicant_phone, applicant_email,
                     applicant_address, channel, submitted_at, received_at, due_at, status, status_changed_at,
                     handed_over_at, resolved_at, outcome, returned_at, return_method, received_by, data,
                     deadline_policy)
SELECT 'BENCH-' || lpad(g::text, 8, '0'),
       CASE WHEN g % 3 = 0 THEN :second_procedure ELSE :first_procedure END,
       'Người nộp ' || g, lpad(g::text, 12, '0'), '09' || lpad((g % 100000000)::text, 8, '0'), '', '',
       CASE g % 3 WHEN 0 THEN 'online' WHEN 1 THEN 'in_person' ELSE 'post' END,
       received_at, received_at, due_at, status, COALESCE(resolved_at, received_at),
       CASE WHEN status = 3 THEN NULL ELSE received_at + interval '1 hour' END,
       resolved_at,
       CASE WHEN resolved_at IS NULL THEN NULL
            WHEN resolved_at > due_at THEN 'late'
            WHEN (resolved_at AT TIME ZONE :zone)::date < (due_at AT TIME ZONE :zone)::date THEN 'early'
            ELSE 'on_time' END,
       CASE WHEN status = 10 THEN resolved_at + interval '2 hours' END,
       CASE WHEN status = 10 THEN 'in_person' ELSE '' END,
       'desk', '{}'::jsonb, '{}'::jsonb
FROM u
"""

RATE = """
INSERT INTO rating (dossier_id, level, comment, rated_at)
SELECT id, (ARRAY['not_satisfied', 'satisfied', 'very_satisfied'])[1 + id % 3], '', returned_at + interval '1 day'
FROM dossier WHERE status = 10 AND id % 4 = 0
"""


def last_full_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3  # the current quarter's number minus one
    return f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"


def generate(engine: sa.Engine, count: int) -> float:
    """Insert `count` dossiers; rows per second."""
    with engine.connect() as connection:
        procedures = dict(connection.execute(sa.select(Procedure.code, Procedure.id)).all())
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=730)
    params = {"start": start, "step": 730 * 86400 / count, "zone": ZONE,
              "first_procedure": procedures["CHUYEN_TRUONG_THPT"],
              "second_procedure": procedures["CAP_BAN_SAO_VAN_BANG"]}
    progress = Progress("dossiers", count, every=0)
    started = time.perf_counter()
    for lo in range(1, count + 1, BATCH):
        hi = min(count, lo + BATCH - 1)
        with engine.begin() as connection:
            connection.execute(sa.text(GENERATE), {**params, "lo": lo, "hi": hi})
        progress.update(hi)
    rate = count / (time.perf_counter() - started)
    with engine.begin() as connection:
        rated = connection.execute(sa.text(RATE)).rowcount
    print(f"    ratings: {rated:,}", flush=True)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE dossier, rating"))
    return rate


def _timed_statements(engine: sa.Engine) -> list[tuple[float, str, object]]:
    """Record (seconds, statement, parameters) of every statement `engine` runs from now on."""
    log: list[tuple[float, str, object]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        log.append((time.perf_counter() - conn.info.pop("bench_started"), statement, parameters))

    return log


def run(database_url: str, *, dossiers: int, quarter: str | None) -> list[dict]:
    migrations.upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    auth.use_cheap_hashing_for_tests()  # the demo users' password hashing is not what is measured
    with sessions() as session, session.begin():
        deploy_folder(session, ROOT / "bpmn_models", actor="bench")
        seed_demo(session)
    print(f"  [postgresql] generating {dossiers:,} dossiers", flush=True)
    rate = generate(engine, dossiers)
    quarter = quarter or last_full_quarter(date.today())
    period = reports.period_of(quarter=quarter, timezone=ZONE)

    log = _timed_statements(engine)
    timings, report = [], {}
    for _ in range(1 + REPEATS):
        started = time.perf_counter()
        with sessions() as session:
            report = reports.statistics(session, period)
        timings.append(time.perf_counter() - started)
    slowest = max(log, key=lambda entry: entry[0])
    with engine.connect() as connection:
        plan = [line for (line,) in connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + slowest[1], slowest[2])]
    engine.dispose()
    totals = report["totals"]
    return [{
        "part": "stats", "database": "postgresql", "dossiers": dossiers, "quarter": quarter,
        "generated_per_s": round(rate), "first_ms": ms(timings[0]),
        "median_ms": ms(statistics.median(timings[1:])), "best_ms": ms(min(timings[1:])),
        "statements_per_report": len(log) // len(timings),
        "slowest_statement_ms": ms(slowest[0]),
        "received": totals["received"], "resolved": totals["resolved"], "in_progress": totals["in_progress"],
        "plan_of_slowest": plan,
    }]
