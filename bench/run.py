"""MotCua's benchmark run: prints tables and writes every figure to bench/results/bench-<time>.json.

    .venv/bin/python -m bench.run [--quick] [--only api,raw,history,timers,stats,steps,hosts]
                                  [--databases sqlite,postgresql]

Parts (all by default; each database part runs on a fresh database it creates and removes):
  api      task completions through the HTTP API of a real `motcua serve --workers N`, with 1, 8, 32
           concurrent clients, on the 10-user-task model and on the seed procedure; latency p50/p99,
           server CPU per completion (bench/api_load.py)
  raw      the reference: raw SpiffWorkflow 3.2 in-process, deserialize → complete → serialize →
           commit per task on the same database; the api table shows its rate as a ratio of this
           (bench/raw_spiff.py)
  history  cost of a completion at step 10, 100, 1000 of one looping instance, engine and raw (bench/history.py)
  timers   start-up time and memory with many waiting timers; lateness when many fall due in one
           minute (bench/timers.py)
  stats    the quarterly statistics over many generated dossiers, PostgreSQL only (bench/stats.py)
  steps    issue #16's figures: an officer's step (list, claim, complete) at 8 clients, server CPU
           against the raw loop; intake; the inbox; an open-loop Poisson load at half the
           saturation rate; the same with 100,000 finished and 5,000 open dossiers generated, and
           the plans of the hot path's statements (bench/steps.py)
  floor    what a request costs the server before any work of its own (GET /healthz, /auth/me, an
           empty task list) at the steps part's clients, through `motcua serve` and in-process (bench/floor.py)
  hosts    issue #16's check of the Capacity model: seed-procedure dossiers driven end to end (receipt,
           every step, 10 inbox reads) on one 2-core host's `motcua serve --workers 4`, then on two such servers
           on one PostgreSQL, then on one server of both hosts' workers (the control); server and
           database CPU per dossier, their ratio, and a check in the database that nothing was lost
           or doubled; PostgreSQL only (bench/hosts.py)

Every server a run starts serves with the production settings of docs/deployment.md (two workers
per core, one thread each) unless `--workers` and `--threads` say otherwise, under gunicorn
(`motcua serve`) unless `--uwsgi` says to compare with uWSGI (bench/server.py, `serve_command`).

The run ends with issue #16's targets, each with its measured value and met / missed (bench/targets.py).

PostgreSQL: databases are created beside $MOTCUA_TEST_POSTGRES_URL (default: the local `test`
database, as the test suite does) and dropped afterwards. The figures depend on the machine and on
whatever else runs on it; nothing asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
import traceback
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import api_load, floor, history, hosts, raw_spiff, server, stats, steps, targets, timers
from bench.common import RESULTS, fresh_database, postgres_admin_url, print_table

PARTS = ("steps", "floor", "api", "raw", "history", "timers", "stats", "hosts")
DATABASES = ("sqlite", "postgresql")
# (full, quick) sizes; an option given on the command line wins over both.
SIZES = {
    "completions": (1000, 30),
    "history_steps": ("10,100,1000", "10,100"),
    "waiting_timers": (100_000, 3_000),
    "due_timers": (10_000, 300),
    "due_window": (60.0, 5.0),
    "timer_max_wait": (600.0, 30.0),
    "dossiers": (1_000_000, 50_000),
    "steps": (1000, 60),
    "finished": (100_000, 2_000),
    "open_dossiers": (5_000, 200),
    "intake": (300, 40),
    "inbox_reads": (200, 30),
    "open_loop_seconds": (60.0, 10.0),
    "host_dossiers": (400, 40),
    "floor_requests": (4000, 800),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 2)[2])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every part (2-3 min)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts (default: {','.join(PARTS)})")
    parser.add_argument("--databases", default=",".join(DATABASES), help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgres-url", default=postgres_admin_url(),
                        help="where throwaway PostgreSQL databases are created (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=server.production_workers(),
                        help="gunicorn workers of the servers of the steps, floor and api parts (default: the "
                             "production settings', two per core: %(default)s)")
    parser.add_argument("--threads", type=int, default=server.PRODUCTION_THREADS,
                        help="threads per worker of every server the run starts (MOTCUA_THREADS; default: the "
                             "production settings', %(default)s)")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients of the api part (default: 1,8,32)")
    parser.add_argument("--procedures", default=f"{api_load.LINEAR10},CHUYEN_TRUONG_THPT",
                        help="procedures of the api part (also: CAP_BAN_SAO_VAN_BANG)")
    parser.add_argument("--completions", type=int, help="completions per api configuration and in the raw loop "
                                                        "(full 1000, quick 30)")
    parser.add_argument("--history-steps", help="checkpoint steps of the history part (full 10,100,1000; quick 10,100)")
    parser.add_argument("--waiting-timers", type=int, help="waiting timers (full 100000, quick 3000)")
    parser.add_argument("--due-timers", type=int, help="timers falling due in one window (full 10000, quick 300)")
    parser.add_argument("--due-window", type=float, help="seconds over which they fall due (full 60, quick 5)")
    parser.add_argument("--timer-max-wait", type=float, help="seconds to wait after the window for the last "
                                                             "firings (full 600, quick 30)")
    parser.add_argument("--timer-workers", type=int, default=1, help="gunicorn workers of the timers part (default: 1)")
    parser.add_argument("--dossiers", type=int,
                        help="dossiers generated for the stats part (full 1000000, quick 50000)")
    parser.add_argument("--quarter", help="quarter of the stats report, e.g. 2026-Q3 (default: the last full one)")
    parser.add_argument("--steps", type=int, help="steps per closed-loop phase of the steps part (full 1000, quick 60)")
    parser.add_argument("--step-clients", type=int, default=8, help="clients of the steps part (default: 8)")
    parser.add_argument("--finished", type=int, help="finished dossiers generated (full 100000, quick 2000)")
    parser.add_argument("--open-dossiers", type=int, help="open dossiers generated (full 5000, quick 200)")
    parser.add_argument("--intake", type=int, help="dossiers received for the intake figure (full 300, quick 40)")
    parser.add_argument("--inbox-reads", type=int, help="inbox reads per measure (full 200, quick 30)")
    parser.add_argument("--open-loop-seconds", type=float, help="length of the open-loop load (full 60, quick 10)")
    parser.add_argument("--host-dossiers", type=int,
                        help="dossiers driven end to end in each phase of the hosts part (full 400, quick 40)")
    parser.add_argument("--floor-requests", type=int,
                        help="requests of each kind in the floor part (full 4000, quick 800)")
    parser.add_argument("--host-clients", type=int, default=8,
                        help="clients of the hosts part's two-host phase, split evenly over the hosts; the "
                             "one-host phase has half (default: 8)")
    parser.add_argument("--peer-cpu-ms", type=float,
                        help="spiffworkflow-backend's server CPU per completed task, as measured by the recipe of "
                             "bench/spiffworkflow_backend.md (default: the last figure cited)")
    parser.add_argument("--uwsgi", metavar="SITE_PACKAGES",
                        help="serve under uWSGI instead of gunicorn, to compare them: the site-packages folder of a "
                             "throw-away virtualenv with pyuwsgi (python3 -m venv /tmp/uw && /tmp/uw/bin/pip install "
                             "pyuwsgi: /tmp/uw/lib/python3.11/site-packages); not a dependency")
    parser.add_argument("--output", help="JSON file to write (default: bench/results/bench-<time>.json)")
    args = parser.parse_args(argv)
    for name, (full, quick) in SIZES.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.only = _choices(args.only, PARTS, "--only")
    args.databases = _choices(args.databases, DATABASES, "--databases")
    args.clients = [int(n) for n in args.clients.split(",")]
    args.procedures = [p.strip() for p in args.procedures.split(",") if p.strip()]
    args.history_steps = [int(n) for n in str(args.history_steps).split(",")]
    if args.uwsgi and not list(Path(args.uwsgi).glob("pyuwsgi*")):
        parser.error(f"--uwsgi: no pyuwsgi in {args.uwsgi}")
    unknown = [p for p in args.procedures if p not in api_load.STEPS]
    if unknown:
        parser.error(f"unknown procedure(s) {', '.join(unknown)}; known: {', '.join(api_load.STEPS)}")
    return args


def _choices(raw: str, allowed: tuple[str, ...], option: str) -> list[str]:
    chosen = [item.strip() for item in raw.split(",") if item.strip()]
    wrong = [item for item in chosen if item not in allowed]
    if wrong:
        raise SystemExit(f"{option}: unknown {', '.join(wrong)}; choose from {', '.join(allowed)}")
    return chosen


def postgres_reachable(url: str) -> str | None:
    """None if PostgreSQL answers at `url`, else why not."""
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as exc:
        return f"PostgreSQL at {make_url(url).render_as_string()} is not reachable: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def run_parts(args: argparse.Namespace, results: dict) -> None:
    """Every selected part on every selected database; a part that fails is recorded and the run goes on."""

    def attempt(label: str, function, *call_args, **call_kwargs) -> list[dict]:
        print(f"\n== {label}", flush=True)
        started = time.perf_counter()
        try:
            rows = function(*call_args, **call_kwargs)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - report it and go on with the other parts
            traceback.print_exc()
            results["failures"].append({"part": label, "error": f"{type(exc).__name__}: {str(exc)[:500]}"})
            return []
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
        return rows

    for kind in args.databases:
        if "steps" in args.only:
            with fresh_database(kind, args.postgres_url, "steps") as url:
                row: dict = {}  # filled as the part goes: a failure keeps the figures measured before it
                results["steps"].append(row)
                attempt(f"steps, {kind}", steps.run, kind, url, row=row, clients=args.step_clients,
                        steps=args.steps, workers=args.workers, finished=args.finished, open_=args.open_dossiers,
                        intake=args.intake, inbox_reads=args.inbox_reads, open_loop_seconds=args.open_loop_seconds)
        if "floor" in args.only:
            with fresh_database(kind, args.postgres_url, "floor") as url:
                results["floor"] += attempt(f"floor, {kind}", floor.run, kind, url, requests=args.floor_requests,
                                            clients=args.step_clients, workers=args.workers)
        if "raw" in args.only or "api" in args.only:
            with fresh_database(kind, args.postgres_url, "api") as url:
                if "raw" in args.only:
                    results["raw"] += attempt(f"raw SpiffWorkflow, {kind}", raw_spiff.linear, kind, url,
                                              completions=args.completions)
                if "api" in args.only:
                    results["api"] += attempt(f"api, {kind}", api_load.run, kind, url, procedures=args.procedures,
                                              clients=args.clients, completions=args.completions,
                                              workers=args.workers)
        if "history" in args.only:
            with fresh_database(kind, args.postgres_url, "history") as url:
                results["history"] += attempt(f"history, {kind}", history.run, kind, url, args.history_steps)
        if "timers" in args.only:
            with fresh_database(kind, args.postgres_url, "timers") as url:
                results["timers"] += attempt(f"timers, {kind}", timers.run, kind, url, waiting=args.waiting_timers,
                                             due=args.due_timers, window=args.due_window, workers=args.timer_workers,
                                             max_wait=args.timer_max_wait, settle=1.0 if args.quick else 3.0)
    if "stats" in args.only:
        if "postgresql" not in args.databases:
            results["skipped"].append("stats: PostgreSQL only, and it is not among --databases")
        else:
            with fresh_database("postgresql", args.postgres_url, "stats") as url:
                results["stats"] += attempt("stats, postgresql", stats.run, url, dossiers=args.dossiers,
                                            quarter=args.quarter)
    if "hosts" in args.only:
        if "postgresql" not in args.databases:
            results["skipped"].append("hosts: PostgreSQL only (two servers on one database), and it is not among "
                                      "--databases")
        else:
            with fresh_database("postgresql", args.postgres_url, "hosts") as url:
                row: dict = {}  # filled as the part goes: a failure keeps the figures measured before it
                results["hosts"].append(row)
                attempt("hosts, postgresql", hosts.run, url, row=row, dossiers=args.host_dossiers,
                        clients=args.host_clients)


def add_ratios(results: dict) -> None:
    """Each api row's rate as a ratio of the raw loop's on the same database (the 10-task model only)."""
    raw = {row["database"]: row["completions_per_s"] for row in results["raw"]}
    for row in results["api"]:
        if row["procedure"] == api_load.LINEAR10 and raw.get(row["database"]):
            row["vs_raw"] = round(row["completions_per_s"] / raw[row["database"]], 2)


def print_summary(results: dict, peer_cpu_ms: float | None = None) -> None:
    step_rows = [{"database": row["database"], "phase": phase, **row[phase]} for row in results["steps"]
                 for phase in ("step_empty", "open_loop", "step_full") if phase in row]
    print_table("An officer's step (GET /tasks?dossier_code= → claim → complete), 8 clients; open loop at half the "
                "saturation rate", step_rows,
                ("database", "phase", "steps", "errors", "steps_per_s", "rate_per_s", "server_cpu_ms",
                 "database_cpu_ms", "list_p50_ms", "claim_p50_ms", "claim_p99_ms", "complete_p50_ms",
                 "complete_p99_ms", "step_p99_ms"))
    print_table("Intake and inbox", [{"database": row["database"], "measure": phase, **row[phase]}
                                     for row in results["steps"]
                                     for phase in ("intake", "inbox_empty", "inbox_full") if phase in row],
                ("database", "measure", "receipts", "reads", "rows", "per_s", "server_cpu_ms", "p50_ms", "p99_ms"))
    for row in results["steps"]:
        print(f"\n  Plans of the hot path on {row['database']} "
              f"({row.get('generated', {}).get('human_task_rows_in_all', 0):,} task rows):")
        for plan in row.get("plans", []):
            print(f"    [{plan['request']}] {plan['statement'][:160]}")
            for line in plan["plan"][:8]:
                print(f"        {line[:150]}")
    print_table("Raw SpiffWorkflow 3.2 in-process (deserialize → complete → serialize → commit), 10-task model",
                results["raw"],
                ("database", "completions", "completions_per_s", "p50_ms", "p99_ms", "max_ms", "cpu_ms"))
    print_table("Task completions through the HTTP API (vs_raw: rate ÷ the raw loop's on the same database)",
                results["api"], ("database", "procedure", "workers", "clients", "completions", "errors",
                                 "completions_per_s", "vs_raw", "p50_ms", "p99_ms", "max_ms", "server_cpu_ms",
                                 "client_cpu_ms", "server_rss_mib"))
    print_table("Cost of one completion as the instance's history grows (median of the 5 steps up to it)",
                results["history"], ("database", "implementation", "step", "ms_per_completion", "vs_step_10",
                                     "state_kib"))
    print_table("Timers: start-up and memory", [r for r in results["timers"] if "startup_s" in r],
                ("database", "scenario", "timers", "startup_s", "master_rss_mib", "worker_rss_mib", "inserted_per_s"))
    print_table("Timers: lateness (recorded: timer.fired time − due; visible: first seen committed − due)",
                [r for r in results["timers"] if "fired" in r],
                ("database", "scenario", "timers", "fired", "not_fired", "fired_per_s", "recorded_p50_ms",
                 "recorded_p99_ms", "recorded_max_ms", "visible_p50_ms", "visible_p99_ms", "visible_max_ms",
                 "worker_peak_rss_mib"))
    print_table("Quarterly statistics (workflows.reports.statistics) on PostgreSQL", results["stats"],
                ("dossiers", "quarter", "generated_per_s", "first_ms", "median_ms", "best_ms", "slowest_statement_ms",
                 "received", "resolved", "in_progress"))
    for row in results["stats"]:
        print("\n  Plan of its slowest statement (EXPLAIN ANALYZE, first lines):")
        for line in row["plan_of_slowest"][:12]:
            print(f"    {line}")
    print_table("The floor: server CPU per request that does almost nothing, through motcua serve and with the app "
                "called in-process (bench/floor.py)", results["floor"],
                ("database", "path", "clients", "requests", "per_s", "server_cpu_ms", "in_process_cpu_ms",
                 "server_share_ms"))
    print_hosts(results["hosts"])
    print_table("Issue #16's targets (figures from this run; the machine is shared, so rates and latencies are "
                "noisy)", targets.evaluate(results, peer_cpu_ms=peer_cpu_ms),
                ("target", "database", "measured", "limit", "verdict", "note"))
    for failure in results["failures"]:
        print(f"\nFAILED {failure['part']}: {failure['error']}")
    for note in results["skipped"]:
        print(f"\nskipped {note}")


def print_hosts(rows: list[dict]) -> None:
    """The hosts part: one host, two hosts and the control on one PostgreSQL, the model's prediction, the check."""
    labels = {"one_host": "one host", "two_hosts": "two hosts", "control": "control: one server of"}
    phases = [{"phase": label + (f" {row[phase].get('workers')} workers" if phase == "control" else ""), **row[phase]}
              for row in rows for phase, label in labels.items() if phase in row]
    print_table("Seed-procedure dossiers end to end (receipt, steps, 10 inbox reads) on one and on two hosts "
                f"(motcua serve --workers {hosts.HOST_WORKERS} each) sharing one PostgreSQL, and on one server of both "
                "hosts' workers (the control); CPU per dossier finished",
                phases, ("phase", "clients", "finished", "errors", "retries", "dossiers_per_s", "steps_per_s",
                         "steps_per_dossier", "server_cpu_ms_per_dossier", "server_cpu_ms_per_step",
                         "database_cpu_ms_per_dossier", "server_per_database", "client_cpu_ms_per_dossier",
                         "idle_server_cpu_ms_per_s", "idle_database_cpu_ms_per_s", "step_p50_ms", "step_p99_ms"))
    for row in rows:
        model, check = row.get("model"), row.get("check")
        if model:
            print(f"\n  Model check: from one host it predicts {model['predicted_server_cpu_ms_per_dossier']} ms "
                  f"server CPU and {model['predicted_database_cpu_ms_per_dossier']} ms database CPU per dossier, "
                  f"server ÷ database {model['predicted_server_per_database']} (docs/benchmarks.md: "
                  f"{model['documented_server_per_database']}); two hosts measured "
                  f"{model['measured_server_cpu_ms_per_dossier']} ms, {model['measured_database_cpu_ms_per_dossier']}"
                  f" ms, {model['measured_server_per_database']}: two hosts ÷ one host "
                  f"{model['server_cpu_two_vs_one']} (server), {model['database_cpu_two_vs_one']} (database), "
                  f"{model['ratio_two_vs_one']} (ratio). The control (one server of both hosts' workers, all "
                  f"the clients) {model['control_server_cpu_ms_per_dossier']} ms and "
                  f"{model['control_database_cpu_ms_per_dossier']} ms: two hosts ÷ control "
                  f"{model['server_cpu_two_vs_control']} (server), {model['database_cpu_two_vs_control']} (database).")
        if check:
            print(f"  Check in the database: {check['returned_and_ended']}/{check['dossiers']} dossiers returned "
                  f"and ended; {check['task_rows']} task rows for {check['steps_completed_by_clients']} steps "
                  f"completed by the clients, {check['completed_once']} completed once, "
                  f"{check['completed_twice_or_more']} twice or more: {check['verdict']}.")
            for problem in check["first_problems"]:
                print(f"    {problem}")
        if "cpus" in row:
            print(f"  This machine has {row['cpus']} CPU(s): the two \"hosts\", the database and the clients share "
                  f"them. What this checks is the CPU per dossier and the server ÷ database ratio under contention, "
                  f"and that two servers on one database lose and double nothing; not two real hosts' capacity.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results: dict = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(),
                    "python": platform.python_version(), "spiffworkflow": version("SpiffWorkflow"),
                    "sqlalchemy": version("SQLAlchemy")},
        "options": {k: v for k, v in vars(args).items() if k != "postgres_url"},
        "steps": [], "floor": [], "api": [], "raw": [], "history": [], "timers": [], "stats": [], "hosts": [],
        "failures": [],
        "skipped": [],
    }
    if "postgresql" in args.databases:
        problem = postgres_reachable(args.postgres_url)
        if problem:
            print(problem, file=sys.stderr)
            results["skipped"].append(problem)
            args.databases.remove("postgresql")
    server.THREADS = args.threads
    server.UWSGI_SITE = args.uwsgi
    started = time.perf_counter()
    run_parts(args, results)
    add_ratios(results)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets.evaluate(results, peer_cpu_ms=args.peer_cpu_ms)
    print_summary(results, args.peer_cpu_ms)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    output = args.output or str(RESULTS / f"bench-{stamp}{'-quick' if args.quick else ''}.json")
    with open(output, "w") as file:
        json.dump(results, file, indent=2, ensure_ascii=False, default=str)
    if not args.output:
        shutil.copyfile(output, RESULTS / "latest.json")
    print(f"\nfigures written to {output} ({results['seconds']:.0f} s in all)")
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
