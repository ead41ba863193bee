"""Issue #16's targets against the figures of a run: one row each, its measured value and met / missed.

A figure the run did not measure (a part left out by --only, a database not among --databases)
is shown as "not measured", never as met. The spiffworkflow-backend comparison uses the peer's
server CPU per completed task measured by the recipe in bench/spiffworkflow_backend.md
(`--peer-cpu-ms`), or else the last figure measured side by side (PEER_CITED).
"""

from __future__ import annotations

# spiffworkflow-backend's server CPU per completed task, measured side by side with ours on the 2-core
# development machine, one client (issue #16, 2026-11-29); bench/spiffworkflow_backend.md redoes it.
PEER_CITED = {"cpu_ms": 48.0, "source": "cited: issue #16, measured 2026-11-29 (bench/spiffworkflow_backend.md)"}


def evaluate(results: dict, *, peer_cpu_ms: float | None = None) -> list[dict]:
    """The target rows of a run's `results` (bench/run.py)."""
    rows: list[dict] = []

    def add(target: str, database: str, value, limit: str, met: bool | None, note: str = "") -> None:
        rows.append({"target": target, "database": database,
                     "measured": "not measured" if value is None else value, "limit": limit,
                     "verdict": "not measured" if value is None else ("met" if met else "missed"), "note": note})

    steps = {row["database"]: row for row in results.get("steps", []) if row.get("database")}
    for database in ("sqlite", "postgresql"):
        row = steps.get(database, {})
        empty, full = row.get("step_empty", {}), row.get("step_full", {})
        cpu = empty.get("server_cpu_ms")
        floor = {r["request"]: r["server_cpu_ms"] for r in results.get("floor", []) if r["database"] == database}
        floor_note = (f"; floor of three signed-in requests doing nothing: 3 × {floor['auth_me']} ms (part floor)"
                      if "auth_me" in floor else "")
        add("P1 server CPU per step (list+claim+complete), 8 clients", database, cpu, "≤ 4 ms",
            cpu is not None and cpu <= 4, f"{empty.get('steps_per_s', '')} steps/s{floor_note}" if empty else "")
        ratio = round(row["raw_ms"] / cpu, 2) if cpu and row.get("raw_ms") else None
        add("P1 raw_ms ÷ server_ms", database, ratio, "≥ 0.5", ratio is not None and ratio >= 0.5,
            f"raw {row.get('raw_ms')} ms per completion, server {cpu} ms per step" if ratio else "")
        peer = peer_cpu_ms or PEER_CITED["cpu_ms"]
        lead = round(peer / cpu, 1) if cpu else None
        add("P1 lead over spiffworkflow-backend (its CPU per completed task ÷ ours)", database, lead, "≥ 12×",
            lead is not None and lead >= 12,
            f"peer {peer} ms, {'measured (--peer-cpu-ms)' if peer_cpu_ms else PEER_CITED['source']}" if lead else "")
        growth = round(full["server_cpu_ms"] / cpu, 2) if cpu and full.get("server_cpu_ms") else None
        generated = row.get("generated", {})
        add("P1b step cost with generated dossiers ÷ on the empty database", database, growth, "≤ 1.2",
            growth is not None and growth <= 1.2,
            f"{generated.get('finished_dossiers', 0):,} finished ({generated.get('human_task_rows_in_all', 0):,} "
            f"task rows) + {generated.get('open_dossiers', 0):,} open; {full.get('server_cpu_ms')} ms"
            if growth else "")
        plans = row.get("plans")
        unindexed = sorted({f"{p['request']}: {t}" for p in plans or [] for t in p["unindexed"]})
        add("P1b every hot-path statement driven by an index", database,
            None if plans is None else ("yes" if not unindexed else "no"), "no full scan of a big table",
            plans is not None and not unindexed,
            f"{len(plans)} statements" + (f"; full scans: {', '.join(unindexed)}" if unindexed else "")
            if plans is not None else "")
        loop = row.get("open_loop", {})
        for request in ("claim", "complete"):
            value = loop.get(f"{request}_p99_ms")
            add(f"P2 {request} p99, open-loop Poisson at 50 % of saturation", database, value, "≤ 50 ms"
                + (" (target on PostgreSQL)" if database == "sqlite" else ""), value is not None and value <= 50,
                f"{loop.get('rate_per_s')} steps/s offered, {loop.get('achieved_per_s')}/s done" if loop else "")
        intake = row.get("intake", {}).get("server_cpu_ms")
        add("P3 intake (POST /dossiers) server CPU", database, intake, "≤ 6 ms", intake is not None and intake <= 6)
        inbox = row.get("inbox_full", {})
        value = inbox.get("server_cpu_ms")
        add("P3 inbox (GET /tasks?scope=available, 50 rows) server CPU, generated dossiers", database, value,
            "≤ 10 ms", value is not None and value <= 10,
            f"p50 {inbox.get('p50_ms')} ms as the client saw it, {inbox.get('rows')} rows" if inbox else "")

    for database in ("sqlite", "postgresql"):
        history = [r for r in results.get("history", []) if r["database"] == database
                   and r["implementation"] == "MotCua engine" and r["step"] == 100]
        value = history[0]["vs_step_10"] if history else None
        add("kept: step 100 ÷ step 10 of one instance", database, value, "≤ 2×", value is not None and value <= 2)
        timers = [r for r in results.get("timers", []) if r["database"] == database and "recorded_p99_ms" in r]
        value = timers[0]["recorded_p99_ms"] if timers else None
        add("kept: timer lateness p99, many due in one window", database, value, "≤ 1000 ms",
            value is not None and value <= 1000,
            f"{timers[0]['timers']:,} due within {timers[0].get('window_s')} s" if timers else "")
    stats = results.get("stats", [])
    value = stats[0]["median_ms"] if stats else None
    add("kept: quarterly statistics", "postgresql", value, "≤ 1000 ms", value is not None and value <= 1000,
        f"{stats[0]['dossiers']:,} dossiers" if stats else "")
    return rows
