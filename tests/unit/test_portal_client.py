"""The portal's HTTP client against the portal's double: the session login, the calls, what counts as
success, what is retried and what is refused, the LGSP headers, and secrets never in a message."""

from __future__ import annotations

import time

import pytest

from tests.portal_double import AGENCY, LGSP_TOKEN, PASSWORD
from workflows.portal.client import PortalClient, PortalError, succeeded

STEP = {"MaHoSo": "SGDDT-261207-0001", "NguoiXuLy": "Trần Thị Bình", "ChucDanh": "", "ThoiDiemXuLy": "20261207083005",
        "PhongBanXuLy": "", "NoiDungXuLy": "Thẩm định hồ sơ", "TrangThai": "4", "NgayBatDau": "",
        "NgayKetThucTheoQuyDinh": ""}


def record(**overrides) -> dict:
    values = {"MaHoSo": "SGDDT-261207-0001", "MaTTHC": "2.000875", "TenTTHC": "Chuyển trường", "MaLinhVuc": "G03-GD10",
              "TenLinhVuc": "Giáo dục trung học", "KenhThucHien": "1", "ChuHoSo": "Nguyễn Văn An", "LoaiDoiTuong": "1",
              "TrichYeuHoSo": "Chuyển trường — Nguyễn Văn An", "NgayNopHoSo": "20261207083005",
              "NgayTiepNhan": "20261207083005", "NgayHenTra": "20261208170000", "TrangThaiHoSo": "2",
              "HinhThuc": "0", "DonViXuLy": "Phòng Giáo dục trung học", "TaiLieuNop": [], "DanhSachLePhi": [],
              "DanhSachHoSoBoSung": [], "DanhSachGiayToKetQua": []}
    return {**values, **overrides}


def create(**overrides) -> dict:
    return {"isUpdating": "False", "data": [record(**overrides)]}


@pytest.mark.parametrize("code", [0, "0", "00", " 00 "])
def test_success_is_an_error_code_that_reads_as_zero(code):
    assert succeeded({"error_code": code})


@pytest.mark.parametrize("answer", [{}, {"error_code": None}, {"error_code": False}, {"error_code": "01"},
                                    {"error_code": "OK"}, {"error_code": -1}])
def test_anything_else_is_no_success(answer):
    assert not succeeded(answer)


@pytest.mark.parametrize("success_code", [0, "0", "00"])
def test_a_call_logs_in_once_and_sends_the_session_the_agency_and_the_service(portal, success_code):
    portal.success_code = success_code
    client = PortalClient(portal.config())

    client.call("DongBoHoSoMC", create())
    client.call("CapNhatTienDoHoSoMC", {"data": [STEP]})

    assert portal.logins() == 1
    first, second = portal.service_calls()
    assert first.body["session"] == second.body["session"]
    assert (first.body["madonvi"], first.body["service"], second.body["service"]) == (
        AGENCY, "DongBoHoSoMC", "CapNhatTienDoHoSoMC")
    assert first.headers["dstcode"] == portal.dstcode and first.headers["content-type"].startswith("application/json")
    assert portal.steps["SGDDT-261207-0001"] == [STEP]


def test_an_expired_session_is_renewed_and_the_call_repeated_once(portal):
    client = PortalClient(portal.config())
    client.call("DongBoHoSoMC", create())
    portal.expire_sessions()

    client.call("DongBoHoSoMC", {"isUpdating": "True", "data": [record(TrangThaiHoSo="4")]})

    assert portal.logins() == 2
    assert [c.answer["error_code"] for c in portal.service_calls()] == ["00", "-1", "00"]
    assert portal.dossiers["SGDDT-261207-0001"]["TrangThaiHoSo"] == "4"


def test_a_session_is_renewed_after_its_configured_lifetime_without_a_refusal(portal):
    client = PortalClient(portal.config(session_seconds=0.01))
    client.call("DongBoHoSoMC", create())
    time.sleep(0.02)
    client.call("CapNhatTienDoHoSoMC", {"data": [STEP]})

    assert portal.logins() == 2 and all(c.answer["error_code"] == "00" for c in portal.service_calls())


def test_the_portals_refusal_is_not_retried_and_keeps_its_code_and_message(portal):
    client = PortalClient(portal.config())

    with pytest.raises(PortalError) as caught:
        client.call("DongBoHoSoMC", create(MaTTHC=""))

    error = caught.value
    assert not error.retryable and error.error_code == "9"
    assert error.portal_message == "Thiếu trường bắt buộc: MaTTHC"
    assert "error_code 9" in error.message


@pytest.mark.parametrize(("fault", "words"), [("unavailable", "HTTP 503"), ("slow", "did not answer")])
def test_an_unavailable_or_slow_portal_is_retried_later(portal, fault, words):
    portal.fail_next(fault)
    client = PortalClient(portal.config(timeout=0.5))

    with pytest.raises(PortalError, match=words) as caught:
        client.call("DongBoHoSoMC", create())

    assert caught.value.retryable


def test_a_portal_that_is_down_is_retried_later(portal):
    portal.down()

    with pytest.raises(PortalError, match="cannot reach") as caught:
        PortalClient(portal.config()).call("DongBoHoSoMC", create())

    assert caught.value.retryable


def test_a_refused_login_is_retried_later_and_never_shows_the_password(portal):
    with pytest.raises(PortalError, match="refused the login") as caught:
        PortalClient(portal.config(password="wrong-" + PASSWORD)).call("DongBoHoSoMC", create())

    assert caught.value.retryable and PASSWORD not in caught.value.message


def test_a_wrong_dstcode_is_an_http_refusal(portal):
    with pytest.raises(PortalError, match="HTTP 403") as caught:
        PortalClient(portal.config(dstcode="other")).call("DongBoHoSoMC", create())

    assert not caught.value.retryable


@pytest.mark.parametrize("mode", ["static", "client-credentials"])
def test_through_the_lgsp_every_call_carries_its_headers(portal, mode):
    portal.lgsp = mode
    client = PortalClient(portal.config())

    client.call("DongBoHoSoMC", create())
    client.call("CapNhatTienDoHoSoMC", {"data": [STEP]})

    calls = portal.calls
    assert [c.service for c in calls] == ["login", "DongBoHoSoMC", "CapNhatTienDoHoSoMC"]
    assert all(c.headers["lgspaccesstoken"] == LGSP_TOKEN for c in calls)
    bearers = {c.headers.get("authorization") for c in calls}
    assert bearers == ({None} if mode == "static" else {f"Bearer {next(iter(portal.bearers))}"})


def test_without_the_lgsp_token_the_platform_refuses_and_the_token_never_shows(portal):
    portal.lgsp = "static"
    config = portal.config(lgsp_access_token="not-" + LGSP_TOKEN)

    with pytest.raises(PortalError, match="HTTP 401") as caught:
        PortalClient(config).call("DongBoHoSoMC", create())

    assert LGSP_TOKEN not in caught.value.message and caught.value.retryable
