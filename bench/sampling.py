"""Where a served worker's time goes: py-spy samples a real `motcua serve` worker while the steps
part's clients drive it, the whole request included (gunicorn, Flask, the app, SQLAlchemy).

    .venv/bin/python -m bench.sampling --py-spy PATH [--what steps|receipts] [--count 2000]
                                       [--database sqlite|postgresql] [--top 40]

py-spy is not a dependency: install it in a throw-away virtualenv (`python3 -m venv /tmp/tools &&
/tmp/tools/bin/pip install py-spy`) and give its path. One worker of one thread serves (so that its
samples are the requests'), on a fresh database with the 10-task model; 8 clients send `steps`
(list, claim, complete, as bench/steps.py) or `receipts` (POST /dossiers) while py-spy samples the
worker 500 times a second (its `--nonblocking`: the worker is not paused, and costs a little more
than unsampled). It prints the share of the samples by the package of the function running, then
the functions with the largest share of samples below them (the request's own frames from
gunicorn's handler down; Python's and gunicorn's idle waits left out). Compare shares, not times.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import tempfile
from pathlib import Path

from bench.api_load import _set_up
from bench.common import ROOT, fresh_database, postgres_admin_url
from bench.server import prepare_database, running_server, server_env
from bench.steps import _closed_loop, _receive_many

# a thread waiting (in C, below these): gunicorn's main loop on its sockets, a pool thread for work
IDLE = ("EpollSelector.select (selectors.py)", "Condition.wait (threading.py)",
        "_worker (concurrent/futures/thread.py)")
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::\d+)?\)$")


def frame_name(frame: str, ours: str = f"{ROOT}/") -> tuple[str, str]:
    """(the package, or our top folder, and the function with its short file) of a py-spy frame
    `function (path:line)`; `ours`: where this checkout's code lies."""
    match = _FRAME.match(frame)
    if match is None:
        return frame, frame
    path = match["file"]
    if path.startswith("<"):  # code a library generated: "<sqlalchemy generated ...>", "<string>"
        return path[1:].split()[0].rstrip(">"), f"{match['function']} ({path})"
    short = path.removeprefix(ours)
    if path.startswith(ours) or (not path.startswith("/") and path.endswith(".py") and len(path) < 200
                                 and Path(ours, short).is_file()):
        return short.split("/")[0], f"{match['function']} ({short})"
    short = re.sub(r".*site-packages/|.*/python3\.\d+/", "", path)
    return short.split("/")[0] if "/" in short else "python", f"{match['function']} ({short})"


def summarise(lines: list[str], ours: str = f"{ROOT}/") -> tuple[int, collections.Counter, collections.Counter]:
    """From py-spy's raw output (`frame;frame;... count`): the busy samples, their count by the
    running function's package, and by each function anywhere below (each counted once a sample)."""
    by_package: collections.Counter = collections.Counter()
    below: collections.Counter = collections.Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        frames = stack.split(";")
        if frame_name(frames[-1], ours)[1] in IDLE:
            continue
        samples = int(count)
        total += samples
        by_package[frame_name(frames[-1], ours)[0]] += samples
        for name in {frame_name(frame, ours)[1] for frame in frames}:
            below[name] += samples
    return total, by_package, below


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--py-spy", required=True, help="the py-spy executable (not a dependency)")
    parser.add_argument("--what", default="steps", choices=("steps", "receipts"))
    parser.add_argument("--count", type=int, default=2000, help="steps or receipts sampled (default: 2000)")
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with fresh_database(args.database, postgres_admin_url(), "sampling") as url, \
            tempfile.TemporaryDirectory(prefix="motcua-bench-sampling-") as folder:
        prepare_database(url)
        env = {**server_env(url, Path(folder)), "MOTCUA_THREADS": "1"}
        with running_server(env, workers=1, log_path=Path(folder) / "server.log") as server:
            token = _set_up(server)["desk"]
            warm = _receive_many(server, token, 8)[0]
            _closed_loop(server, token, warm, 4, 40)
            codes = _receive_many(server, token, max(args.count // 9, 8) + 8)[0] if args.what == "steps" else []
            worker = next(pid for pid in server.pids() if pid != server.pid)
            output = Path(folder) / "samples.txt"
            spy = subprocess.Popen([args.py_spy, "record", "--pid", str(worker), "--rate", "500", "--format", "raw",
                                    "--nonblocking", "-o", str(output)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if args.what == "steps":
                done = _closed_loop(server, token, codes, 8, args.count)
                print(f"{done['steps']} steps, {done['server_cpu_ms']} ms server CPU per step (sampled)")
            else:
                done = _receive_many(server, token, args.count)[1]
                print(f"{done['receipts']} receipts, {done['server_cpu_ms']} ms server CPU per receipt (sampled)")
            spy.send_signal(2)
            spy.wait(timeout=60)
        total, by_package, below = summarise(output.read_text(errors="replace").splitlines())
    print(f"\n{total} busy samples of the worker; by the package of the running function:")
    for package, samples in by_package.most_common(15):
        print(f"  {100 * samples / total:5.1f} %  {package}")
    print("\nfunctions by the share of samples below them:")
    for name, samples in below.most_common(args.top):
        print(f"  {100 * samples / total:5.1f} %  {name[:150]}")


if __name__ == "__main__":
    main()
