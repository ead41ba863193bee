"""Applicants sign in through OpenID Connect (the VNeID double in tests/oidc_double.py, a real HTTP
server issuing RS256-signed ID tokens), file dossiers as themselves and see their own; every way a
sign-in can be spoilt ends on a page saying why, in Vietnamese, and signs no one in."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from tests.oidc_double import CITIZENS, CLIENT_ID, CLIENT_SECRET
from workflows.models import ApplicantSession, Dossier
from workflows.settings import OidcConfig

CALLBACK = "http://localhost/nguoi-nop/dang-nhap/xong"
AN, BINH = "079204001234", "001190000321"


@pytest.fixture
def provider(oidc_provider):
    oidc_provider.redirect_uris.add(CALLBACK)
    return oidc_provider


@pytest.fixture
def settings(settings, provider):
    return settings.with_overrides(oidc=OidcConfig(issuer=provider.issuer, client_id=CLIENT_ID,
                                                   client_secret=CLIENT_SECRET))


def go_to_provider(client, path: str = "/nguoi-nop/dang-nhap") -> str:
    response = client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent(authorize_url: str, citizen: str = AN, decision: str = "allow") -> str:
    """The citizen signs in at the provider's form; the URL it sends the browser back to."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200 and "Số định danh cá nhân" in page.text
    parts = urlsplit(authorize_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    answer = requests.post(f"{parts.scheme}://{parts.netloc}{parts.path}", timeout=10, allow_redirects=False,
                           data={**query, "username": citizen, "password": CITIZENS[citizen][0], "decision": decision})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, citizen: str = AN):
    response = come_back(client, consent(go_to_provider(client), citizen))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def applicant_cookie(client) -> str | None:
    cookie = client.get_cookie("motcua_applicant", path="/nguoi-nop")
    return cookie.value if cookie else None


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_the_sign_in_asks_for_a_code_with_pkce_s256_a_state_and_a_nonce(api, provider):
    query = parse_qs(urlsplit(go_to_provider(api.client)).query)
    assert query["response_type"] == ["code"] and query["scope"] == ["openid"]
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert api.client.get_cookie("motcua_signin", path="/nguoi-nop").http_only


def test_a_signed_in_applicant_sees_their_own_dossiers_and_no_one_elses(api, provider):
    own = api.receive()["code"]  # the demo applicant: ID number 079204001234
    other = api.receive(applicant={"full_name": "Trần Thị Bình", "id_number": BINH, "phone": "0987654321"})["code"]
    response = sign_in(api.client)
    assert response.headers["Location"] == "/nguoi-nop/"
    page = api.client.get("/nguoi-nop/").get_data(as_text=True)
    assert "Hồ sơ của tôi" in page and "Nguyễn Văn An" in page and AN in page
    assert own in page and other not in page
    cookie = api.client.get_cookie("motcua_applicant", path="/nguoi-nop")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_the_online_form_is_filled_from_the_sign_in_and_files_the_dossier_in_that_name(api, provider, sessions):
    sign_in(api.client, BINH)
    form = api.client.get("/nguoi-nop/nop-ho-so").get_data(as_text=True)
    assert 'value="Trần Thị Bình" readonly' in form and f'value="{BINH}" readonly' in form
    response = api.client.post("/nguoi-nop/nop-ho-so", data={
        "csrf": csrf_of(form), "procedure_code": "CAP_BAN_SAO_VAN_BANG", "phone": "0987654321",
        "email": "binh@example.vn", "subject": "Cấp bản sao bằng tốt nghiệp THPT năm 2008",
        "id_number": AN, "full_name": "Someone else"})  # fields the page has not: ignored
    assert response.status_code == 302
    code = parse_qs(urlsplit(response.headers["Location"]).query)["nop"][0]
    with sessions() as db:
        dossier = db.scalar(select(Dossier).where(Dossier.code == code))
        assert (dossier.applicant_name, dossier.applicant_id_number, dossier.channel, dossier.status) == (
            "Trần Thị Bình", BINH, "online", 1)
        assert dossier.data == {"subject": "Cấp bản sao bằng tốt nghiệp THPT năm 2008"}
    page = api.client.get(response.headers["Location"]).get_data(as_text=True)
    assert code in page and "Mới đăng ký" in page


def test_a_bad_phone_number_is_named_on_the_form_and_nothing_is_filed(api, provider, sessions):
    sign_in(api.client)
    form = api.client.get("/nguoi-nop/nop-ho-so").get_data(as_text=True)
    response = api.client.post("/nguoi-nop/nop-ho-so", data={"csrf": csrf_of(form), "procedure_code":
                                                              "CHUYEN_TRUONG_THPT", "phone": "12"})
    assert response.status_code == 422
    assert "Vui lòng nhập số điện thoại (8–20 chữ số)." in response.get_data(as_text=True)
    with sessions() as db:
        assert db.scalars(select(Dossier)).all() == []


