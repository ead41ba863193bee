"""What the national portal is told of a dossier: every field from our data, times as yyyyMMddHHmmss
in Asia/Ho_Chi_Minh whatever the server's own zone."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from workflows.models import Dossier, DossierAttachment, Procedure, Unit
from workflows.portal.payloads import (
    Person,
    dossier_record,
    identifiers,
    portal_time,
    step_record,
)

RECEIVED = datetime(2026, 12, 7, 1, 30, 5, tzinfo=timezone.utc)  # 08:30:05 in Vietnam
DUE = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)  # 17:00 in Vietnam
RETURNED = datetime(2026, 12, 8, 18, 15, tzinfo=timezone.utc)  # 01:15 the next day in Vietnam


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo"])
def server_zone(request, monkeypatch):
    """The process's own zone (TZ), which must change nothing."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def dossier(**overrides) -> Dossier:
    procedure = Procedure(code="CHUYEN_TRUONG_THPT", name="Chuyển trường đối với học sinh trung học phổ thông",
                          field="Giáo dục trung học", national_code="2.000875", field_code="G03-GD10", fee_vnd=0,
                          fee_note="", deciding_unit=Unit(code="PHONG_GDTRH", name="Phòng Giáo dục trung học"))
    values = dict(code="SGDDT-261207-0001", procedure=procedure, applicant_name="Nguyễn Văn An",
                  applicant_id_number="079204001234", applicant_phone="0912345678",
                  applicant_email="an.nguyen@example.vn", channel="in_person", submitted_at=RECEIVED,
                  received_at=RECEIVED, due_at=DUE, appointment_at=None, status=4, status_changed_at=RECEIVED,
                  resolved_at=None, returned_at=None, return_method="")
    return Dossier(**{**values, **overrides})


def test_times_are_written_in_vietnam_whatever_the_servers_zone(server_zone):
    assert time.localtime(0).tm_zone != "+07"  # the process really is elsewhere
    assert portal_time(RECEIVED) == "20261207083005"
    assert portal_time(RETURNED) == "20261209011500"
    assert portal_time(None) == ""


def test_a_dossier_record_carries_every_field_from_our_data(server_zone):
    record = dossier_record(dossier(returned_at=RETURNED, status=10, resolved_at=DUE, return_method="post"))

    assert record == {
        "MaHoSo": "SGDDT-261207-0001", "MaTTHC": "2.000875",
        "TenTTHC": "Chuyển trường đối với học sinh trung học phổ thông", "MaLinhVuc": "G03-GD10",
        "TenLinhVuc": "Giáo dục trung học", "KenhThucHien": "1", "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": "079204001234", "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "079204001234"}],
        "LoaiDoiTuong": "1", "MaDoiTuong": "", "ThongTinKhac": "", "Email": "an.nguyen@example.vn", "Fax": "",
        "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Chuyển trường đối với học sinh trung học phổ thông — Nguyễn Văn An",
        "NgayNopHoSo": "20261207083005", "NgayTiepNhan": "20261207083005", "NgayHenTra": "20261208170000",
        "TrangThaiHoSo": "10", "NgayTra": "20261209011500", "ThongTinTra": "", "HinhThuc": "1",
        "NgayKetThucXuLy": "20261208170000", "NgayTuChoi": "", "DonViXuLy": "Phòng Giáo dục trung học",
        "GhiChu": "", "TaiLieuNop": [], "DanhSachLePhi": [], "DanhSachHoSoBoSung": [], "DanhSachGiayToKetQua": [],
    }


def test_an_online_dossier_not_yet_received_has_no_receipt_or_due_time():
    record = dossier_record(dossier(channel="online", status=1, received_at=None, due_at=None))

    assert (record["KenhThucHien"], record["TrangThaiHoSo"]) == ("2", "1")
    assert (record["NgayTiepNhan"], record["NgayHenTra"], record["NgayNopHoSo"]) == ("", "", "20261207083005")


def test_a_new_appointment_after_an_apology_is_the_return_date_and_a_refusal_has_its_time():
    later = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)
    assert dossier_record(dossier(appointment_at=later))["NgayHenTra"] == "20261210170000"
    assert dossier_record(dossier(status=3, status_changed_at=later))["NgayTuChoi"] == "20261210170000"


def test_files_split_into_the_documents_submitted_and_the_results_and_a_fee_is_listed():
    files = [DossierAttachment(id=7, category="document", document_name="Học bạ", filename="hoc-ba.pdf"),
             DossierAttachment(id=9, category="result", document_name="", filename="quyet-dinh.pdf")]
    procedure_fee = dossier()
    procedure_fee.procedure.fee_vnd, procedure_fee.procedure.fee_note = 15000, "Lệ phí cấp bản sao"

    record = dossier_record(procedure_fee, attachments=files)

    assert record["TaiLieuNop"] == [{"TepDinhKemId": "7", "TenTepDinhKem": "hoc-ba.pdf", "IsDeleted": "False",
                                     "MaThanhPhanHoSo": "Học bạ", "DuongDanTaiTepTin": ""}]
    assert record["DanhSachGiayToKetQua"] == [{"GiayToId": "9", "TenGiayTo": "quyet-dinh.pdf", "MaThanhPhanHoSo": "",
                                               "DuongDanTepTinKetQua": "", "MaGiayToKetQua": ""}]
    assert record["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí cấp bản sao", "MaPhiLePhi": "1", "HinhThucThu": "1",
                                        "Gia": "15000", "LoaiPhiLePhi": "1"}]


@pytest.mark.parametrize(("number", "expected"), [
    ("079204001234", [{"LoaiDinhDanh": "1", "SoDinhDanh": "079204001234"}]),
    ("025123456", [{"LoaiDinhDanh": "2", "SoDinhDanh": "025123456"}]),
    ("B1234567", []),
    ("", []),
])
def test_the_applicants_identifier_is_typed_by_its_length(number, expected):
    assert identifiers(number) == expected


def test_a_step_names_who_did_what_when_and_the_status_after_it(server_zone):
    record = step_record(dossier(status=4), Person("Trần Thị Bình", "Chuyên viên phòng chuyên môn",
                                                   "Phòng Giáo dục trung học"),
                         what="Thẩm định hồ sơ: Đủ điều kiện", at=RETURNED, started=RECEIVED, deadline=DUE)

    assert record == {"MaHoSo": "SGDDT-261207-0001", "NguoiXuLy": "Trần Thị Bình",
                      "ChucDanh": "Chuyên viên phòng chuyên môn", "ThoiDiemXuLy": "20261209011500",
                      "PhongBanXuLy": "Phòng Giáo dục trung học", "NoiDungXuLy": "Thẩm định hồ sơ: Đủ điều kiện",
                      "TrangThai": "4", "NgayBatDau": "20261207083005", "NgayKetThucTheoQuyDinh": "20261208170000"}
