"""This checkout against another revision, side by side: the in-process step figures of both, run at
the same time, round after round.

    .venv/bin/python -m bench.compare REV [--rounds 4] [--count 400] [--database sqlite|postgresql]

On a shared machine the CPU a request costs drifts by a third from one minute to the next, more than
most changes move it, so two runs one after the other compare the machine's moods, not the code. Here
each round runs `bench.profiling step --timing-only` (list, claim, complete and inbox requests, and
the receipts before them, through the Flask app in-process, without the profiler) in this checkout
and in a worktree of REV at the same moment, one process each on a core of its own (the machine has
two), the cores swapped from one round to the next, so that both see the same noise; the table gives
each round's figures and the ratio of the medians (this ÷ REV: below 1, this checkout costs less).
Compared with itself (`bench.compare HEAD`) it gives 0.98–1.00. REV's worktree is made in a temporary
folder with `git worktree add --detach` and removed at the end; its `bench/` is replaced by this
checkout's, so that the measuring code is the same on both sides and only the code it measures
differs. It uses this checkout's virtualenv.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT

FIGURES = ("list", "claim", "complete", "inbox", "receipt")
_FIGURE = re.compile(r"\b(" + "|".join(FIGURES) + r") (\d+\.\d+)")


def figures(output: str) -> dict[str, float]:
    """The CPU ms per request that `bench.profiling step --timing-only` printed, by request."""
    lines = [line for line in output.splitlines() if "CPU ms per request" in line]
    if not lines:
        raise SystemExit(f"bench.profiling printed no figures:\n{output[-2000:]}")
    return {name: float(value) for name, value in _FIGURE.findall(lines[-1])}


def side_by_side(folders: dict[str, Path], *, count: int, database: str,
                 shift: int = 0) -> dict[str, dict[str, float]]:
    """One round: the step figures of each folder's code, measured at the same time, each process held
    to a core of its own where the machine has enough (the `shift`th of the cores for the first, the
    next for the second, ...): over rounds with shifts 0 and 1, each side runs as often on each core."""
    command = [sys.executable, "-m", "bench.profiling", "step", "--timing-only", "--count", str(count),
               "--database", database]
    cores = sorted(os.sched_getaffinity(0))

    def on_core(index: int):
        if len(cores) < len(folders):
            return None
        return lambda: os.sched_setaffinity(0, {cores[(index + shift) % len(cores)]})

    running = {name: subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, preexec_fn=on_core(index))
               for index, (name, folder) in enumerate(folders.items())}
    results = {}
    for name, process in running.items():
        output, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"bench.profiling failed in {folders[name]}:\n{output[-2000:]}")
        results[name] = figures(output)
    return results


def table(rounds: list[dict[str, dict[str, float]]], names: tuple[str, str]) -> list[str]:
    """One line per figure: each side's rounds and the ratio of their medians (second ÷ first)."""
    first, second = names
    lines = [f"{'request':9} {first + ' (ms, each round)':34} {second + ' (ms, each round)':34} ratio of medians"]
    for figure in FIGURES:
        a = [r[first][figure] for r in rounds if figure in r[first]]
        b = [r[second][figure] for r in rounds if figure in r[second]]
        if not a or not b:
            continue
        ratio = statistics.median(b) / statistics.median(a)
        lines.append(f"{figure:9} {' '.join(f'{x:.2f}' for x in a):34} {' '.join(f'{x:.2f}' for x in b):34} "
                     f"{ratio:.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the git revision to compare this checkout with (e.g. HEAD~3, a commit)")
    parser.add_argument("--rounds", type=int, default=4, help="an even number: each side as often on each core")
    parser.add_argument("--count", type=int, default=400, help="steps per round (default: 400)")
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-compare-") as folder:
        other = Path(folder) / "other"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(other), args.revision], cwd=ROOT,
                       check=True)
        try:
            # the same measuring code on both sides: only the code it measures differs
            shutil.rmtree(other / "bench")
            shutil.copytree(ROOT / "bench", other / "bench", ignore=shutil.ignore_patterns("results", "__pycache__"))
            label = subprocess.run(["git", "rev-parse", "--short", args.revision], cwd=ROOT, check=True,
                                   capture_output=True, text=True).stdout.strip()
            names = (label, "this checkout")
            rounds = []
            for number in range(1, args.rounds + 1):
                print(f"  round {number} of {args.rounds} ({args.database}, {args.count} steps each)", flush=True)
                rounds.append(side_by_side({label: other, "this checkout": ROOT}, count=args.count,
                                           database=args.database, shift=number))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    print(f"\nCPU ms per request in-process ({args.database}), {label} and this checkout side by side:")
    print("\n".join(table(rounds, names)))


if __name__ == "__main__":
    main()
