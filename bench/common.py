"""What every benchmark part shares: throwaway databases, percentiles, process CPU and memory, tables."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
MODELS = Path(__file__).resolve().parent / "models"
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def postgres_admin_url() -> str:
    """Where throwaway PostgreSQL databases are created: the test suite's server (MOTCUA_TEST_POSTGRES_URL)."""
    return os.environ.get("MOTCUA_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


@contextmanager
def fresh_database(kind: str, postgres_url: str, label: str) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql"), removed afterwards.

    SQLite: a file in a temporary folder. PostgreSQL: a database of its own beside `postgres_url`'s,
    dropped (with its connections) at the end, as tests/conftest.py does.
    """
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"motcua-bench-{label}-") as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}")
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"motcua_bench_{label}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (need not be sorted); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- processes, from /proc -----------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2:].split()


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants alive now (a gunicorn master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time the processes have used so far (their own, not their dead children's)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the whole line)
    return total / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """Resident memory of one process."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except OSError:
        return 0


def mib(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


# --- output ----------------------------------------------------------------------------------------

def print_table(title: str, rows: list[dict], columns: Sequence[str]) -> None:
    """Rows as an aligned plain-text table of the given columns (missing values left blank)."""
    print(f"\n{title}")
    if not rows:
        print("  (no rows)")
        return
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    print("  " + "  ".join(column.rjust(width) for column, width in zip(columns, widths, strict=True)))
    print("  " + "  ".join("-" * width for width in widths))
    for line in cells:
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class Progress:
    """Prints `label: done/total (percent, rate/s)` at most every `every` seconds, and at the end."""

    def __init__(self, label: str, total: int, every: float = 2.0) -> None:
        self.label, self.total, self.every = label, total, every
        self.started = self.last = time.perf_counter()

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.every and done < self.total:
            return
        self.last = now
        rate = done / (now - self.started) if now > self.started else 0.0
        print(f"    {self.label}: {done:,}/{self.total:,} ({100 * done / max(self.total, 1):.0f} %, "
              f"{rate:,.0f}/s)", flush=True)
