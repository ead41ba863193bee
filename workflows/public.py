"""What an applicant can do without an account: look a dossier up, rate it, ask to withdraw it,
register one online.

A dossier's code is printed on the receipt slip and may be seen by others, so each request also
carries a check: the last four digits of the applicant's phone or ID number. A wrong check and
an unknown code give the same answer after the same work, and both count against rate limits per
address and per code, so that the four digits cannot be guessed.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from engine.clock import utcnow
from workflows import lifecycle, rate_limits, statuses
from workflows.dossiers import ONLINE_ACTOR, find_by_code
from workflows.errors import AlreadyRated, Conflict, InvalidInput, NotFound
from workflows.models import Dossier, Rating
from workflows.reports import RATING_LEVELS

LEVELS = RATING_LEVELS
LOOKUPS_PER_ADDRESS = (30, timedelta(minutes=5))
FAILURES_PER_CODE = (10, timedelta(hours=1))
SUBMISSIONS_PER_ADDRESS = (10, timedelta(hours=1))
_NO_DOSSIER = "\0never"


@dataclass(frozen=True)
class PublicStatus:
    """All a lookup shows: what the applicant already knows or is entitled to know."""

    code: str
    procedure_name: str
    status: int
    status_label: str
    received_at: datetime | None
    due_at: datetime | None
    appointment_at: datetime | None
    returned_at: datetime | None
    rated: bool


@contextmanager
def guarded(limits: sessionmaker, code: str, *, address: str) -> Iterator[None]:
    """Wrap every public request about one dossier, outside its transaction: count the attempt per
    address, refuse a code that has had too many wrong checks (before checking again, so that a
    right guess cannot be told from a wrong one), and count a wrong check against the code."""
    limit, window = LOOKUPS_PER_ADDRESS
    rate_limits.hit(limits, f"lookup:{address}", limit=limit, window=window)
    limit, window = FAILURES_PER_CODE
    key = f"lookup-failed:{code[:100]}"
    rate_limits.check(limits, key, limit=limit, window=window)
    try:
        yield
    except NotFound:
        rate_limits.record(limits, key, window=window)
        raise


def lookup(session: Session, code: str, check: str) -> PublicStatus:
    dossier = verified_dossier(session, code, check)
    return status_of(dossier, rated=session.get(Rating, dossier.id) is not None)


def status_of(dossier: Dossier, *, rated: bool) -> PublicStatus:
    """What an applicant is shown of their dossier."""
    return PublicStatus(
        code=dossier.code, procedure_name=dossier.procedure.name, status=dossier.status,
        status_label=statuses.label(dossier.status), received_at=dossier.received_at, due_at=dossier.due_at,
        appointment_at=dossier.appointment_at, returned_at=dossier.returned_at, rated=rated)


def rate(session: Session, code: str, check: str, *, level: str, comment: str = "") -> Rating:
    """The applicant's satisfaction with a returned dossier: once per dossier."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}.", field="level")
    dossier = verified_dossier(session, code, check)
    if dossier.status != statuses.RESULT_RETURNED:
        raise Conflict("A dossier can be rated once its result has been returned.", dossier_code=code,
                       status=dossier.status)
    if session.get(Rating, dossier.id) is not None:
        raise AlreadyRated("This dossier has already been rated.", dossier_code=code)
    rating = Rating(dossier_id=dossier.id, level=level, comment=comment.strip()[:2000], rated_at=utcnow())
    session.add(rating)
    session.flush()
    return rating


def withdraw(session: Session, code: str, check: str, *, reason: str) -> Dossier:
    """The applicant asks to withdraw the dossier (see `lifecycle.request_withdrawal`)."""
    return lifecycle.request_withdrawal(session, verified_dossier(session, code, check), actor=ONLINE_ACTOR,
                                        reason=reason)


def count_submission(limits: sessionmaker, address: str) -> None:
    limit, window = SUBMISSIONS_PER_ADDRESS
    rate_limits.hit(limits, f"submit:{address}", limit=limit, window=window)


def verified_dossier(session: Session, code: str, check: str) -> Dossier:
    """The dossier with this code whose applicant's phone or ID number ends in `check`; `NotFound`
    otherwise, after the same work whether the code exists or not."""
    dossier = find_by_code(session, code)
    candidates = _check_digits(dossier) if dossier is not None else (_NO_DOSSIER, _NO_DOSSIER)
    matched = False
    for candidate in candidates:  # always both comparisons, in constant time
        matched |= bool(candidate) and hmac.compare_digest(check.encode(), candidate.encode())
    if dossier is None or not matched:
        raise NotFound("No dossier matches this code and check digits.", dossier_code=code)
    return dossier


def _check_digits(dossier: Dossier) -> tuple[str, str]:
    def last4(value: str) -> str:
        digits = "".join(c for c in value or "" if c.isdigit())
        return digits[-4:] if len(digits) >= 4 else ""

    return last4(dossier.applicant_phone), last4(dossier.applicant_id_number)