def test_a_form_without_the_session_s_token_is_refused(api, provider, sessions):
    sign_in(api.client)
    response = api.client.post("/nguoi-nop/nop-ho-so", data={"procedure_code": "CHUYEN_TRUONG_THPT",
                                                              "phone": "0912345678", "csrf": "forged"})
    assert response.status_code == 400 and "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    with sessions() as db:
        assert db.scalars(select(Dossier)).all() == []


def test_the_form_sends_an_applicant_who_is_not_signed_in_to_sign_in_first(api, provider):
    response = api.client.get("/nguoi-nop/nop-ho-so")
    assert response.status_code == 302 and response.headers["Location"] == "/nguoi-nop/dang-nhap?next=nop-ho-so"
    back = come_back(api.client, consent(go_to_provider(api.client, response.headers["Location"])))
    assert back.headers["Location"] == "/nguoi-nop/nop-ho-so"


def test_an_applicant_s_session_does_not_open_the_officers_api(api, provider):
    api.receive()
    sign_in(api.client)
    raw = applicant_cookie(api.client)
    assert api.client.get("/api/v1/dossiers").status_code == 401
    assert api.client.get("/api/v1/dossiers", headers={"Cookie": f"motcua_applicant={raw}"}).status_code == 401
    assert api.client.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_signing_out_ends_the_session_for_a_copy_of_its_cookie_too(api, provider):
    sign_in(api.client)
    raw = applicant_cookie(api.client)
    page = api.client.get("/nguoi-nop/").get_data(as_text=True)
    response = api.client.post("/nguoi-nop/dang-xuat", data={"csrf": csrf_of(page)})
    assert response.status_code == 302 and applicant_cookie(api.client) is None
    api.client.set_cookie("motcua_applicant", raw, path="/nguoi-nop")
    page = api.client.get("/nguoi-nop/").get_data(as_text=True)
    assert "Hồ sơ của tôi" not in page and "Đăng nhập bằng VNeID" in page


def test_signing_out_needs_the_session_s_token(api, provider):
    sign_in(api.client)
    assert api.client.post("/nguoi-nop/dang-xuat", data={}).status_code == 400
    assert "Hồ sơ của tôi" in api.client.get("/nguoi-nop/").get_data(as_text=True)


def test_a_new_sign_in_replaces_the_session_the_browser_had(api, provider, sessions):
    sign_in(api.client)
    first = applicant_cookie(api.client)
    sign_in(api.client, BINH)
    second = applicant_cookie(api.client)
    assert second != first
    api.client.set_cookie("motcua_applicant", first, path="/nguoi-nop")
    assert "Nguyễn Văn An" not in api.client.get("/nguoi-nop/").get_data(as_text=True)
    with sessions() as db:
        ended = db.scalars(select(ApplicantSession.ended_at).order_by(ApplicantSession.id)).all()
    assert ended[0] is not None and ended[1] is None


def test_the_session_is_stored_only_as_a_hash(api, provider, sessions):
    sign_in(api.client)
    raw = applicant_cookie(api.client)
    with sessions() as db:
        stored = db.scalar(select(ApplicantSession))
    assert raw not in stored.token_hash and len(stored.token_hash) == 64


# --- what a spoilt sign-in shows ------------------------------------------------------------------


def refused(response, message: str, api) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "Chưa đăng nhập được" in page and message in page
    assert applicant_cookie(api.client) is None
    assert "Hồ sơ của tôi" not in api.client.get("/nguoi-nop/").get_data(as_text=True)


def test_a_wrong_state_is_refused(api, provider):
    callback = consent(go_to_provider(api.client))
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    response = api.client.get(parts.path, query_string={**query, "state": "not-the-state-we-sent"})
    refused(response, "Phiên đăng nhập không hợp lệ", api)
    assert provider.token_refusals == [] and ("POST", "/sso/token") not in provider.requests  # never exchanged


def test_a_callback_opened_again_is_refused(api, provider):
    callback = consent(go_to_provider(api.client))
    assert come_back(api.client, callback).status_code == 302
    api.client.delete_cookie("motcua_applicant", path="/nguoi-nop")
    refused(come_back(api.client, callback), "Phiên đăng nhập không hợp lệ", api)


def test_a_code_replayed_with_a_fresh_state_is_refused_by_the_provider(api, provider):
    callback = consent(go_to_provider(api.client))
    assert come_back(api.client, callback).status_code == 302
    api.client.delete_cookie("motcua_applicant", path="/nguoi-nop")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    state = parse_qs(urlsplit(go_to_provider(api.client)).query)["state"][0]
    response = come_back(api.client, f"{CALLBACK}?code={code}&state={state}")
    refused(response, "Mã xác thực đã được dùng hoặc đã hết hạn", api)
    assert provider.token_refusals[-1] == "invalid_grant"


def test_an_id_token_with_another_nonce_is_refused(api, provider):
    callback = consent(go_to_provider(api.client))
    provider.tamper = {"nonce": "a-nonce-from-another-sign-in"}
    refused(come_back(api.client, callback), "Thông tin định danh không hợp lệ", api)


