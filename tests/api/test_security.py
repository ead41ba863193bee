"""Authentication and who sees what: strong passwords, login limits, tokens that die with the
account or the password, production refusals, masked personal data, units, security headers."""

from __future__ import annotations

import pytest

from api import create_app

STRONG = "Hoa-sen-2026-xanh"


def login(api, username: str, password: str, address: str = "10.0.0.1"):
    return api.client.post("/api/v1/auth/login", json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def new_user(api, username: str = "nguyen.van.b", password: str = STRONG, roles=("desk_officer",)):
    return api.post("/api/v1/users", user="admin", json={
        "username": username, "full_name": "Nguyễn Văn B", "password": password, "roles": list(roles),
        "unit_code": "BP_MOT_CUA"})


# --- passwords and logins ----------------------------------------------------------------------

@pytest.mark.parametrize("password", ["ngan123", "chichuvaketthuc", "123456789012345", "nguyen.van.b-2026"])
def test_a_weak_password_is_refused_for_a_real_user_with_the_reason(api, password):
    response = new_user(api, password=password)
    assert response.status_code == 422
    assert response.get_json()["errors"]["field"] == "password"
    assert response.get_json()["errors"]["requirements"]


def test_a_user_created_by_an_admin_logs_in_and_the_hash_is_argon2(api, sessions):
    assert new_user(api).status_code == 201
    assert login(api, "nguyen.van.b", STRONG).status_code == 200
    from sqlalchemy import select

    from workflows.models import User

    with sessions() as session:
        user = session.scalars(select(User).where(User.username == "nguyen.van.b")).one()
    assert user.password_hash.startswith("$argon2") and user.demo is False


def test_five_failed_logins_block_that_address_for_that_user_even_with_the_right_password(api):
    for _ in range(5):
        assert login(api, "desk", "sai-mat-khau").status_code == 401
    blocked = login(api, "desk", "demo")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert login(api, "leader", "demo").status_code == 200  # other users are not affected


def test_a_guesser_at_one_address_cannot_lock_the_officer_out_from_their_own_desk(api):
    for _ in range(5):
        assert login(api, "desk", "sai-mat-khau", address="203.0.113.7").status_code == 401
    assert login(api, "desk", "demo", address="203.0.113.7").status_code == 429
    assert login(api, "desk", "demo", address="10.0.0.1").status_code == 200


def _guess_from_many_addresses(api, username: str, failures: int, first: int = 0) -> None:
    for number in range(first, first + failures):
        address = f"198.51.{number // 1000}.{number // 4 % 250}"  # four tries per address: under its limits
        assert login(api, username, "sai-mat-khau", address=address).status_code == 401


def test_many_addresses_guessing_one_user_are_stopped_by_the_slower_per_user_limit(api):
    from workflows.auth import FAILED_LOGINS_PER_USER

    limit, _ = FAILED_LOGINS_PER_USER
    _guess_from_many_addresses(api, "leader", limit)
    assert login(api, "leader", "demo", address="198.51.100.250").status_code == 429  # a new address
    assert login(api, "clerk", "demo", address="198.51.100.250").status_code == 200


def test_the_per_user_limit_spares_an_address_the_user_signed_in_from_before(api):
    from workflows.auth import FAILED_LOGINS_PER_USER

    assert login(api, "leader", "demo", address="10.0.0.5").status_code == 200
    _guess_from_many_addresses(api, "leader", FAILED_LOGINS_PER_USER[0])
    assert login(api, "leader", "demo", address="10.0.0.5").status_code == 200


def test_the_account_owner_is_warned_by_email_and_sms_when_someone_guesses_their_password(api, sessions):
    from sqlalchemy import select

    from engine.models import AuditEvent
    from workflows.auth import ALERT_AFTER_FAILED_LOGINS, FAILED_LOGINS_PER_USER
    from workflows.models import OutboxMessage

    assert api.client.patch("/api/v1/users/leader", json={"email": "lanhdao@sgddt.example.vn",
                                                          "phone": "0987000111"},
                            headers=bearer(api.token("admin"))).status_code == 200
    _guess_from_many_addresses(api, "leader", ALERT_AFTER_FAILED_LOGINS - 1)
    with sessions() as session:
        assert not session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "account_login_failures")).all()
    _guess_from_many_addresses(api, "leader", 1, first=1000)
    with sessions() as session:
        messages = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "account_login_failures")
                                   .order_by(OutboxMessage.channel)).all()
        alerts = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failures_alert")).all()
    assert [(m.channel, m.recipient) for m in messages] == [("email", "lanhdao@sgddt.example.vn"),
                                                           ("sms", "0987000111")]
    assert f"{ALERT_AFTER_FAILED_LOGINS} lần đăng nhập sai" in messages[0].body and "leader" in messages[0].subject
    assert alerts[0].data["failures"] == ALERT_AFTER_FAILED_LOGINS
    _guess_from_many_addresses(api, "leader", FAILED_LOGINS_PER_USER[0] - ALERT_AFTER_FAILED_LOGINS, first=2000)
    with sessions() as session:
        email = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "account_login_failures",
                                                            OutboxMessage.channel == "email")
                                .order_by(OutboxMessage.id)).all()
    assert len(email) == 2 and "tạm khóa đến" in email[1].body  # once more when the account is blocked


