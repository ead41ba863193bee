"""What the national portal is told about a dossier, built from our data (docs/integrations.md lists
every field and where it comes from).

`dossier_body` is the body of a `DongBoHoSoMC` call (the dossier as it stands: `isUpdating` and one
record in `data`), `step_body` the body of a `CapNhatTienDoHoSoMC` call (one processing step). Times
are `yyyyMMddHHmmss` in the portal's zone, Asia/Ho_Chi_Minh, whatever the server's; an unknown time is
an empty string, as the portal's clients send it. Status codes are ours unchanged: workflows/statuses.py
uses the portal's own codes 1-10.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import HumanTask
from workflows import statuses
from workflows.models import Dossier, DossierAttachment, DossierNotice, User
from workflows.roles import DESK_OFFICER, ROLES

PORTAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%Y%m%d%H%M%S"
DOSSIER_SERVICE = "DongBoHoSoMC"
STEP_SERVICE = "CapNhatTienDoHoSoMC"
SERVICES = (DOSSIER_SERVICE, STEP_SERVICE)
# KenhThucHien: 1 in person, 2 online, 3 by post (the portal's codes)
CHANNEL_CODES = {"in_person": "1", "online": "2", "post": "3"}
CITIZEN = "1"  # LoaiDoiTuong: the applicants of these procedures are people
RECEIPT_STEP = "Tiếp nhận hồ sơ"
SYSTEM_NAMES = {"system": "Hệ thống", "scheduler": "Hệ thống", "applicant": "Công dân"}
MAX_SUMMARY = 1000  # TrichYeuHoSo
MAX_PERSON = 50  # NguoiXuLy
MAX_NOTE = 500


def portal_time(value: datetime | None) -> str:
    """`20261203140500` for 14:05:00 on 3 December 2026 in Vietnam; "" for no time."""
    return value.astimezone(PORTAL_ZONE).strftime(TIME_FORMAT) if value is not None else ""


@dataclass(frozen=True)
class Person:
    name: str
    title: str = ""  # ChucDanh
    unit: str = ""  # PhongBanXuLy


def person(session: Session, username: str, role: str | None = None) -> Person:
    """Who acted, as the portal shows it: the user's full name (at most 50 characters), the label of the
    role they acted in, their unit; for the system and the applicant, a word."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        return Person(SYSTEM_NAMES.get(username, username)[:MAX_PERSON])
    name = user.full_name if len(user.full_name) <= MAX_PERSON else user.full_name[:MAX_PERSON - 3] + "..."
    return Person(name, ROLES.get(role or "", ""), user.unit.name if user.unit else "")


def dossier_body(session: Session, dossier: Dossier, *, updating: bool) -> dict:
    """The body of `DongBoHoSoMC` for the dossier as it stands; `updating`: the portal knows it already."""
    attachments = list(session.scalars(select(DossierAttachment).where(DossierAttachment.dossier_id == dossier.id)
                                       .order_by(DossierAttachment.id)))
    record = dossier_record(dossier, attachments=attachments, supplements=supplement_rounds(session, dossier))
    return {"isUpdating": "True" if updating else "False", "data": [record]}


def dossier_record(dossier: Dossier, *, attachments: list[DossierAttachment] = (),
                   supplements: list[dict] = ()) -> dict:
    """One dossier's record, from the dossier, its files and its supplement rounds (`supplement_rounds`)."""
    procedure = dossier.procedure
    return {
        "MaHoSo": dossier.code,
        **catalogue_codes(procedure),
        "KenhThucHien": CHANNEL_CODES.get(dossier.channel, ""),
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "DinhDanhCHS": identifiers(dossier.applicant_id_number),
        "LoaiDoiTuong": CITIZEN,
        "MaDoiTuong": "",
        "ThongTinKhac": "",
        "Email": dossier.applicant_email,
        "Fax": "",
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": f"{procedure.name} — {dossier.applicant_name}"[:MAX_SUMMARY],
        "NgayNopHoSo": portal_time(dossier.submitted_at),
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.appointment_at or dossier.due_at),
        "TrangThaiHoSo": str(dossier.status),
        "NgayTra": portal_time(dossier.returned_at),
        "ThongTinTra": "",
        "HinhThuc": "1" if dossier.return_method == "post" else "0",
        "NgayKetThucXuLy": portal_time(dossier.resolved_at),
        "NgayTuChoi": portal_time(dossier.status_changed_at) if dossier.status == statuses.NOT_RECEIVED else "",
        "DonViXuLy": procedure.deciding_unit.name,
        "GhiChu": "",
        "TaiLieuNop": [_document(a) for a in attachments if a.category != "result"],
        "DanhSachLePhi": _fees(procedure),
        "DanhSachHoSoBoSung": list(supplements),
        "DanhSachGiayToKetQua": [_result(a) for a in attachments if a.category == "result"],
    }


def catalogue_codes(procedure) -> dict:
    """The procedure's place in the national catalogue, as an administrator recorded it."""
    return {"MaTTHC": procedure.national_code, "TenTTHC": procedure.name, "MaLinhVuc": procedure.field_code,
            "TenLinhVuc": procedure.field}


