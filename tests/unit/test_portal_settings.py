"""The national portal's settings: off unless MOTCUA_PORTAL_URL is set; then the account, the agency
and, through the province's LGSP, its token; secrets from the variable or a file, never shown."""

from __future__ import annotations

import pytest

from workflows.settings import PortalConfig, SettingError, read

PORTAL = {"MOTCUA_PORTAL_URL": "https://lgsp.example.gov.vn/dvcqg/services",
          "MOTCUA_PORTAL_LOGIN_URL": "https://lgsp.example.gov.vn/dvcqg/login",
          "MOTCUA_PORTAL_USERNAME": "sogddt", "MOTCUA_PORTAL_PASSWORD": "mật khẩu 2026",
          "MOTCUA_PORTAL_AGENCY_CODE": "000.00.12.H40"}


def rejects(environ: dict, variable: str) -> str:
    with pytest.raises(SettingError, match=variable) as caught:
        read(environ)
    return str(caught.value)


def test_without_a_url_there_is_no_synchronisation():
    assert read({}).portal is None
    assert read({**PORTAL, "MOTCUA_PORTAL_URL": ""}).portal is None


def test_every_portal_variable_is_read():
    found = read({**PORTAL, "MOTCUA_PORTAL_DSTCODE": "000.00.12.H40-DVCQG", "MOTCUA_LGSP_MODE": "Client-Credentials",
                  "MOTCUA_LGSP_ACCESS_TOKEN": "eyJBY2Nlc3NLZXkiOiJrIn0=",
                  "MOTCUA_LGSP_TOKEN_URL": "https://lgsp.example.gov.vn/token", "MOTCUA_PORTAL_TIMEOUT": "45",
                  "MOTCUA_PORTAL_SESSION_SECONDS": "300"}).portal

    assert found == PortalConfig(
        url=PORTAL["MOTCUA_PORTAL_URL"], login_url=PORTAL["MOTCUA_PORTAL_LOGIN_URL"], username="sogddt",
        password="mật khẩu 2026", agency_code="000.00.12.H40", dstcode="000.00.12.H40-DVCQG",
        lgsp_mode="client-credentials", lgsp_access_token="eyJBY2Nlc3NLZXkiOiJrIn0=",
        lgsp_token_url="https://lgsp.example.gov.vn/token", timeout=45.0, session_seconds=300.0)
    assert (PortalConfig.timeout, PortalConfig.session_seconds, PortalConfig.lgsp_mode) == (30.0, 600.0, "none")


def test_the_password_and_the_token_may_be_read_from_files(tmp_path):
    (tmp_path / "password").write_text("from-a-file\n", encoding="utf-8")
    (tmp_path / "token").write_text("tok-123", encoding="utf-8")
    environ = {**PORTAL, "MOTCUA_PORTAL_PASSWORD": "", "MOTCUA_PORTAL_PASSWORD_FILE": str(tmp_path / "password"),
               "MOTCUA_LGSP_MODE": "static", "MOTCUA_LGSP_ACCESS_TOKEN_FILE": str(tmp_path / "token")}

    found = read(environ).portal

    assert (found.password, found.lgsp_access_token) == ("from-a-file", "tok-123")
    message = rejects({**environ, "MOTCUA_PORTAL_PASSWORD_FILE": str(tmp_path / "missing")},
                      "MOTCUA_PORTAL_PASSWORD_FILE")
    assert "missing" not in message


@pytest.mark.parametrize("variable", ["MOTCUA_PORTAL_LOGIN_URL", "MOTCUA_PORTAL_USERNAME", "MOTCUA_PORTAL_PASSWORD",
                                      "MOTCUA_PORTAL_AGENCY_CODE"])
def test_with_a_url_the_account_and_the_agency_are_required(variable):
    rejects({**PORTAL, variable: ""}, variable)


@pytest.mark.parametrize(("variables", "named"), [
    ({"MOTCUA_LGSP_MODE": "static"}, "MOTCUA_LGSP_ACCESS_TOKEN"),
    ({"MOTCUA_LGSP_MODE": "client-credentials", "MOTCUA_LGSP_ACCESS_TOKEN": "t"}, "MOTCUA_LGSP_TOKEN_URL"),
    ({"MOTCUA_LGSP_MODE": "oauth"}, "MOTCUA_LGSP_MODE"),
    ({"MOTCUA_LGSP_MODE": "static", "MOTCUA_LGSP_ACCESS_TOKEN": "a b"}, "MOTCUA_LGSP_ACCESS_TOKEN"),
    ({"MOTCUA_PORTAL_DSTCODE": "a\r\nX-Evil: 1"}, "MOTCUA_PORTAL_DSTCODE"),
    ({"MOTCUA_PORTAL_TIMEOUT": "0"}, "MOTCUA_PORTAL_TIMEOUT"),
    ({"MOTCUA_PORTAL_URL": "ftp://lgsp.example.gov.vn/"}, "MOTCUA_PORTAL_URL"),
])
def test_a_portal_setting_it_cannot_use_is_rejected_naming_the_variable(variables, named):
    rejects({**PORTAL, **variables}, named)


def test_credentials_in_a_url_are_refused_without_being_shown():
    message = rejects({**PORTAL, "MOTCUA_PORTAL_URL": "https://u:hunter2@lgsp.example.gov.vn/x"}, "MOTCUA_PORTAL_URL")
    assert "hunter2" not in message and "MOTCUA_PORTAL_PASSWORD" in message


def test_the_settings_never_show_the_password_or_the_token():
    shown = repr(read({**PORTAL, "MOTCUA_LGSP_MODE": "static", "MOTCUA_LGSP_ACCESS_TOKEN": "tok-secret"}).portal)
    assert "mật khẩu" not in shown and "tok-secret" not in shown and "000.00.12.H40" in shown
