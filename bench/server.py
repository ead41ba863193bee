"""A real `motcua serve` process for the benchmarks, and a small keep-alive HTTP client for its API.

The database is prepared with what `motcua migrate`, `deploy-models bpmn_models` and `seed-demo` run
(`prepare_database`), called in this process: each `motcua` command first spends seconds importing
the application, which would triple a quick run's set-up. The server is the real one, as `make run`
and tests/e2e/test_server.py start it: `motcua serve --workers N` with MOTCUA_DATABASE_URL,
MOTCUA_DATA_DIR and PORT in its environment, on 127.0.0.1 and a free port. Its output (one
access-log line per request) goes to a file, not to a pipe the benchmark would have to drain.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import migrations
from bench.common import ROOT, process_tree
from engine.db import make_engine, make_session_factory
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo

MOTCUA = str(Path(sys.executable).parent / "motcua")
HOST = "127.0.0.1"
DEMO_PASSWORD = "demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# The production settings docs/deployment.md gives ("How many workers and threads"), which the runs use
# unless told otherwise: two workers per core, one thread each.
WORKERS_PER_CORE = 2
PRODUCTION_THREADS = 1


def production_workers(cores: int | None = None) -> int:
    """The workers of a host of `cores` cores (this machine's, by default) under the production settings."""
    return WORKERS_PER_CORE * (cores or len(os.sched_getaffinity(0)))


# Threads per worker of every server the run starts (`bench.run --threads`); None: the server's default.
THREADS: int | None = PRODUCTION_THREADS


def server_env(database_url: str, data_dir: Path, **extra: str) -> dict:
    """The environment of a server on `database_url`: this one's minus any MOTCUA_* setting, plus a port
    (and the run's threads per worker, when it sets them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    if THREADS is not None:
        env["MOTCUA_THREADS"] = str(THREADS)
    env.update(MOTCUA_DATABASE_URL=database_url, MOTCUA_DATA_DIR=str(data_dir), PORT=str(free_port()), **extra)
    return env


def prepare_database(database_url: str, *, seed: bool = True) -> None:
    """What `make run` does before serving (`motcua migrate`, `deploy-models bpmn_models`, `seed-demo`)."""
    migrations.upgrade(database_url)
    if not seed:
        return
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session, session.begin():
        deploy_folder(session, ROOT / "bpmn_models", actor="cli")
        seed_demo(session)
    engine.dispose()


# Where pyuwsgi is installed (a throw-away virtualenv's site-packages, `bench.run --uwsgi`): the servers
# then run the same app under uWSGI instead of `motcua serve` (gunicorn), to compare the two. None: gunicorn.
UWSGI_SITE: str | None = None
# The app under uWSGI as `motcua serve` runs it under gunicorn: N processes of the run's threads, each
# building its app (and scheduler) after the fork, 60 s per request at most. Its HTTP router keeps the
# clients' keep-alive connections and hands each request to an idle worker; its buffer holds a whole
# answer of up to 256 KiB (with the default 4 KiB, an answer written in pieces waited 40 ms for an
# acknowledgement the client delays: 56 ms against 13 for the OpenAPI document).
_UWSGI_LAUNCH = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from pyuwsgi import run; "
                 "sys.argv[0] = 'uwsgi'; sys.exit(run())")


def serve_command(env: dict, workers: int) -> list[str]:
    """The command of a server of `workers` workers on env's PORT: `motcua serve`, or uWSGI (UWSGI_SITE)."""
    if UWSGI_SITE is None:
        return [MOTCUA, "serve", "--workers", str(workers)]
    return [sys.executable, "-c", _UWSGI_LAUNCH, UWSGI_SITE, "--master", "--lazy-apps", "--enable-threads",
            "--die-on-term", "--need-app", "--module", "api.wsgi:app", "--chdir", str(ROOT),
            "--processes", str(workers), "--threads", env.get("MOTCUA_THREADS", "1"), "--harakiri", "60",
            "--http", f"{HOST}:{env['PORT']}", "--http-keepalive", "--http-buffer-size", "262144",
            "--buffer-size", "32768"]


@dataclass
class Server:
    base: str
    pid: int
    startup_seconds: float  # from starting the process to the first answer of /healthz
    log_path: Path

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base.removeprefix("http://").split(":")
        return host, int(port)

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        return process_tree(self.pid)


@contextmanager
def running_server(env: dict, *, workers: int, log_path: Path, timeout: float = 120) -> Iterator[Server]:
    """`motcua serve --workers N` (or uWSGI: `serve_command`) until the block ends (SIGTERM to its process
    group)."""
    log = log_path.open("w")
    started = time.perf_counter()
    process = subprocess.Popen(serve_command(env, workers), env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{HOST}:{env['PORT']}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server stopped at start-up:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer /healthz within {timeout:.0f} s")
            try:
                if HttpClient(base).call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        yield Server(base, process.pid, time.perf_counter() - started, log_path)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


class HttpClient:
    """One keep-alive HTTP/1.1 connection to the server; reconnects once if the server closed it."""

    def __init__(self, base: str, timeout: float = 120) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.connection: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, token: str | None = None, body: dict | bytes | None = None,
             content_type: str = "application/json") -> tuple[int, object]:
        """Send one request; the status and the decoded JSON answer (None when empty)."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # a keep-alive connection the server had closed: once more on a new one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def login(client: HttpClient, username: str) -> str:
    status, body = client.call("POST", "/api/v1/auth/login", body={"username": username, "password": DEMO_PASSWORD})
    if status != 200:
        raise SystemExit(f"login of {username} failed: {status} {body}")
    return body["access_token"]


def upload_model(client: HttpClient, token: str, path: Path) -> dict:
    """Deploy a .bpmn file through the API (POST /api/v1/process-models, multipart), as a designer."""
    boundary = "motcua-bench-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    status, answer = client.call("POST", "/api/v1/process-models", token, body,
                                 f"multipart/form-data; boundary={boundary}")
    if status not in (200, 201):
        raise SystemExit(f"deploying {path.name} failed: {status} {answer}")
    return answer
