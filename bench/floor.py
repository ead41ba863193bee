"""Part `floor`: what a request costs the server before it does any work of its own (issue #16).

Issue #16's step is three HTTP requests (list, claim, complete) in 4 ms of server CPU. This part
measures, on the same `motcua serve --workers N` as the `steps` part (gunicorn, gthread, the run's
threads per worker, its access log), the CPU the server spends on requests that do almost nothing, with
the same 8 keep-alive clients:

- `GET /healthz`: no sign-in; one `SELECT 1`-like read of the database (`workflows.health`), the
  WSGI server, Flask's routing and the JSON answer;
- `GET /api/v1/auth/me`: the same plus the bearer token's check (one read of the token, its user,
  unit and roles) and the security headers every API answer carries;
- `GET /api/v1/tasks?dossier_code=<no such dossier>`: the same plus a step's list request's query
  parsing and its (empty) task query.

The figure per request is the server processes' user + system time from /proc over the phase
divided by the requests; the same figure, the part's `in_process` rows, for the Flask app called
directly (`app.wsgi_app` in this process, no HTTP server) splits the server's share from the
app's. Three times the `auth/me` figure is what a three-request step costs before any task is
looked up.
"""

from __future__ import annotations

import io
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import cpu_seconds
from bench.server import HttpClient, login, prepare_database, running_server, server_env

REQUESTS = {  # name: (path, signed in)
    "healthz": ("/healthz", False),
    "auth_me": ("/api/v1/auth/me", True),
    "empty_list": ("/api/v1/tasks?dossier_code=KHONG-CO", True),
}
WARM_UP = 100


def run(kind: str, database_url: str, *, requests: int, clients: int, workers: int) -> list[dict]:
    """One row per request kind: server CPU per request through `motcua serve`, and in-process."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="motcua-bench-floor-") as folder:
        prepare_database(database_url)
        with running_server(server_env(database_url, Path(folder)), workers=workers,
                            log_path=Path(folder) / "server.log") as server:
            token = login(HttpClient(server.base), "desk")
            for name, (path, signed_in) in REQUESTS.items():
                rows.append({"part": "floor", "database": kind, "request": name, "path": path, "clients": clients,
                             **_served(server, path, token if signed_in else None, requests, clients)})
        for row in rows:
            row["in_process_cpu_ms"] = _in_process(database_url, Path(folder), row["path"], requests)
    for row in rows:
        row["server_share_ms"] = round(row["server_cpu_ms"] - row["in_process_cpu_ms"], 2)
        print(f"  [{kind}] {row['path']}: {row['server_cpu_ms']} ms server CPU per request "
              f"({row['in_process_cpu_ms']} ms of it the app's, called in-process)", flush=True)
    return rows


def _served(server, path: str, token: str | None, requests: int, clients: int) -> dict:
    def drive(count: int) -> None:
        client = HttpClient(server.base)
        for _ in range(count):
            status, body = client.call("GET", path, token)
            if status != 200:
                raise SystemExit(f"GET {path}: {status} {str(body)[:300]}")
        client.close()

    drive(WARM_UP)
    pids = server.pids()
    before, started = cpu_seconds(pids), time.perf_counter()
    threads = [threading.Thread(target=drive, args=(requests // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = clients * (requests // clients)
    wall, cpu = time.perf_counter() - started, cpu_seconds(pids) - before
    return {"requests": done, "per_s": round(done / wall, 1), "server_cpu_ms": round(1000 * cpu / done, 3)}


def _in_process(database_url: str, data_dir: Path, path: str, requests: int) -> float:
    """CPU ms per request of the Flask app called as a WSGI application in this process, one thread."""
    from api import create_app
    from workflows.settings import from_env

    app = create_app(from_env().with_overrides(database_url=database_url, data_dir=data_dir))
    client = app.test_client()
    body = client.post("/api/v1/auth/login", json={"username": "desk", "password": "demo"}).get_json()
    authorization = f"Bearer {body['access_token']}"
    route, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "HTTP_AUTHORIZATION": authorization}

    def call() -> None:
        answer = app.wsgi_app({**environ, "wsgi.input": io.BytesIO()}, lambda status, headers, exc_info=None: None)
        b"".join(answer)
        getattr(answer, "close", lambda: None)()

    for _ in range(WARM_UP):
        call()
    started = time.process_time()
    for _ in range(requests):
        call()
    cpu = time.process_time() - started
    app.extensions["motcua_engine"].dispose()
    return round(1000 * cpu / requests, 3)
