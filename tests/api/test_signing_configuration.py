"""How the signing configuration shows at start-up and when a result is due: production refuses a
demo certificate (or demo trust roots, or a key it cannot open) and runs without any key, issuing
no electronic result (each dossier's history says so)."""

from __future__ import annotations

import pytest

from api import create_app
from workflows.auth import create_user
from workflows.settings import SigningConfig
from workflows.signing.demo import make_demo_certificate

REAL_KEY = "k" * 16 + "3f9a" * 8
STRONG = "Một-mật-khẩu-dài-2026!"


@pytest.fixture
def production(settings, sessions):
    with sessions() as session, session.begin():
        create_user(session, username="quan.tri", password=STRONG, full_name="Quản trị", roles=["admin"])
    return settings.with_overrides(env="production", secret_key=REAL_KEY)


def starts(settings) -> None:
    create_app(settings).extensions["motcua_engine"].dispose()


def refusal(settings) -> str:
    with pytest.raises(SystemExit) as refused:
        create_app(settings)
    return str(refused.value)


def test_production_refuses_the_demo_certificate_and_demo_trust_roots(production, tmp_path):
    files, _ = make_demo_certificate(tmp_path)
    demo = SigningConfig(pkcs12=files.pkcs12, pkcs12_password_file=files.password_file)

    message = refusal(production.with_overrides(signing=demo, trust_roots=files.trust_root))

    assert "the signing certificate is a demo one" in message
    assert "MOTCUA_SIGNING_TRUST_ROOTS holds a demo certificate authority" in message


def test_production_refuses_a_key_it_cannot_open(production, pki):
    broken = SigningConfig(pkcs12=pki.signer_p12, pkcs12_password="not the password")

    assert "the signing key cannot be opened" in refusal(production.with_overrides(signing=broken,
                                                                                    trust_roots=pki.root_pem))


def test_production_starts_with_the_departments_certificate_or_without_any(production, pki):
    starts(production.with_overrides(signing=pki.config(), trust_roots=pki.root_pem))
    starts(production)


def test_unreadable_trust_roots_stop_the_start(settings, tmp_path):
    assert "cannot be read" in refusal(settings.with_overrides(trust_roots=tmp_path / "missing.pem"))


def test_without_a_key_the_dossier_goes_on_and_its_history_says_no_result_was_issued(api):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve"})
    api.complete(code, "leader", "sign", {"decision": "approve"})

    assert api.dossier(code)["status"] == 9
    assert api.get(f"/api/v1/dossiers/{code}/results", user="desk").get_json() == []
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    [event] = [e for e in history if e["action"] == "dossier.result_not_issued"]
    assert event["actor"] == "leader" and "no signing key is configured" in event["data"]["reason"]


def test_a_model_naming_an_unknown_result_kind_is_refused_at_deployment(api):
    from tests.conftest import read_model

    model = read_model("chuyen_truong_thpt.bpmn").replace(b'value="transfer_acceptance"', b'value="giay_phep"')

    response = api.deploy(model, "chuyen_truong_thpt.bpmn")

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "bpmn_invalid" and body["errors"]["element"] == "Event_Processed"
    [problem] = body["errors"]["problems"]
    assert problem["code"] == "issue_result_unknown"
    assert problem["message"] == ("'Event_Processed' đặt issue_result='giay_phep'; giá trị phải là một loại kết "
                                  "quả: certified_copy, transfer_acceptance.")
