"""A local stand-in for the payment platform, speaking its protocol (workflows/payment_protocol.py and
docs/integrations.md) over HTTP on 127.0.0.1, written independently of our client.

- `POST /paymentv2/orders` (create-order, a signed form): checks the checksum, the merchant code, the
  version and command, the amount, the times and the return URL; the same `vnp_TxnRef` again gives
  the same order (idempotent), with another amount it is refused ("03"). Answers JSON `{RspCode,
  Message, paymentUrl}`.
- `GET /paymentv2/pay/<token>`: the hosted payment page (HTML, a "Thanh toán" button and a "Hủy
  giao dịch" one); `POST` to it "pays" (or cancels): a new transaction number, the signed notification
  (IPN) sent to `ipn_url` by GET and our answer kept, then the browser redirected (302) to the order's
  return URL with the same signed fields, as the platform does.
- For tests without a browser: `notification(order_ref)` (the signed fields of a payment, or of a
  failed one, or with a wrong amount) and `notify(fields)` (sends them to `ipn_url`).

It fails on demand: `down()`/`up()`, and `fail_next("unavailable")` (HTTP 503) for the next calls.
The fixture `payment_platform` starts one for a test.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import secrets
import threading
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.servers import free_port
from workflows.settings import PaymentConfig

LOCALHOST = "127.0.0.1"
MERCHANT, SECRET = "SGDDT001", "Kh0a-bi-mat-thanh-toan-2026"  # noqa: S105 - a test merchant's secret
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ORDER_REQUIRED = ("vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount", "vnp_CurrCode",
                  "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_CreateDate", "vnp_ExpireDate", "vnp_SecureHash")


def checksum(fields: dict, secret: str = SECRET) -> str:
    """The platform's own reckoning of vnp_SecureHash (not our client's code)."""
    pairs = sorted((k, v) for k, v in fields.items() if k.startswith("vnp_") and k not in ("vnp_SecureHash",
                                                                                             "vnp_SecureHashType"))
    text = "&".join(f"{k}={quote_plus(str(v))}" for k, v in pairs)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


@dataclass
class Order:
    ref: str
    amount: str  # as sent: đồng times 100
    info: str
    return_url: str
    token: str
    paid: bool = False


@dataclass
class PaymentDouble:
    port: int
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    ipn_url: str = ""
    orders: dict = field(default_factory=dict)  # vnp_TxnRef -> Order
    calls: list = field(default_factory=list)  # (path, fields, answer)
    notifications: list = field(default_factory=list)  # (fields sent, our server's answer)
    faults: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(14_000_001))

    @property
    def base(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def config(self, **overrides) -> PaymentConfig:
        return PaymentConfig(**{"url": f"{self.base}/paymentv2/orders", "merchant_code": MERCHANT, "secret": SECRET,
                                "timeout": 5.0, **overrides})

    def env(self) -> dict:
        return {"MOTCUA_PAYMENT_URL": f"{self.base}/paymentv2/orders", "MOTCUA_PAYMENT_MERCHANT_CODE": MERCHANT,
                "MOTCUA_PAYMENT_SECRET": SECRET}

    # --- faults --------------------------------------------------------------------------------

    def fail_next(self, kind: str = "unavailable", times: int = 1) -> None:
        assert kind == "unavailable"
        self.faults.extend([kind] * times)

    def up(self) -> None:
        self.server = ThreadingHTTPServer((LOCALHOST, self.port), Handler)
        self.server.double = self
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def down(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    # --- create-order ----------------------------------------------------------------------------

    def create_order(self, fields: dict) -> tuple[int, dict]:
        if self.faults:
            self.faults.pop(0)
            return 503, {"RspCode": "99", "Message": "Hệ thống đang bảo trì"}
        missing = [name for name in ORDER_REQUIRED if not fields.get(name)]
        if missing:
            return 200, {"RspCode": "99", "Message": f"Thiếu tham số: {', '.join(missing)}"}
        if not hmac.compare_digest(fields["vnp_SecureHash"], checksum(fields)):
            return 200, {"RspCode": "97", "Message": "Sai chữ ký"}
        if fields["vnp_TmnCode"] != MERCHANT:
            return 200, {"RspCode": "02", "Message": "Merchant không hợp lệ"}
        if fields["vnp_Version"] != "2.1.0" or fields["vnp_Command"] != "pay" or fields["vnp_CurrCode"] != "VND":
            return 200, {"RspCode": "99", "Message": "Phiên bản, lệnh hoặc loại tiền không hợp lệ"}
        amount = fields["vnp_Amount"]
        if not amount.isdigit() or int(amount) <= 0 or int(amount) % 100:
            return 200, {"RspCode": "04", "Message": "Số tiền không hợp lệ"}
        for name in ("vnp_CreateDate", "vnp_ExpireDate"):
            try:
                datetime.strptime(fields[name], "%Y%m%d%H%M%S")
            except ValueError:
                return 200, {"RspCode": "99", "Message": f"{name} không hợp lệ"}
        if urlsplit(fields["vnp_ReturnUrl"]).scheme not in ("http", "https"):
            return 200, {"RspCode": "99", "Message": "vnp_ReturnUrl không hợp lệ"}
        with self.lock:
            order = self.orders.get(fields["vnp_TxnRef"])
            if order is not None and order.amount != amount:
                return 200, {"RspCode": "03", "Message": "Mã đơn hàng đã tồn tại với số tiền khác"}
            if order is None:
                order = Order(fields["vnp_TxnRef"], amount, fields["vnp_OrderInfo"], fields["vnp_ReturnUrl"],
                              secrets.token_urlsafe(12))
                self.orders[order.ref] = order
        return 200, {"RspCode": "00", "Message": "Tạo đơn hàng thành công",
                     "paymentUrl": f"{self.base}/paymentv2/pay/{order.token}"}

    # --- paying --------------------------------------------------------------------------------

    def notification(self, order_ref: str, *, amount: str | None = None, response_code: str = "00",
                     transaction_no: str | None = None, secret: str = SECRET) -> dict:
        """The signed fields of the platform's notification of a payment of `order_ref`."""
        order = self.orders[order_ref]
        fields = {"vnp_TmnCode": MERCHANT, "vnp_TxnRef": order.ref, "vnp_Amount": amount or order.amount,
                  "vnp_OrderInfo": order.info, "vnp_BankCode": "NCB", "vnp_BankTranNo": f"VNP{next(self._numbers)}",
                  "vnp_CardType": "ATM", "vnp_PayDate": datetime.now(ZONE).strftime("%Y%m%d%H%M%S"),
                  "vnp_ResponseCode": response_code, "vnp_TransactionStatus": response_code,
                  "vnp_TransactionNo": transaction_no or str(next(self._numbers))}
        return {**fields, "vnp_SecureHash": checksum(fields, secret)}

    def notify(self, fields: dict) -> dict:
        """Send a notification to `ipn_url` as the platform does (GET), and keep our server's answer."""
        with urllib.request.urlopen(f"{self.ipn_url}?{urlencode(fields)}", timeout=10) as response:  # noqa: S310
            answer = json.loads(response.read())
        self.notifications.append((fields, answer))
        return answer

    def pay(self, token: str, *, cancel: bool = False) -> str:
        """The hosted page's button: notify our server, and the URL the browser is sent back to."""
        order = next(o for o in self.orders.values() if o.token == token)
        fields = self.notification(order.ref, response_code="24" if cancel else "00")
        answer = self.notify(fields)
        order.paid = order.paid or (not cancel and answer.get("RspCode") == "00")
        return f"{order.return_url}?{urlencode(fields)}"

    def page(self, token: str) -> str | None:
        order = next((o for o in self.orders.values() if o.token == token), None)
        if order is None:
            return None
        amount = f"{int(order.amount) // 100:,}".replace(",", ".")
        return (f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
                f"<title>Cổng thanh toán (thử nghiệm)</title></head><body><main><h1>Cổng thanh toán</h1>"
                f"<p>Đơn hàng {html.escape(order.ref)}: "
                f"{html.escape(order.info)}</p><p>Số tiền: {amount} VND</p>"
                f"<form method='post'><button name='action' value='pay'>Thanh toán</button>"
                f"<button name='action' value='cancel'>Hủy giao dịch</button></form></main></body></html>")


class Handler(BaseHTTPRequestHandler):
    server_version = "PaymentDouble/1.0"

    def log_message(self, *args) -> None:  # quiet
        pass

    @property
    def double(self) -> PaymentDouble:
        return self.server.double

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return dict(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))

    def _send(self, status: int, content: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        fields = self._body()
        if path == "/paymentv2/orders":
            status, answer = self.double.create_order(fields)
            self.double.calls.append((path, fields, answer))
            self._send(status, json.dumps(answer).encode(), "application/json")
        elif path.startswith("/paymentv2/pay/"):
            target = self.double.pay(path.rsplit("/", 1)[1], cancel=fields.get("action") == "cancel")
            self._send(302, b"", "text/plain", {"Location": target})
        else:
            self._send(404, b"{}", "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        page = self.double.page(path.rsplit("/", 1)[1]) if path.startswith("/paymentv2/pay/") else None
        if page is None:
            self._send(404, "Không tìm thấy đơn hàng".encode(), "text/plain; charset=utf-8")
        else:
            self._send(200, page.encode(), "text/html; charset=utf-8")


@pytest.fixture
def payment_platform():
    """A payment platform's double for one test."""
    double = PaymentDouble(port=free_port())
    double.up()
    yield double
    double.down()