def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(api, provider):
    callback = consent(go_to_provider(api.client))
    provider.sign_with_foreign_key = True
    refused(come_back(api.client, callback), "Không xác minh được chữ ký", api)


def test_an_expired_id_token_is_refused(api, provider):
    callback = consent(go_to_provider(api.client))
    now = int(time.time())
    provider.tamper = {"iat": now - 1200, "exp": now - 600, "auth_time": now - 1200}
    refused(come_back(api.client, callback), "Thông tin định danh đã hết hạn", api)


def test_an_id_token_for_another_client_is_refused(api, provider):
    callback = consent(go_to_provider(api.client))
    provider.tamper = {"aud": "another-client"}
    refused(come_back(api.client, callback), "Thông tin định danh không hợp lệ", api)


def test_an_identity_without_an_id_number_is_refused(api, provider):
    provider.include_id_number = False  # `sub` alone is an opaque 24-character value here
    refused(come_back(api.client, consent(go_to_provider(api.client))), "không cung cấp số định danh", api)


def test_an_applicant_who_cancels_at_the_provider_is_told_so(api, provider):
    refused(come_back(api.client, consent(go_to_provider(api.client), decision="deny")), "đã huỷ đăng nhập", api)


def test_a_provider_that_cannot_be_reached_is_explained(api, provider):
    provider.server.shutdown()
    provider.server.server_close()
    response = api.client.get("/nguoi-nop/dang-nhap")
    assert response.status_code == 400
    assert "Chưa kết nối được hệ thống định danh" in response.get_data(as_text=True)


def test_the_lookup_page_offers_the_sign_in(api, provider):
    page = api.client.get("/tra-cuu/SGDDT-000000-0001").get_data(as_text=True)
    assert 'href="/nguoi-nop/">Đăng nhập bằng VNeID' in page


def test_without_an_issuer_no_sign_in_is_offered(bare_api, settings):
    from api import create_app

    app = create_app(settings.with_overrides(oidc=None))
    client = app.test_client()
    home = client.get("/nguoi-nop/").get_data(as_text=True)
    assert "Đăng nhập bằng VNeID chưa được mở tại đây." in home and 'id="sign-in"' not in home
    assert "VNeID" not in client.get("/tra-cuu/SGDDT-000000-0001").get_data(as_text=True)
    assert client.get("/nguoi-nop/dang-nhap").status_code == 404
    assert client.get("/nguoi-nop/nop-ho-so").headers["Location"] == "/nguoi-nop/"
    app.extensions["motcua_engine"].dispose()


def test_the_applicant_pages_are_not_cached_and_run_no_script(api, provider):
    response = api.client.get("/nguoi-nop/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "<script" not in response.get_data(as_text=True)


def test_the_pages_speak_english_when_the_reader_chose_it(api, provider):
    api.client.get("/app/language/en?next=/nguoi-nop/")
    assert "Sign in with VNeID" in api.client.get("/nguoi-nop/").get_data(as_text=True)


def test_a_code_exchanged_without_its_pkce_verifier_is_refused_by_the_provider(api, provider):
    callback = consent(go_to_provider(api.client))
    with api.client.session_transaction("/nguoi-nop/") as pending:  # what Authlib kept for this sign-in
        (key,) = [k for k in pending if k.startswith("_state_vneid_")]
        state = pending[key]
        state["data"]["code_verifier"] = "a-verifier-that-is-not-the-one-whose-challenge-was-sent-x"
        pending[key] = state
    refused(come_back(api.client, callback), "Mã xác thực đã được dùng hoặc đã hết hạn", api)
    assert provider.token_refusals == ["invalid_grant"]


def test_a_wrong_client_secret_is_refused_by_the_provider(bare_api, settings, provider):
    from api import create_app

    oidc = OidcConfig(issuer=provider.issuer, client_id=CLIENT_ID, client_secret="not-the-secret")
    app = create_app(settings.with_overrides(oidc=oidc))
    client = app.test_client()
    response = come_back(client, consent(go_to_provider(client)))
    assert response.status_code == 400
    assert "Hệ thống định danh từ chối yêu cầu đăng nhập" in response.get_data(as_text=True)
    assert provider.token_refusals == ["invalid_client"]
    app.extensions["motcua_engine"].dispose()


def test_claims_the_id_token_lacks_are_taken_from_userinfo_about_the_same_person(api, provider):
    provider.claims_in_userinfo_only = True
    sign_in(api.client, BINH)
    page = api.client.get("/nguoi-nop/").get_data(as_text=True)
    assert "Trần Thị Bình" in page and BINH in page
    assert ("GET", "/sso/userinfo") in provider.requests


def test_userinfo_about_another_person_is_refused(api, provider):
    provider.claims_in_userinfo_only, provider.userinfo_subject = True, "someone-else-entirely"
    refused(come_back(api.client, consent(go_to_provider(api.client))), "Thông tin định danh không hợp lệ", api)
