"""A local stand-in for the National Public Service Portal's integration services, speaking their
protocol over HTTP on 127.0.0.1: the session login, `DongBoHoSoMC` and `CapNhatTienDoHoSoMC`, and the
province's LGSP token endpoint.

It checks what a portal would: the account, a live session, `madonvi`, the headers, every field the
services require, the `yyyyMMddHHmmss` times, the status codes, that a dossier exists before it is
updated or given a step and not before it is created, and that its status only moves as the portal's
lifecycle allows (workflows/statuses.py). It keeps every call it received, what it answered, and what
it accepted (`dossiers`, `steps`). Its answers to the errors it finds are our choice (the portal's are
not published): `error_code` "-1" for a session, "3" "đã tồn tại", "4" "không tồn tại", "9" for a
field.

It fails on demand: `down()` (connection refused) and `up()`, and for the next calls
`fail_next("unavailable")` (HTTP 503), `"slow"` (does the work, answers after the client gave up),
`"error"` (`error_code` "99"); `expire_sessions()` ends every session.

The fixture `portal` (imported by tests/conftest.py) starts one for a test.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workflows import statuses
from workflows.settings import PortalConfig

LOCALHOST = "127.0.0.1"
USERNAME, PASSWORD, AGENCY = "sogddt.motcua", "Mk-portal-2026!", "000.00.12.H40"  # noqa: S105 - test account
LGSP_TOKEN = "eyJBY2Nlc3NLZXkiOiJ0ZXN0In0="  # noqa: S105 - a test credential
TIME = re.compile(r"\d{14}")
REQUIRED = ("MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "ChuHoSo", "LoaiDoiTuong", "TrichYeuHoSo",
            "TrangThaiHoSo", "HinhThuc", "DonViXuLy")
TIMES = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi")
RECEIVED_STATUSES = {"2", "4", "9", "10"}  # a dossier in these was received: its receipt and due times are known
LISTS = ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua")
STEP_REQUIRED = ("MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai")


@dataclass
class Call:
    path: str
    headers: dict
    body: dict
    answer: dict | None = None  # None: it failed at the HTTP level

    @property
    def service(self) -> str:
        return self.body.get("service", "login" if self.path.endswith("/login") else "")


class Refusal(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.answer = {"error_code": code, "message": message}


@dataclass
class PortalDouble:
    server: ThreadingHTTPServer
    port: int
    success_code: object = "00"
    dstcode: str = "000.00.12.H40-DVCQG"
    lgsp: str = "none"  # none | static | client-credentials
    session_seconds: float = 600.0
    slow_seconds: float = 3.0
    calls: list[Call] = field(default_factory=list)
    dossiers: dict = field(default_factory=dict)  # MaHoSo -> the record last accepted
    history: dict = field(default_factory=dict)  # MaHoSo -> [records accepted, in order]
    steps: dict = field(default_factory=dict)  # MaHoSo -> [step records accepted, in order]
    faults: list[str] = field(default_factory=list)
    sessions: dict = field(default_factory=dict)  # session -> valid until (monotonic)
    bearers: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def config(self, **overrides) -> PortalConfig:
        values = {"url": f"{self.base}/dvcqg/services", "login_url": f"{self.base}/dvcqg/login", "username": USERNAME,
                  "password": PASSWORD, "agency_code": AGENCY, "dstcode": self.dstcode, "timeout": 10.0}
        if self.lgsp != "none":
            values.update(lgsp_mode=self.lgsp, lgsp_access_token=LGSP_TOKEN, lgsp_token_url=f"{self.base}/lgsp/token")
        return PortalConfig(**{**values, **overrides})

    # --- what the tests look at -------------------------------------------------------------

    def service_calls(self, service: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.service not in ("login", "") and (service is None or c.service == service)]

    def logins(self) -> int:
        return sum(1 for c in self.calls if c.service == "login")

    def accepted(self) -> list[Call]:
        """The service calls it applied, in order."""
        return [c for c in self.service_calls()
                if c.answer is not None and c.answer.get("error_code") == self.success_code]

    # --- faults ------------------------------------------------------------------------------

    def fail_next(self, kind: str, times: int = 1) -> None:
        assert kind in ("unavailable", "slow", "error")
        self.faults.extend([kind] * times)

    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()

    def down(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def up(self) -> None:
        self.server = ThreadingHTTPServer((LOCALHOST, self.port), Handler)
        self.server.double = self
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    # --- the protocol ------------------------------------------------------------------------

    def handle(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict]:
        """The HTTP status and JSON answer to one POST (and the call recorded)."""
        if path == "/lgsp/token":
            return self._token(headers, raw)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"error_code": "9", "message": "Dữ liệu không phải JSON"}
        call = Call(path, headers, body)
        self.calls.append(call)
        if not self._lgsp_allows(headers):
            return 401, {"error": "LGSP: không được phép"}
        if headers.get("dstcode") != self.dstcode:
            return 403, {"error_code": "8", "message": "dstcode không đúng"}
        if path == "/dvcqg/login":
            call.answer = self._login(body)
            return 200, call.answer
        if path != "/dvcqg/services":
            return 404, {"error_code": "404", "message": "Không có dịch vụ này"}
        fault = self.faults.pop(0) if self.faults else None
        if fault == "unavailable":
            return 503, {"error_code": "503", "message": "Hệ thống đang bảo trì"}
        if fault == "error":
            call.answer = {"error_code": "99", "message": "Lỗi hệ thống khi đồng bộ: vui lòng thử lại sau"}
            return 200, call.answer
        try:
            with self.lock:
                self._check_session(body)
                call.answer = self._service(body)
        except Refusal as refusal:
            call.answer = refusal.answer
        if fault == "slow":
            self.released.wait(self.slow_seconds)
        return 200, call.answer

    def _lgsp_allows(self, headers: dict) -> bool:
        if self.lgsp == "none":
            return True
        if headers.get("lgspaccesstoken") != LGSP_TOKEN:
            return False
        return self.lgsp == "static" or headers.get("authorization", "").removeprefix("Bearer ") in self.bearers

    def _token(self, headers: dict, raw: bytes) -> tuple[int, dict]:
        if headers.get("lgspaccesstoken") != LGSP_TOKEN or raw != b"grant_type=client_credentials":
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(16)
        self.bearers.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def _login(self, body: dict) -> dict:
        if body.get("username") != USERNAME or body.get("password") != PASSWORD:
            return {"error_code": 1, "message": "Sai tên đăng nhập hoặc mật khẩu"}
        session = secrets.token_hex(16)
        with self.lock:
            self.sessions[session] = time.monotonic() + self.session_seconds
        return {"error_code": 0, "message": "Đăng nhập thành công", "session": session}

    def _check_session(self, body: dict) -> None:
        if self.sessions.get(body.get("session"), 0) < time.monotonic():
            raise Refusal("-1", "Session không hợp lệ hoặc đã hết hạn")
        if body.get("madonvi") != AGENCY:
            raise Refusal("2", "Mã đơn vị không đúng")

    def _service(self, body: dict) -> dict:
        data = body.get("data")
        if not isinstance(data, list) or not data:
            raise Refusal("9", "Thiếu data")
        if body.get("service") == "DongBoHoSoMC":
            if body.get("isUpdating") not in ("True", "False"):
                raise Refusal("9", "isUpdating phải là True hoặc False")
            for record in data:
                self._dossier(record, updating=body["isUpdating"] == "True")
        elif body.get("service") == "CapNhatTienDoHoSoMC":
            for record in data:
                self._step(record)
        else:
            raise Refusal("9", f"Không có dịch vụ {body.get('service')}")
        return {"error_code": self.success_code, "message": "Đồng bộ thành công"}

    def _dossier(self, record: dict, *, updating: bool) -> None:
        missing = [name for name in REQUIRED if not record.get(name)]
        if missing:
            raise Refusal("9", f"Thiếu trường bắt buộc: {', '.join(missing)}")
        status = record["TrangThaiHoSo"]
        if status not in {str(n) for n in range(1, 11)}:
            raise Refusal("9", f"TrangThaiHoSo không hợp lệ: {status}")
        for name in ("NgayTiepNhan", "NgayHenTra") if status in RECEIVED_STATUSES else ():
            if not record.get(name):
                raise Refusal("9", f"Thiếu {name}")
        for name in TIMES:
            check_time(record, name)
        if record.get("KenhThucHien") not in ("1", "2", "3") or record["HinhThuc"] not in ("0", "1"):
            raise Refusal("9", "KenhThucHien hoặc HinhThuc không hợp lệ")
        if any(not isinstance(record.get(name), list) for name in LISTS):
            raise Refusal("9", "Danh sách không hợp lệ")
        for round_ in record["DanhSachHoSoBoSung"]:
            for name in ("NgayBoSung", "NgayTiepNhanBoSung"):
                check_time(round_, name)
        code, known = record["MaHoSo"], self.dossiers.get(record["MaHoSo"])
        if updating and known is None:
            raise Refusal("4", f"Hồ sơ {code} không tồn tại")
        if not updating and known is not None:
            raise Refusal("3", f"Hồ sơ {code} đã tồn tại")
        if known is not None and not statuses.can_move(int(known["TrangThaiHoSo"]), int(status)):
            raise Refusal("5", f"Hồ sơ {code} không thể chuyển từ {known['TrangThaiHoSo']} sang {status}")
        self.dossiers[code] = record
        self.history.setdefault(code, []).append(record)

    def _step(self, record: dict) -> None:
        missing = [name for name in STEP_REQUIRED if not record.get(name)]
        if missing:
            raise Refusal("9", f"Thiếu trường bắt buộc: {', '.join(missing)}")
        for name in ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"):
            check_time(record, name)
        if record["TrangThai"] not in {str(n) for n in range(1, 11)}:
            raise Refusal("9", f"TrangThai không hợp lệ: {record['TrangThai']}")
        if record["MaHoSo"] not in self.dossiers:
            raise Refusal("4", f"Hồ sơ {record['MaHoSo']} không tồn tại")
        self.steps.setdefault(record["MaHoSo"], []).append(record)


def check_time(record: dict, name: str) -> None:
    """`yyyyMMddHHmmss`, a real time, or empty."""
    value = record.get(name, "")
    if value == "":
        return
    try:
        valid = isinstance(value, str) and TIME.fullmatch(value) and datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        valid = False
    if not valid:
        raise Refusal("9", f"{name} không đúng định dạng yyyyMMddHHmmss: {value!r}")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server hook
        double: PortalDouble = self.server.double
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer = double.handle(self.path, headers, raw)
        payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting

    def log_message(self, format, *args):  # noqa: A002 - signature of http.server
        pass


@pytest.fixture
def portal():
    """The portal's double on 127.0.0.1 and a free port; stopped after the test."""
    server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
    double = PortalDouble(server=server, port=server.server_address[1])
    server.double = double
    double.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    double.thread.start()
    yield double
    double.released.set()
    double.server.shutdown()
    double.server.server_close()
