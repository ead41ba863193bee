"""What `make run` does for signing: `motcua make-demo-certificate` (kept when it exists), then a
served app that issues signed results with it at once; production refuses to start with it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.test_server import MOTCUA, call, cli, login, running_server


@pytest.fixture(autouse=True)
def sqlite_only(db_kind):
    if db_kind != "sqlite":  # the results on PostgreSQL: tests/api/test_signed_results.py
        pytest.skip("the served demo path does not depend on the database")


def demo_settings(env: dict, data_dir: Path) -> dict:
    folder = data_dir / "demo-signing"
    return {**env, "MOTCUA_SIGNING_PKCS12": str(folder / "signer.p12"),
            "MOTCUA_SIGNING_PKCS12_PASSWORD_FILE": str(folder / "signer.password"),
            "MOTCUA_SIGNING_TRUST_ROOTS": str(folder / "root.pem")}


def test_a_fresh_install_issues_results_signed_with_the_demo_certificate(server_env, tmp_path):
    env = demo_settings(server_env, tmp_path)
    cli(env, "migrate")
    cli(env, "deploy-models", "bpmn_models")
    cli(env, "seed-demo")
    assert "demo certificate made" in cli(env, "make-demo-certificate")
    made = (tmp_path / "demo-signing" / "signer.p12").read_bytes()
    assert "already made" in cli(env, "make-demo-certificate")
    assert (tmp_path / "demo-signing" / "signer.p12").read_bytes() == made
    assert (tmp_path / "demo-signing" / "signer.password").stat().st_mode & 0o077 == 0

    with running_server(env) as base:
        desk, leader, specialist = login(base, "desk"), login(base, "leader"), login(base, "specialist")
        status, dossier = call(base, "POST", "/api/v1/dossiers", desk, {
            "procedure_code": "CHUYEN_TRUONG_THPT", "channel": "in_person", "data": {"student_name": "Lê Văn Tám"},
            "applicant": {"full_name": "Lê Văn Bảy", "id_number": "079204009999", "phone": "0912000111"}})
        assert status == 201, dossier
        code = dossier["code"]
        for token, bpmn_id, data in ((desk, "check_dossier", {"check_result": "complete"}),
                                     (specialist, "review", {"opinion": "approve"}),
                                     (leader, "sign", {"decision": "approve"})):
            _, tasks = call(base, "GET", f"/api/v1/tasks?dossier_code={code}", token)
            [task] = [t for t in tasks if t["bpmn_id"] == bpmn_id]
            status, body = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": data})
            assert status == 200, body
        _, [result] = call(base, "GET", f"/api/v1/dossiers/{code}/results", desk)
        assert "DEMO" in result["signer_subject"]
        status, shown = call(base, "GET", f"/api/v1/public/results/{result['id']}")
        assert status == 200 and shown["signature_valid"] is True and shown["dossier_code"] == code


def test_production_refuses_to_start_with_the_demo_certificate(server_env, tmp_path):
    env = demo_settings(server_env, tmp_path)
    cli(env, "migrate")
    cli(env, "make-demo-certificate")
    production = {**env, "MOTCUA_ENV": "production", "MOTCUA_SECRET_KEY": "p" * 64}

    refused = subprocess.run([MOTCUA, "serve"], env=production, cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert refused.returncode != 0
    assert "signing certificate is a demo one" in refused.stderr + refused.stdout
    assert "holds a demo certificate authority" in refused.stderr + refused.stdout
    again = subprocess.run([MOTCUA, "make-demo-certificate"], env=production, cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert again.returncode != 0 and "not for production" in again.stderr