def test_no_warning_is_written_for_a_username_that_does_not_exist(api, sessions):
    from sqlalchemy import func, select

    from workflows.auth import ALERT_AFTER_FAILED_LOGINS
    from workflows.models import OutboxMessage

    _guess_from_many_addresses(api, "khong-ton-tai", ALERT_AFTER_FAILED_LOGINS)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_one_address_guessing_many_users_is_blocked(api):
    for number in range(20):
        assert login(api, f"khong-co-{number}", "x", address="10.9.9.9").status_code == 401
    assert login(api, "leader", "demo", address="10.9.9.9").status_code == 429
    assert login(api, "leader", "demo", address="10.9.9.10").status_code == 200


def test_disabling_a_user_revokes_their_tokens_at_once(api):
    token = api.token("clerk")
    assert api.client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    assert api.client.patch("/api/v1/users/clerk", json={"active": False},
                            headers=bearer(api.token("admin"))).status_code == 200
    assert api.client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
    assert login(api, "clerk", "demo").status_code == 401


def test_changing_the_password_ends_every_session_of_the_user(api):
    first, second = login(api, "leader", "demo").get_json()["access_token"], api.token("leader")
    changed = api.client.post("/api/v1/auth/password", json={"current_password": "demo", "new_password": STRONG},
                              headers=bearer(first))
    assert changed.status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=bearer(first)).status_code == 401
    assert api.client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 401
    assert login(api, "leader", STRONG).status_code == 200
    wrong_current = api.client.post("/api/v1/auth/password", json={"current_password": "x", "new_password": STRONG},
                                    headers=bearer(login(api, "leader", STRONG).get_json()["access_token"]))
    assert wrong_current.status_code == 422 and wrong_current.get_json()["errors"]["field"] == "current_password"


def test_a_revoked_api_token_is_refused(api):
    token = api.post("/api/v1/api-tokens", user="admin",
                     json={"name": "buu-dien", "scopes": ["postal:write"]}).get_json()["token"]
    listed = api.get("/api/v1/api-tokens", user="admin").get_json()
    assert [t["name"] for t in listed] == ["buu-dien"] and "token" not in listed[0]
    assert api.client.delete("/api/v1/api-tokens/buu-dien", headers=bearer(api.token("admin"))).status_code == 200
    response = api.client.get("/api/v1/reports/statistics?quarter=2026-Q4", headers=bearer(token))
    assert response.status_code == 401


def test_the_postal_service_records_a_delivery_with_its_scoped_token(api):
    token = api.post("/api/v1/api-tokens", user="admin",
                     json={"name": "buu-dien", "scopes": ["postal:write"]}).get_json()["token"]
    code = api.receive()["code"]
    for user, step, data in (("desk", "check_dossier", {"check_result": "complete"}),
                             ("specialist", "review", {"opinion": "approve"}),
                             ("leader", "sign", {"decision": "approve"})):
        api.complete(code, user, step, data)
    api.return_result(code, {"return_method": "post", "postal_tracking_number": "EL111222333VN"})

    delivered = api.client.post(f"/api/v1/dossiers/{code}/postal-delivery", headers=bearer(token),
                                json={"status": "delivered", "at": "2026-12-09T10:00:00+07:00"})
    assert delivered.status_code == 200, delivered.get_json()
    assert delivered.get_json()["applicant"]["phone"] == "*******678"  # a token handles no dossier
    assert api.client.get(f"/api/v1/dossiers/{code}", headers=bearer(token)).status_code == 403
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    event = [e for e in history if e["action"] == "dossier.postal_delivery"][0]
    assert event["actor"] == "api:buu-dien" and event["data"]["postal_tracking_number"] == "EL111222333VN"


# --- production -------------------------------------------------------------------------------

def test_production_refuses_the_development_secret_key_and_demo_users(settings, seeded):
    with pytest.raises(SystemExit) as refused:
        create_app(settings.with_overrides(env="production"))
    message = str(refused.value)
    assert "MOTCUA_SECRET_KEY" in message and "demo users are active" in message and "admin" in message


