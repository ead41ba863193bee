"""Synchronisation with the national portal, end to end through the API and the portal's double: what
a dossier's life sends, in which order, written in the same transaction as the change; nothing when it
is off; a replay with `motcua portal-resync`; the scheduler's job."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import time_machine
from click.testing import CliRunner

from api import cli, create_app
from engine import instances
from engine.clock import utcnow
from tests.api.conftest import ApiClient
from tests.api.portal.support import call_of, deliver, events, review_and_sign
from tests.portal_double import AGENCY, PASSWORD, USERNAME
from workflows.scheduler import PORTAL_JOB_ID, build_scheduler
from workflows.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=VN)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def status_of(call) -> str:
    record = call.body["data"][0]
    return record.get("TrangThaiHoSo") or record["TrangThai"]


def test_a_dossier_received_worked_and_returned_reaches_the_portal_in_order_with_valid_fields(
        api, portal, sessions, portal_client):
    with time_machine.travel(MONDAY_8, tick=False) as clock:
        code = api.receive()["code"]
        clock.move_to(MONDAY_8 + timedelta(minutes=20))
        review_and_sign(api, code)
        api.return_result(code)
    report = deliver(sessions, portal_client, now=MONDAY_8 + timedelta(hours=1))

    assert (report.sent, report.retrying, report.failed) == (9, 0, 0)
    calls = portal.service_calls()
    assert [c.answer["error_code"] for c in calls] == ["00"] * 9  # every field passed the double's checks
    assert [(c.service, c.body.get("isUpdating"), status_of(c)) for c in calls] == [
        ("DongBoHoSoMC", "False", "2"), ("CapNhatTienDoHoSoMC", None, "2"),
        ("DongBoHoSoMC", "True", "4"), ("CapNhatTienDoHoSoMC", None, "4"), ("CapNhatTienDoHoSoMC", None, "4"),
        ("DongBoHoSoMC", "True", "9"), ("CapNhatTienDoHoSoMC", None, "9"),
        ("DongBoHoSoMC", "True", "10"), ("CapNhatTienDoHoSoMC", None, "10")]
    assert all(c.body["madonvi"] == AGENCY for c in calls)

    dossier = portal.dossiers[code]
    assert (dossier["MaTTHC"], dossier["MaLinhVuc"], dossier["KenhThucHien"]) == ("2.000875", "G03-GD10", "1")
    assert dossier["NgayTiepNhan"] == dossier["NgayNopHoSo"] == "20261207080000"
    assert dossier["NgayTra"] == "20261207082000" and dossier["NgayKetThucXuLy"] == "20261207082000"
    assert dossier["DonViXuLy"] == "Phòng Giáo dục trung học" and dossier["ChuHoSo"] == "Nguyễn Văn An"
    steps = [(s["NoiDungXuLy"], s["NguoiXuLy"], s["ThoiDiemXuLy"]) for s in portal.steps[code]]
    assert [what for what, _, _ in steps] == [
        "Tiếp nhận hồ sơ", "Kiểm tra hồ sơ", "Thẩm định hồ sơ: Đủ điều kiện", "Ký duyệt kết quả", "Trả kết quả"]
    assert steps[0][2] == "20261207080000" and steps[-1][2] == "20261207082000"
    assert all(who for _, who, _ in steps)
    review = portal.steps[code][2]
    assert review["ChucDanh"] == "Chuyên viên phòng chuyên môn" and review["PhongBanXuLy"] == "Phòng Giáo dục trung học"
    # what arrived is exactly what the outbox wrote, event by event
    assert [call_of(c) for c in calls] == [(e.service, e.body) for e in events(sessions, code)]


def test_an_online_dossier_is_created_newly_registered_and_updated_when_the_desk_accepts_it(api, portal, sessions,
                                                                                           portal_client):
    code = api.post("/api/v1/public/dossiers", json={
        "procedure_code": "CAP_BAN_SAO_VAN_BANG",
        "applicant": {"full_name": "Trần Thị Bích", "id_number": "079300004321"}}).get_json()["code"]
    deliver(sessions, portal_client)
    assert portal.dossiers[code]["TrangThaiHoSo"] == "1" and portal.dossiers[code]["KenhThucHien"] == "2"
    assert portal.dossiers[code]["NgayTiepNhan"] == "" and portal.dossiers[code]["MaTTHC"] == "1.005092"

    api.complete(code, "desk", "check_dossier", {"check_result": "incomplete", "missing_documents": [{"name": "Đơn"}]})
    api.complete(code, "desk", "receive_supplement", {})
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    report = deliver(sessions, portal_client)

    assert report.failed == 0 and report.retrying == 0
    # accepted and handed over, it is asked for its fee in that same step (6: workflows/payments.py)
    assert [r["TrangThaiHoSo"] for r in portal.history[code]] == ["1", "5", "2", "6"]
    supplement = portal.dossiers[code]["DanhSachHoSoBoSung"]
    assert len(supplement) == 1 and supplement[0]["TrangThaiBoSung"] == "1"
    assert supplement[0]["NoiDungBoSung"] == "Đơn" and supplement[0]["NgayTiepNhanBoSung"]
    assert portal.dossiers[code]["NgayTiepNhan"] != ""


def test_each_change_is_written_in_the_transaction_of_the_change_and_a_refused_step_writes_nothing(api, sessions):
    code = api.receive()["code"]
    written = events(sessions, code)
    assert [(e.service, e.status, e.trigger) for e in written] == [
        ("DongBoHoSoMC", "pending", "dossier.received"), ("CapNhatTienDoHoSoMC", "pending", "dossier.received")]
    assert all(e.audit_event_id is not None for e in written)

    task = api.open_task(code, "desk", "check_dossier")
    refused = api.post(f"/api/v1/tasks/{task['id']}/complete", user="desk", json={"data": {"check_result": "maybe"}})
    assert refused.status_code == 422
    assert len(events(sessions, code)) == 2

    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    assert [e.trigger for e in events(sessions, code)][2:] == ["dossier.status_changed", "task.completed"]


def test_a_completion_its_savepoint_rolled_back_sends_nothing_and_a_kept_one_sends_its_step_once(api, app,
                                                                                                 sessions):
    code = api.receive()["code"]
    task = api.open_task(code, "desk", "check_dossier")
    completion = {"actor": "desk", "data": {"check_result": "complete"}}
    with app.extensions["motcua_sessions"]() as session, session.begin():  # the app's sessions: synchronised
        savepoint = session.begin_nested()
        instances.complete_task(session, task["id"], **completion)  # its event goes on the connection at once
        savepoint.rollback()
    assert len(events(sessions, code)) == 2  # the receipt's, nothing more

    with app.extensions["motcua_sessions"]() as session, session.begin():
        with session.begin_nested():  # released: the hook runs at its commit and again at the transaction's
            instances.complete_task(session, task["id"], **completion)
    step = events(sessions, code)[2:]
    assert [(e.service, e.trigger) for e in step] == [("CapNhatTienDoHoSoMC", "task.completed")]


def test_with_the_portal_not_configured_nothing_is_queued(database_url, tmp_path, seeded, sessions):
    app = create_app(Settings(data_dir=tmp_path, database_url=database_url, scheduler_enabled=False))
    try:
        off = ApiClient(app.test_client())
        code = off.receive()["code"]
        off.complete(code, "desk", "check_dossier", {"check_result": "complete"})
        summary = off.get("/api/v1/portal", user="admin").get_json()
    finally:
        app.extensions["motcua_engine"].dispose()

    assert events(sessions) == []
    assert summary["enabled"] is False and summary["counts"]["pending"] == 0


def test_portal_resync_sends_every_dossier_changed_since_a_day_again_as_an_update(api, portal, sessions, portal_client,
                                                                                 database_url):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    deliver(sessions, portal_client)
    sent_before = len(portal.service_calls())
    environment = {"MOTCUA_DATABASE_URL": database_url, "MOTCUA_PORTAL_URL": portal.config().url,
                   "MOTCUA_PORTAL_LOGIN_URL": portal.config().login_url, "MOTCUA_PORTAL_USERNAME": USERNAME,
                   "MOTCUA_PORTAL_PASSWORD": PASSWORD, "MOTCUA_PORTAL_AGENCY_CODE": AGENCY,
                   "MOTCUA_PORTAL_DSTCODE": portal.dstcode}
    today = utcnow().astimezone(VN).date()

    later = CliRunner().invoke(cli.main, ["portal-resync", "--since", (today + timedelta(days=1)).isoformat()],
                               env=environment)
    assert later.exit_code == 0, later.output
    assert "0 dossier(s)" in later.output
    result = CliRunner().invoke(cli.main, ["portal-resync", "--since", today.isoformat(), "--steps"], env=environment)
    assert result.exit_code == 0, result.output
    assert "1 dossier(s)" in result.output
    replayed = [e for e in events(sessions, code) if e.trigger == "resync"]
    assert [(e.service, e.body.get("isUpdating")) for e in replayed] == [
        ("DongBoHoSoMC", "True"), ("CapNhatTienDoHoSoMC", None)]

    report = deliver(sessions, portal_client)
    assert (report.sent, report.failed) == (2, 0)
    resent = portal.service_calls()[sent_before:]
    assert resent[0].body["data"][0]["TrangThaiHoSo"] == "4"
    assert resent[1].body["data"][0]["NoiDungXuLy"] == "Kiểm tra hồ sơ"


def test_portal_resync_refuses_when_the_portal_is_not_configured(database_url):
    result = CliRunner().invoke(cli.main, ["portal-resync", "--since", date.today().isoformat()],
                                env={"MOTCUA_DATABASE_URL": database_url, "MOTCUA_PORTAL_URL": ""})
    assert result.exit_code != 0 and "MOTCUA_PORTAL_URL is not set" in result.output


def test_the_scheduler_delivers_to_the_portal_only_when_it_is_configured(sessions, portal):
    with_portal = build_scheduler(sessions, poll_seconds=30, portal=portal.config())
    without = build_scheduler(sessions, poll_seconds=30)

    assert with_portal.get_job(PORTAL_JOB_ID) is not None and without.get_job(PORTAL_JOB_ID) is None


def test_documents_and_the_result_attached_to_a_dossier_are_listed_to_the_portal(api, portal, sessions,
                                                                                portal_client):
    code = api.receive()["code"]
    for category, filename, name in (("document", "hoc-ba.pdf", "Học bạ"), ("result", "quyet-dinh.pdf", "Quyết định")):
        response = api.post(f"/api/v1/dossiers/{code}/attachments", user="desk", content_type="multipart/form-data",
                            data={"file": (BytesIO(PDF), filename), "category": category, "document_name": name})
        assert response.status_code == 201, response.get_json()

    assert deliver(sessions, portal_client).failed == 0

    record = portal.dossiers[code]
    assert [(d["TenTepDinhKem"], d["MaThanhPhanHoSo"]) for d in record["TaiLieuNop"]] == [("hoc-ba.pdf", "Học bạ")]
    assert [r["TenGiayTo"] for r in record["DanhSachGiayToKetQua"]] == ["Quyết định"]
    assert [e.trigger for e in events(sessions, code)][2:] == ["dossier.attachment_added"] * 2
