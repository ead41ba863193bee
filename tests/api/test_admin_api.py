"""What the administrator's page reads besides the existing endpoints: the administration's change
log, the units, a year's holidays and exceptions, and the procedures taken out of service."""

from __future__ import annotations

import json
import re

from api.web import i18n
from engine import audit
from tests.conftest import ROOT
from workflows.roles import ROLES

TRANSFER = "CHUYEN_TRUONG_THPT"
ADMIN_JS = ROOT / "api" / "web" / "static" / "js"


def changes(api, user: str = "admin", **query):
    return api.get("/api/v1/audit-events", user=user, query_string=query)


def delete(api, path: str, user: str = "admin"):
    return api.client.delete(path, headers={"Authorization": f"Bearer {api.token(user)}"})


# --- the change log ------------------------------------------------------------------------

def test_a_procedure_change_is_listed_with_who_made_it_and_what_changed(api):
    allocations = {"review": {"value": 3, "unit": "working_hours"},
                   "review_reminder": {"value": 1, "unit": "working_hours"}}
    saved = api.put(f"/api/v1/procedures/{TRANSFER}", user="admin",
                    json={"step_allocations": allocations, "processing_time_value": 2})
    assert saved.status_code == 200, saved.get_json()

    response = changes(api, action_prefix="procedure.", subject=TRANSFER)

    assert response.status_code == 200
    body = response.get_json()
    newest = body["items"][0]
    assert (newest["actor"], newest["action"], newest["subject"]) == ("admin", "procedure.updated", TRANSFER)
    assert newest["data"]["changes"]["step_allocations"]["new"]["review"] == {"value": 3, "unit": "working_hours"}
    assert newest["data"]["changes"]["step_allocations"]["old"]["review"] == {"value": 2, "unit": "working_hours"}
    assert newest["data"]["changes"]["processing_time_value"] == {"old": 1, "new": 2}
    assert newest["occurred_at"].endswith("+07:00")  # shown in the calendar's zone
    assert [item["action"] for item in body["items"]] == ["procedure.updated", "procedure.created"]
    assert body["items"][1]["actor"] == "seed"
    assert (body["page"], body["per_page"], body["has_more"]) == (1, 20, False)