def test_production_starts_with_a_real_key_and_no_demo_password(settings, sessions):
    from workflows.auth import create_user

    with sessions() as session, session.begin():
        create_user(session, username="quan.tri", password=STRONG, full_name="Quản trị", roles=["admin"])
    app = create_app(settings.with_overrides(env="production", secret_key="k" * 16 + "3f9a" * 8))
    assert app.config["SECRET_KEY"].startswith("k")
    app.extensions["motcua_engine"].dispose()


def test_production_refuses_applicants_sign_in_without_https(settings, sessions):
    from workflows.settings import OidcConfig

    oidc = OidcConfig(issuer="http://sso.example.vn", client_id="motcua", client_secret="s" * 20)
    with pytest.raises(SystemExit) as refused:
        create_app(settings.with_overrides(env="production", secret_key="k" * 40, oidc=oidc))
    assert "MOTCUA_OIDC_ISSUER must be an https://" in str(refused.value)
    assert "MOTCUA_PUBLIC_URL must be set" in str(refused.value)


# --- personal data and units ----------------------------------------------------------------

def test_lists_mask_id_and_phone_numbers_and_only_handlers_see_them_in_full(api):
    code = api.receive()["code"]
    listed = api.get("/api/v1/dossiers", user="desk").get_json()["items"][0]["applicant"]
    assert listed["id_number"] == "*********234" and listed["phone"] == "*******678" and listed["address"] == ""
    assert api.get(f"/api/v1/dossiers/{code}", user="desk").get_json()["applicant"]["id_number"] == "079204001234"
    assert api.get(f"/api/v1/dossiers/{code}", user="specialist").get_json()["applicant"]["phone"] == "0912345678"
    assert api.get(f"/api/v1/dossiers/{code}", user="khaothi").get_json()["applicant"]["phone"] == "*******678"
    assert api.get(f"/api/v1/dossiers/{code}", user="clerk").get_json()["applicant"]["id_number"].startswith("***")
    assert api.get(f"/api/v1/dossiers/{code}/history", user="khaothi").status_code == 403
    assert api.get(f"/api/v1/dossiers/{code}/forms/receipt", user="khaothi").status_code == 403
    assert api.get(f"/api/v1/dossiers/{code}/notices", user="khaothi").status_code == 403
    assert api.get(f"/api/v1/dossiers/{code}/notices", user="specialist").status_code == 200


def test_an_integration_token_that_reads_dossiers_reads_any_history_and_sees_applicants_masked(api):
    token = api.post("/api/v1/api-tokens", user="admin",
                     json={"name": "thong-ke", "scopes": ["dossiers:read"]}).get_json()["token"]
    code = api.receive()["code"]

    dossier = api.client.get(f"/api/v1/dossiers/{code}", headers=bearer(token))
    history = api.client.get(f"/api/v1/dossiers/{code}/history", headers=bearer(token))
    assert dossier.status_code == 200 and dossier.get_json()["applicant"]["id_number"] == "*********234"
    assert history.status_code == 200 and "dossier.received" in {e["action"] for e in history.get_json()}
    assert api.client.get(f"/api/v1/dossiers/{code}/notices", headers=bearer(token)).status_code == 403


def test_a_specialist_sees_and_works_only_the_tasks_of_dossiers_their_unit_decides(api):
    transfer = api.receive("CHUYEN_TRUONG_THPT")["code"]
    diploma = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    for code in (transfer, diploma):
        api.complete(code, "desk", "check_dossier", {"check_result": "complete"})

    mine = {t["dossier_code"] for t in api.get("/api/v1/tasks", user="specialist").get_json()}
    theirs = {t["dossier_code"] for t in api.get("/api/v1/tasks", user="khaothi").get_json()}
    assert mine == {transfer} and theirs == {diploma}
    task = api.open_task(diploma, "khaothi", "review")
    refused = api.post(f"/api/v1/tasks/{task['id']}/complete", user="specialist", json={"data": {"opinion": "approve"}})
    assert refused.status_code == 403


def test_the_outbox_shows_recipients_masked(api):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "refuse", "reason": "Sai thẩm quyền"})
    items = api.get("/api/v1/notifications/outbox", user="admin", query_string={"dossier_code": code}).get_json()
    assert {m["recipient"] for m in items["items"]} == {"a***@example.vn", "*******678"}


# --- headers ----------------------------------------------------------------------------------

def test_every_response_carries_the_security_headers(api):
    for response in (api.get("/api/v1/procedures", user="desk"), api.client.get("/healthz"),
                     api.client.get("/api/v1/dossiers"), api.client.get("/tra-cuu/X")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert api.get("/api/v1/procedures", user="desk").headers["Cache-Control"] == "no-store"