def identifiers(id_number: str) -> list[dict]:
    """DinhDanhCHS: a 12-digit personal identification number is type 1, a 9-digit identity card type 2."""
    kind = {12: "1", 9: "2"}.get(len(id_number)) if id_number.isdigit() else None
    return [{"LoaiDinhDanh": kind, "SoDinhDanh": id_number}] if kind else []


def _document(attachment: DossierAttachment) -> dict:
    return {"TepDinhKemId": str(attachment.id), "TenTepDinhKem": attachment.filename, "IsDeleted": "False",
            "MaThanhPhanHoSo": attachment.document_name, "DuongDanTaiTepTin": ""}


def _result(attachment: DossierAttachment) -> dict:
    return {"GiayToId": str(attachment.id), "TenGiayTo": attachment.document_name or attachment.filename,
            "MaThanhPhanHoSo": "", "DuongDanTepTinKetQua": "", "MaGiayToKetQua": ""}


def _fees(procedure) -> list[dict]:
    if not procedure.fee_vnd:
        return []
    return [{"TenPhiLePhi": procedure.fee_note or "Lệ phí", "MaPhiLePhi": "1", "HinhThucThu": "1",
             "Gia": str(procedure.fee_vnd), "LoaiPhiLePhi": "1"}]


def supplement_rounds(session: Session, dossier: Dossier) -> list[dict]:
    """Each supplement request (form 02) and, once the dossier left status 5 after it, its receipt."""
    notices = list(session.scalars(
        select(DossierNotice).where(DossierNotice.dossier_id == dossier.id, DossierNotice.kind == "supplement_request")
        .order_by(DossierNotice.created_at, DossierNotice.id)))
    if not notices:
        return []
    returns = [e for e in audit.events_of_instance(session, dossier.instance_id)
               if e.action == "dossier.status_changed" and e.data.get("from") == statuses.SUPPLEMENT_REQUESTED]
    rounds = []
    for notice in notices:
        received = next((e for e in returns if e.occurred_at >= notice.created_at), None)
        if received is not None:
            returns.remove(received)
        wanted = "; ".join(f"{d['name']} ({d['reason']})" if d.get("reason") else d["name"] for d in notice.documents)
        rounds.append({
            "HoSoBoSungId": str(notice.id),
            "NguoiYeuCauBoSung": person(session, notice.created_by).name,
            "NoiDungBoSung": " — ".join(part for part in (notice.reason, wanted) if part)[:MAX_SUMMARY],
            "NgayBoSung": portal_time(notice.created_at),
            "NguoiTiepNhanBoSung": person(session, received.actor).name if received else "",
            "ThongTinTiepNhan": "",
            "NgayTiepNhanBoSung": portal_time(received.occurred_at) if received else "",
            "TrangThaiBoSung": "1" if received else "0",
            "DanhSachGiayToBoSung": [{"TenGiayTo": d["name"]} for d in notice.documents],
            "DanhSachLePhiBoSung": [],
            "NgayHenTraTruoc": "",
            "NgayHenTraMoi": "",
        })
    return rounds


# --- processing steps --------------------------------------------------------------------------

def step_body(record: dict) -> dict:
    """The body of `CapNhatTienDoHoSoMC` for one step."""
    return {"data": [record]}


def task_step(session: Session, dossier: Dossier, task: HumanTask, *, actor: str, at: datetime) -> dict:
    """A completed human task: who did it, in which role and unit, what, when, and the dossier's status
    after it; the task's allotted deadline, when the model gave it one."""
    who = person(session, actor, task.role)
    note = _note(task.data or {})
    return step_record(dossier, who, what=f"{task.name}: {note}" if note else task.name, at=at, started=task.created_at,
                 deadline=task.due_at)


def receipt_step(session: Session, dossier: Dossier, *, actor: str, at: datetime) -> dict:
    """The receipt at the desk, which is no task of the model: status 2 from then."""
    who = person(session, actor, DESK_OFFICER)
    record = step_record(dossier, who, what=RECEIPT_STEP, at=at, started=at, deadline=None)
    return {**record, "TrangThai": str(statuses.RECEIVED)}


def step_record(dossier: Dossier, who: Person, *, what: str, at: datetime, started: datetime | None,
                deadline: datetime | None) -> dict:
    """One step: `who` did `what` at `at`; the dossier's status is the one after the step."""
    return {"MaHoSo": dossier.code, "NguoiXuLy": who.name, "ChucDanh": who.title, "ThoiDiemXuLy": portal_time(at),
            "PhongBanXuLy": who.unit, "NoiDungXuLy": what[:MAX_NOTE], "TrangThai": str(dossier.status),
            "NgayBatDau": portal_time(started), "NgayKetThucTheoQuyDinh": portal_time(deadline)}


def _note(data: dict) -> str:
    """The officer's own words on the step, when the form has them."""
    for name in ("note", "reason", "supplement_note", "instruction"):
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""