def test_the_change_log_filters_by_exact_actions_and_comes_in_pages(api):
    for name in ("nguyen.van.b", "tran.thi.c"):
        created = api.post("/api/v1/users", user="admin", json={
            "username": name, "full_name": "Cán bộ thử", "password": "Mot-cua-2027-an-toan",
            "roles": ["specialist"], "unit_code": "PHONG_GDTRH"})
        assert created.status_code == 201, created.get_json()
    patched = api.client.patch("/api/v1/users/tran.thi.c", json={"unit_code": "PHONG_KT_QLCL"},
                               headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert patched.status_code == 200

    wanted = ["user.created", "user.updated", "user.password_changed"]
    first = changes(api, action=wanted, per_page=2).get_json()
    second = changes(api, action=wanted, per_page=2, page=2).get_json()

    listed = [(e["action"], e["subject"]) for e in first["items"] + second["items"]]
    assert listed[:3] == [("user.updated", "tran.thi.c"), ("user.created", "tran.thi.c"),
                          ("user.created", "nguyen.van.b")]
    assert first["has_more"] is True
    assert "user.logged_in" not in {e["action"] for e in first["items"] + second["items"]}  # the admin's own login
    assert changes(api, action_prefix="user.", actor="admin").get_json()["items"][0]["action"] == "user.updated"
    updated = changes(api, action="user.updated", subject="tran.thi.c").get_json()["items"]
    assert updated[0]["data"]["changes"]["unit_code"] == {"from": "PHONG_GDTRH", "to": "PHONG_KT_QLCL"}


def test_the_change_log_lists_the_administration_and_never_the_dossiers(api):
    api.receive()  # a dossier's events carry the applicant's personal data

    everything = changes(api, per_page=200).get_json()["items"]
    refused = changes(api, action_prefix="dossier.")
    refused_action = changes(api, action="task.completed")

    assert everything and all(not e["action"].startswith(("dossier.", "task.", "instance.", "timer."))
                              for e in everything)
    assert {"procedure.created", "user.created", "model.deployed"} <= {e["action"] for e in everything}
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "invalid_input"
    assert refused.get_json()["message"] == "Dữ liệu gửi lên chưa hợp lệ; xem chi tiết."
    assert "procedure." in refused.get_json()["errors"]["detail"]
    assert refused_action.status_code == 422


def test_an_action_prefix_is_matched_literally(api, sessions):
    with sessions() as session, session.begin():  # "_" would be a LIKE wildcard matching the "x"
        audit.record(session, actor="admin", action="apixtoken.created", subject="x")
        audit.record(session, actor="admin", action="api_token.created", subject="y")

    listed = changes(api, action_prefix="api_token.").get_json()["items"]

    assert [(e["action"], e["subject"]) for e in listed] == [("api_token.created", "y")]


def test_only_an_administrator_reads_the_change_log(api):
    assert changes(api, user="leader").status_code == 403
    assert api.get("/api/v1/audit-events").status_code == 401
    assert changes(api, per_page=500).status_code == 422


# --- units, procedures ---------------------------------------------------------------------

def test_every_signed_in_user_gets_the_units_by_name(api):
    response = api.get("/api/v1/units", user="desk")

    assert response.status_code == 200
    units = response.get_json()
    assert {"code": "PHONG_GDTRH", "name": "Phòng Giáo dục trung học", "kind": "internal"} in units
    assert {"code": "TTPVHCC_XA_PHU_MY", "name": "Trung tâm Phục vụ hành chính công xã Phú Mỹ",
            "kind": "service_centre"} in units
    assert [u["name"] for u in units] == sorted(u["name"] for u in units)
    assert len(units) == 6


def test_an_administrator_still_sees_a_procedure_taken_out_of_service(api):
    assert api.put(f"/api/v1/procedures/{TRANSFER}", user="admin", json={"active": False}).status_code == 200

    active = [p["code"] for p in api.get("/api/v1/procedures", user="admin").get_json()]
    everything = api.get("/api/v1/procedures", user="admin", query_string={"include_inactive": "true"}).get_json()
    for_desk = api.get("/api/v1/procedures", user="desk", query_string={"include_inactive": "true"}).get_json()

    assert TRANSFER not in active
    assert {p["code"]: p["active"] for p in everything}[TRANSFER] is False
    assert TRANSFER not in [p["code"] for p in for_desk]


# --- a year of the calendar ----------------------------------------------------------------

def year(api, value, **headers):
    return api.get("/api/v1/calendar/days", user="desk", query_string={"year": value}, headers=headers)


def test_a_year_lists_its_named_holidays_and_the_administrators_exceptions(api):
    before = year(api, 2027).get_json()
    for exception in ({"date": "2027-02-13", "kind": "working_day", "reason": "Làm bù ngày 05/02"},
                      {"date": "2027-12-31", "kind": "day_off", "reason": "Nghỉ cuối năm"}):
        assert api.post("/api/v1/calendar/exceptions", user="admin", json=exception).status_code == 201

    response = year(api, 2027)

    assert response.status_code == 200
    body = response.get_json()
    days = {d["date"]: d for d in body["days"]}
    assert days["2027-01-01"] == {"date": "2027-01-01", "weekday": 4, "working": False, "kind": "holiday",
                                  "name": "Tết Dương lịch", "holiday": "Tết Dương lịch", "created_by": None}
    assert days["2027-02-06"]["name"] == "Tết Nguyên Đán" and days["2027-02-06"]["weekday"] == 5
    assert days["2027-02-13"] == {"date": "2027-02-13", "weekday": 5, "working": True, "kind": "working_day",
                                  "name": "Làm bù ngày 05/02", "holiday": None, "created_by": "admin"}
    assert days["2027-12-31"]["working"] is False and days["2027-12-31"]["kind"] == "day_off"
    assert list(days) == sorted(days)
    assert all(d["date"].startswith("2027-") for d in body["days"])
    assert (body["year"], body["holiday_country"]) == (2027, "VN")
    assert body["working_days"] == before["working_days"]  # one Saturday more, one Friday less
    assert "2027-02-13" not in {d["date"] for d in before["days"]}


def test_holidays_are_named_in_english_for_an_english_reader(api):
    days = {d["date"]: d for d in year(api, 2027, **{"Accept-Language": "en"}).get_json()["days"]}

    assert days["2027-01-01"]["name"] == "New Year's Day"
    assert days["2027-09-02"]["name"] == "National Day"


def test_a_year_counts_its_working_days_on_the_calendar(api):
    with_holidays = year(api, 2027).get_json()
    assert api.put("/api/v1/calendar/settings", user="admin", json={"holiday_country": None}).status_code == 200
    without = year(api, 2027).get_json()
    extra_day_off = api.post("/api/v1/calendar/exceptions", user="admin",
                             json={"date": "2027-03-01", "kind": "day_off", "reason": "Nghỉ"})
    assert extra_day_off.status_code == 201

    assert without["days"] == []
    assert without["working_days"] == 261  # 2027: 52 weeks and a Friday, Monday to Friday
    assert with_holidays["working_days"] == 261 - len([d for d in with_holidays["days"] if d["weekday"] < 5])
    assert year(api, 2027).get_json()["working_days"] == 260
    assert year(api, 2027).get_json()["days"][0]["name"] == "Nghỉ"


def test_a_year_outside_the_calendar_or_missing_is_refused(api):
    assert year(api, 1800).status_code == 422
    missing = api.get("/api/v1/calendar/days", user="desk")
    assert missing.status_code == 422 and "year" in missing.get_json()["errors"]["query"]
    assert api.get("/api/v1/calendar/days", query_string={"year": 2027}).status_code == 401


# --- the page's words ----------------------------------------------------------------------

def admin_sources() -> str:
    files = [ROOT / "api" / "web" / "templates" / "web" / "admin.html", *sorted(ADMIN_JS.glob("admin*.js"))]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_the_admin_pages_words_exist_in_both_languages():
    vi, en = (json.loads((i18n.FOLDER / lang / "admin.json").read_text(encoding="utf-8")) for lang in ("vi", "en"))
    used = set(re.findall(r"""\bt\(\s*["'](admin\.[a-z0-9_.]+)["']""", admin_sources()))

    assert set(vi) == set(en)
    assert all(key.startswith("admin.") for key in vi)
    assert used and used <= set(vi)
    assert all(vi[key].strip() and en[key].strip() for key in vi)


def test_the_admin_page_offers_every_role_the_service_knows():
    offered = re.search(r"export const ROLES = \[([^\]]*)\]", admin_sources())
    vi = json.loads((i18n.FOLDER / "vi" / "admin.json").read_text(encoding="utf-8"))

    assert offered, "admin-common.js lists the roles"
    assert re.findall(r'"([a-z_]+)"', offered[1]) == list(ROLES)
    assert {f"admin.role.{code}" for code in ROLES} <= set(vi)


def test_a_procedures_steps_are_named_as_its_model_names_them(api):
    admin = api.get("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin").get_json()
    allocations = {**admin["step_allocations"], "old_step": {"value": 1, "unit": "working_days"}}
    assert api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
                   json={"step_allocations": allocations}).status_code == 200

    steps = api.get("/api/v1/procedures/CHUYEN_TRUONG_THPT/steps", user="admin").get_json()
    by_key = {step["key"]: step for step in steps}
    assert by_key["review"]["name"] == "Thẩm định hồ sơ"  # the task the step is
    assert by_key["review_reminder"]["name"] == "Sắp đến hạn thẩm định"  # the timer that calls it
    assert by_key["review"]["in_model"] and by_key["review"]["period"] == admin["step_allocations"]["review"]
    assert by_key["old_step"] == {"key": "old_step", "name": "", "in_model": False,
                                  "period": {"value": 1.0, "unit": "working_days"}}
    assert [step["key"] for step in steps][-1] == "old_step"
    assert api.get("/api/v1/procedures/NO_SUCH/steps", user="admin").status_code == 404


def test_a_bundled_models_deployer_is_named_in_words_not_by_the_cli_login(app, api):
    from api.i18n import actor_label

    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert actor_label("cli") == "Hệ thống (mẫu đi kèm)"
        assert actor_label("admin") == "admin"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert actor_label("cli") == "System (bundled)"
    listed = api.get("/api/v1/process-models/chuyen_truong_thpt/versions", user="admin").get_json()
    assert [(v["deployed_by"], v["deployed_by_label"]) for v in listed] == [("test", "test")]
