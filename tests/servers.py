"""Real servers for tests that deliver notifications: an SMTP server (aiosmtpd) and an SMS gateway
(a local HTTP server), both on 127.0.0.1 and stopped by their fixtures.

Import the fixtures into a test module to use them: `from tests.servers import gateway, mailbox`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from workflows.settings import ChannelConfig, EmailConfig, SmsConfig

LOCALHOST = "127.0.0.1"
TOKEN = "gw-token-7f3a9c"  # noqa: S105 - a test credential


def wait_for(predicate, seconds: float, interval: float = 0.05):
    """Poll `predicate` until it returns something true or `seconds` pass; its last result."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message and can refuse recipients with a given reply."""

    def __init__(self) -> None:
        self.envelopes = []
        self.authenticated = []
        self.recipient_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if self.recipient_reply:
            return self.recipient_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.envelopes.append(envelope)
        self.authenticated.append(session.authenticated)
        return "250 Message accepted for delivery"


@pytest.fixture
def start_smtp_server():
    """Start aiosmtpd servers on 127.0.0.1; all are stopped after the test."""
    controllers = []

    def start(handler: Mailbox, **smtp_options) -> Controller:
        controller = Controller(handler, hostname=LOCALHOST, port=free_port(), **smtp_options)
        controller.start()
        controllers.append(controller)
        return controller

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def mailbox(start_smtp_server) -> tuple[Mailbox, EmailConfig]:
    """A plain SMTP server without authentication, and the config that reaches it."""
    handler = Mailbox()
    controller = start_smtp_server(handler)
    return handler, EmailConfig(host=LOCALHOST, port=controller.port, sender="motcua@sogd.example.vn", timeout=5)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"id": "sms-000123", "status": "queued"}'
    delay: float = 0.0
    headers: dict = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: Message
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))


class Gateway:
    """What the fake SMS gateway received, and what it answers next."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.requests: list[ReceivedRequest] = []
        self.reply = Reply()
        self.released = threading.Event()  # lets slow replies finish when the test ends

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/sms"

    def config(self, **options) -> ChannelConfig:
        return ChannelConfig(sms=SmsConfig(url=self.url, **{"token": TOKEN, "sender": "SOGDDT", **options}))


class GatewayRequestHandler(BaseHTTPRequestHandler):
    """Records each POST and answers with the gateway's current reply."""

    def do_POST(self):  # noqa: N802 - http.server hook
        gateway: Gateway = self.server.gateway
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        gateway.requests.append(ReceivedRequest(self.command, self.path, self.headers, body))
        reply = gateway.reply
        if reply.delay:
            gateway.released.wait(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up waiting

    def log_message(self, format, *args):  # noqa: A002 - signature of http.server
        pass


@pytest.fixture
def gateway():
    """A local HTTP server acting as the SMS gateway, on 127.0.0.1 and a free port."""
    server = ThreadingHTTPServer((LOCALHOST, 0), GatewayRequestHandler)
    server.gateway = Gateway(server)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.gateway
    server.gateway.released.set()
    server.shutdown()
    server.server_close()
    thread.join(5)
