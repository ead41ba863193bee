"""The `motcua` command starts without building the web application: importing `api.cli` (what every
command does first) leaves the views, the HTTP framework and the signing and printing libraries
unimported, so that `motcua migrate` and the like start in a fraction of a second, not in two."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

NOT_FOR_A_COMMAND = ("flask", "flask_smorest", "api.app", "api.views.dossiers", "pyhanko", "weasyprint", "openpyxl",
                     "aiohttp", "SpiffWorkflow", "apscheduler")


def test_importing_the_command_leaves_the_web_application_and_its_libraries_unimported():
    probe = f"import sys, api.cli; print([m for m in {NOT_FOR_A_COMMAND!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_application_factory_is_still_found_where_it_always_was():
    from api import create_app
    from api.app import create_app as factory

    assert create_app is factory
