"""Whether the parts this service needs answer: today the database.

`/healthz` (api/views/health.py) reports what `check` finds; a load balancer takes a server out of
rotation on its 503.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)
MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class Health:
    database: str  # "ok", or "unreachable: <short reason>"

    @property
    def ok(self) -> bool:
        return self.database == "ok"

    @property
    def status(self) -> str:
        return "ok" if self.ok else "unavailable"


def check(session_factory: sessionmaker) -> Health:
    """Ask the database `SELECT 1` in a transaction of its own."""
    with session_factory() as session:
        try:
            with session.begin():
                session.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            reason = short_reason(exc, password=session.get_bind().url.password)
            log.warning("health check: the database does not answer: %s", reason)  # a line per probe, no stack
            return Health(database=f"unreachable: {reason}")
    return Health(database="ok")


def short_reason(exc: BaseException, *, password: str | None = None) -> str:
    """The driver's first line (`connection failed: ... Connection refused`, `unable to open database
    file`): no SQL, parameters or stack, and the database password, should it be echoed, hidden."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    reason = " ".join(lines[0].split()) if lines else type(cause).__name__
    if password:
        reason = reason.replace(password, "***")
    return reason[:MAX_REASON_CHARS]
