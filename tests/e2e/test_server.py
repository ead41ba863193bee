"""A real `motcua serve` process: the commands `make run` uses, HTTP on 127.0.0.1, the scheduler inside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import BPMN_MODELS, ROOT, duration_timer, with_review_timer

MOTCUA = str(Path(sys.executable).parent / "motcua")


def call(base: str, method: str, path: str, token: str | None = None, body: dict | bytes | None = None,
         content_type: str = "application/json") -> tuple[int, dict]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "motcua-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def cli(env: dict, *args: str) -> str:
    result = subprocess.run([MOTCUA, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def running_server(env: dict, output: list[str] | None = None):
    """`motcua serve` until the block ends; its output (access log, errors) goes into `output` as it comes."""
    process = subprocess.Popen([MOTCUA, "serve"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = [] if output is None else output  # read as it comes: a full pipe (64 KiB) would block the server
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(base, "GET", "/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert process.poll() is None, "".join(output)
            assert time.monotonic() < deadline, "server did not answer /healthz within 30 s"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)  # gunicorn lets a request in flight finish (up to its 30 s graceful timeout)


_TOKENS: dict[tuple[str, str], str] = {}  # (server, user): the token its last login gave


def login(base: str, username: str) -> str:
    """A token of `username` (password "demo") at the server `base`. A login is a password hash of
    production cost (argon2, about 0.1 s of the server's CPU), so the token a test got before is used
    again while the server still takes it (a new server on the same port, a revoked token: not)."""
    token = _TOKENS.get((base, username))
    if token is not None and call(base, "GET", "/api/v1/auth/me", token)[0] == 200:
        return token
    status, body = call(base, "POST", "/api/v1/auth/login", body={"username": username, "password": "demo"})
    assert status == 200, body
    _TOKENS[base, username] = body["access_token"]
    return body["access_token"]


def test_the_served_api_runs_a_dossier_and_keeps_it_across_restarts(server_env):
    assert "database at head" in cli(server_env, "migrate")
    cli(server_env, "deploy-models", str(BPMN_MODELS))
    cli(server_env, "seed-demo")

    with running_server(server_env) as base:
        desk = login(base, "desk")
        status, dossier = call(base, "POST", "/api/v1/dossiers", desk, {
            "procedure_code": "CHUYEN_TRUONG_THPT",
            "applicant": {"full_name": "Trần Thị Bình", "id_number": "079304005678"}})
        assert status == 201, dossier
        status, tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={dossier['code']}", desk)
        status, done = call(base, "POST", f"/api/v1/tasks/{tasks[0]['id']}/complete", desk,
                            {"data": {"check_result": "complete"}})
        assert status == 200 and done["dossier"]["status"] == 4

    # `make run` again: migrate, deploy and seed are no-ops, the data is still there.
    cli(server_env, "migrate")
    assert "already deployed" in cli(server_env, "deploy-models", str(BPMN_MODELS))
    assert "0 new users" in cli(server_env, "seed-demo")
    with running_server(server_env) as base:
        status, again = call(base, "GET", f"/api/v1/dossiers/{dossier['code']}", login(base, "specialist"))
        assert status == 200 and again["status"] == 4


def test_the_scheduler_in_the_server_fires_a_boundary_timer(server_env):
    cli(server_env, "migrate")
    cli(server_env, "deploy-models", str(BPMN_MODELS))
    cli(server_env, "seed-demo")

    with running_server(server_env) as base:
        admin, desk, leader = login(base, "admin"), login(base, "desk"), login(base, "leader")
        short = with_review_timer("chuyen_truong_thpt.bpmn", duration_timer('"PT1S"'))
        body, content_type = multipart("chuyen_truong_thpt.bpmn", short)
        status, version = call(base, "POST", "/api/v1/process-models", admin, body, content_type)
        assert status == 201 and version["version"] == 2
        status, dossier = call(base, "POST", "/api/v1/dossiers", desk, {
            "procedure_code": "CHUYEN_TRUONG_THPT",
            "applicant": {"full_name": "Lê Văn Cường", "id_number": "079204009999"}})
        _, tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={dossier['code']}", desk)
        call(base, "POST", f"/api/v1/tasks/{tasks[0]['id']}/complete", desk, {"data": {"check_result": "complete"}})

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            _, leader_tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={dossier['code']}", leader)
            if leader_tasks:
                break
            time.sleep(0.3)
        assert [t["bpmn_id"] for t in leader_tasks] == ["remind_review"]
        _, history = call(base, "GET", f"/api/v1/dossiers/{dossier['code']}/history", leader)
        fired = [e for e in history if e["action"] == "timer.fired"]
        assert fired and fired[0]["actor"] == "scheduler"


def test_the_server_opens_no_control_socket_through_which_another_process_could_resize_or_stop_it(
        server_env, tmp_path):
    # gunicorn's default is one socket per user account ($XDG_RUNTIME_DIR or ~/.gunicorn): every
    # `motcua serve` of the host would take it from the one before
    home = tmp_path / "home"
    home.mkdir()
    env = {**{k: v for k, v in server_env.items() if k != "XDG_RUNTIME_DIR"}, "HOME": str(home)}
    cli(env, "migrate")
    output: list[str] = []

    with running_server(env, output) as base:
        assert call(base, "GET", "/healthz")[0] == 200

    assert not (home / ".gunicorn").exists()
    assert not any("Control socket" in line for line in output), "".join(output)
