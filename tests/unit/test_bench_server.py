"""The benchmarks' servers: `motcua serve` by default, uWSGI when a run compares the two."""

from __future__ import annotations

import json
import subprocess

import pytest

from bench import server

ENV = {"PORT": "5123", "MOTCUA_THREADS": "2"}


@pytest.fixture
def uwsgi_site(tmp_path, monkeypatch):
    """A site folder whose pyuwsgi stands in for the real one: its run() prints the arguments it got."""
    (tmp_path / "pyuwsgi.py").write_text(
        "import json, sys\n\ndef run():\n    print(json.dumps(sys.argv))\n    return 0\n")
    monkeypatch.setattr(server, "UWSGI_SITE", str(tmp_path))
    return tmp_path


def test_a_run_serves_with_motcua_serve_unless_told_to_compare_with_uwsgi():
    assert server.serve_command(ENV, 4) == [server.MOTCUA, "serve", "--workers", "4"]


def test_the_uwsgi_command_runs_pyuwsgi_from_the_site_given_with_the_runs_workers_threads_and_port(uwsgi_site):
    answer = subprocess.run(server.serve_command(ENV, 4), capture_output=True, text=True, check=True)

    argv = json.loads(answer.stdout)
    assert argv[0] == "uwsgi"
    options = dict(zip(argv[1:], argv[2:], strict=False))  # each option with what follows it
    assert options["--processes"] == "4" and options["--threads"] == "2"
    assert options["--http"] == f"{server.HOST}:5123"
    assert options["--module"] == "api.wsgi:app"
    # each worker builds its own app and scheduler after the fork, and SIGTERM stops the server
    assert {"--lazy-apps", "--enable-threads", "--die-on-term", "--http-keepalive"} <= set(argv)
