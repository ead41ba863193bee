"""Applicants' sign-in settings: off unless MOTCUA_OIDC_ISSUER is set; then the client, the scope (with
openid), the claims that carry the ID number and the name; the secret never shown."""

from __future__ import annotations

import pytest

from workflows.applicant_sessions import identity_from_claims
from workflows.errors import InvalidInput
from workflows.settings import OidcConfig, SettingError, read

OIDC = {"MOTCUA_OIDC_ISSUER": "https://sso.dichvucong.gov.vn", "MOTCUA_OIDC_CLIENT_ID": "sogddt-motcua",
        "MOTCUA_OIDC_CLIENT_SECRET": "bí mật 2026"}


def rejects(environ: dict, variable: str) -> str:
    with pytest.raises(SettingError, match=variable) as caught:
        read(environ)
    return str(caught.value)


def test_without_an_issuer_applicants_do_not_sign_in():
    assert read({}).oidc is None
    assert read({**OIDC, "MOTCUA_OIDC_ISSUER": ""}).oidc is None


def test_every_sign_in_variable_is_read():
    found = read({**OIDC, "MOTCUA_OIDC_SCOPE": "openid profile", "MOTCUA_OIDC_ID_NUMBER_CLAIMS": "cccd, sub",
                  "MOTCUA_OIDC_NAME_CLAIMS": "hoTen", "MOTCUA_APPLICANT_SESSION_MINUTES": "30",
                  "MOTCUA_OIDC_TIMEOUT": "5", "MOTCUA_PUBLIC_URL": "https://motcua.sogddt.example.vn/"})
    assert found.oidc == OidcConfig(issuer="https://sso.dichvucong.gov.vn", client_id="sogddt-motcua",
                                    client_secret="bí mật 2026", scope="openid profile",
                                    id_number_claims=("cccd", "sub"), name_claims=("hoTen",), session_minutes=30,
                                    timeout=5.0)
    assert found.public_url == "https://motcua.sogddt.example.vn"


def test_the_documented_claims_are_the_defaults():
    config = read(OIDC).oidc
    assert (config.scope, config.id_number_claims, config.name_claims) == (
        "openid", ("citizen_id", "so_dinh_danh", "sub"), ("name", "ho_va_ten", "full_name"))


@pytest.mark.parametrize("missing", ["MOTCUA_OIDC_CLIENT_ID", "MOTCUA_OIDC_CLIENT_SECRET"])
def test_the_client_must_be_named_with_the_issuer(missing):
    rejects({**OIDC, missing: ""}, missing)


def test_a_scope_without_openid_is_refused():
    rejects({**OIDC, "MOTCUA_OIDC_SCOPE": "profile"}, "MOTCUA_OIDC_SCOPE")


def test_an_issuer_that_is_not_a_url_is_refused():
    rejects({**OIDC, "MOTCUA_OIDC_ISSUER": "sso.dichvucong.gov.vn"}, "MOTCUA_OIDC_ISSUER")


def test_the_client_secret_is_never_shown():
    assert "bí mật" not in repr(read(OIDC))


def test_the_id_number_comes_from_the_first_claim_present():
    identity = identity_from_claims({"sub": "abc123456", "so_dinh_danh": "079204001234", "ho_va_ten": "Lê Văn Cường"},
                                    issuer="https://sso", id_number_claims=OidcConfig.id_number_claims,
                                    name_claims=OidcConfig.name_claims)
    assert (identity.id_number, identity.full_name, identity.subject) == ("079204001234", "Lê Văn Cường", "abc123456")


def test_a_claim_that_is_no_id_number_is_refused():
    with pytest.raises(InvalidInput):
        identity_from_claims({"sub": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}, issuer="https://sso",
                             id_number_claims=OidcConfig.id_number_claims, name_claims=OidcConfig.name_claims)
