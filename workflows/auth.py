"""Users, passwords and bearer tokens.

Passwords are hashed with argon2; a password chosen for a real user must pass `check_password`.
A token is 32 random bytes shown once to the client; the database keeps only its SHA-256, with an
expiry, and every request looks it up: logging out revokes it, and so do disabling the user and
changing the password (all of the user's tokens). Failed logins are counted per user and per
address; past the limit, logins are refused before the password is checked.

Integrations (a postal service, the provincial portal) use API tokens (`mcapi_…`): not a user,
no role, only the scopes they were given.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine import audit, calendar_store
from engine.clock import utcnow
from workflows import notifications, rate_limits
from workflows.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from workflows.models import AccessToken, ApiToken, Unit, User, UserRole
from workflows.roles import ROLES

PASSWORD_MIN_LENGTH = 12
COMMON_PASSWORDS = frozenset({"demo", "password", "matkhau", "123456789012", "qwertyuiopas", "admin1234567",
                              "motcua123456", "abc123456789", "password1234", "123456abcdef"})
# Failed logins, counted before the password is checked (see `login_guard`):
FAILED_LOGINS_PER_USER_AND_ADDRESS = (5, timedelta(minutes=15))  # one guesser at one address
FAILED_LOGINS_PER_ADDRESS = (20, timedelta(minutes=15))  # one address guessing many users
FAILED_LOGINS_PER_USER = (50, timedelta(hours=6))  # many addresses guessing one user: slower, wider
KNOWN_ADDRESS_DAYS = 30  # an address the user signed in from is exempt from the per-user limit that long
ALERT_AFTER_FAILED_LOGINS = 10  # across addresses: the account's owner is told (once per window)
API_TOKEN_PREFIX = "mcapi_"
SCOPES = {
    "reports:read": "read the statistics (e.g. the provincial portal)",
    "dossiers:read": "read dossiers, their status and history",
    "postal:write": "record the postal service's delivery of a result",
}

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like a known one. Made on
# the first login, not at import (argon2 costs a tenth of a second, which every command paid).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a password")
    return _DUMMY_HASH


def use_cheap_hashing_for_tests() -> None:
    """Argon2 with minimal cost, so a test suite can create and log in users quickly.

    Only the test suite calls this; there is deliberately no setting that does it in a server.
    """
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not a password")


@dataclass(frozen=True)
class Principal:
    """Who is calling: what the rest of the service needs to know about the user."""

    user_id: int
    username: str
    full_name: str
    roles: frozenset[str]
    unit_code: str | None
    scopes: frozenset[str] = frozenset()  # an API token's; users have none
    unit_kind: str = "internal"  # `service_centre`: another centre of the province (workflows.boundary)
    unit_name: str | None = None  # as the pages show who did what (workflows.people)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_scope(self, scope: str | None) -> bool:
        return scope is not None and scope in self.scopes


SYSTEM = Principal(0, "system", "MotCua", frozenset(ROLES), None)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str, *, username: str) -> None:
    """A real user's password: at least 12 characters, letters and digits, not the username,
    not a well-known one. `InvalidInput` on the field `password` says what is missing."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"at least {PASSWORD_MIN_LENGTH} characters")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("both letters and digits")
    if username and username.lower() in password.lower():
        problems.append("not containing the username")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("not a well-known password")
    if problems:
        raise InvalidInput("The password is too weak: it needs " + ", ".join(problems) + ".", field="password",
                           requirements=problems)


def create_user(session: Session, *, username: str, password: str, full_name: str,
                roles: list[str], unit_code: str | None = None, email: str = "", phone: str = "",
                actor: str = "system", demo: bool = False) -> User:
    """A user with roles in a unit; the demo seed alone makes users (`demo`) with a weak password."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInput(f"Unknown role(s): {', '.join(unknown)}.", roles=unknown)
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise Conflict(f"The username '{username}' is taken.", username=username)
    if not demo:
        check_password(password, username=username)
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                unit=find_unit(session, unit_code), email=email, phone=phone, created_at=utcnow(), demo=demo,
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.created", subject=username,
                 data={"roles": sorted(set(roles)), "unit": unit_code, "demo": demo})
    return user


def find_unit(session: Session, unit_code: str | None) -> Unit | None:
    if unit_code is None:
        return None
    unit = session.scalars(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        raise NotFound(f"Unit '{unit_code}' does not exist.", unit_code=unit_code)
    return unit


def change_password(session: Session, user: User, new_password: str, *, actor: str) -> None:
    """Set a new password and revoke every token of the user: sessions elsewhere end."""
    check_password(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.demo = False
    revoked = revoke_all_tokens(session, user)
    audit.record(session, actor=actor, action="user.password_changed", subject=user.username,
                 data={"tokens_revoked": revoked})


def revoke_all_tokens(session: Session, user: User) -> int:
    result = session.execute(update(AccessToken).where(AccessToken.user_id == user.id,
                                                       AccessToken.revoked_at.is_(None))
                             .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


@contextmanager
def login_guard(limits: sessionmaker, username: str, address: str) -> Iterator[None]:
    """Wrap a login attempt, outside its transaction: refuse it before the password is checked when
    there were too many recent failures, and count a failure.

    Failures are counted per user and address (a guesser at one address blocks only that address
    for that user, so nobody can lock an officer out of their own desk by guessing), per address
    (one address trying many users) and, with a higher and slower limit, per user across addresses
    (a guesser spreading over many addresses), which does not apply at an address the user signed
    in from in the last KNOWN_ADDRESS_DAYS days: a distributed guesser cannot lock the officer out
    of their usual desk. When a user's failures across addresses reach ALERT_AFTER_FAILED_LOGINS,
    and when they reach the per-user limit, the account's owner is told by email and SMS
    (`account_login_failures`).
    """
    user_key = username.lower()[:100]
    known_key = f"login-known:{user_key}@{address}"
    keys = ((f"login-pair:{user_key}@{address}", FAILED_LOGINS_PER_USER_AND_ADDRESS),
            (f"login-address:{address}", FAILED_LOGINS_PER_ADDRESS),
            (f"login-user:{user_key}", FAILED_LOGINS_PER_USER))
    known = timedelta(days=KNOWN_ADDRESS_DAYS)
    checked = keys if not rate_limits.seen(limits, known_key, window=known) else keys[:2]
    for key, (limit, window) in checked:
        rate_limits.check(limits, key, limit=limit, window=window)
    try:
        yield
    except Unauthenticated:
        counts = [rate_limits.record(limits, key, window=window) for key, (_, window) in keys]
        failures, window_start = counts[-1]
        limit, window = FAILED_LOGINS_PER_USER
        if failures in (ALERT_AFTER_FAILED_LOGINS, limit):
            _tell_owner_of_failures(limits, username, failures=failures, address=address,
                                    blocked_until=window_start + window if failures >= limit else None)
        raise
    rate_limits.record(limits, known_key, window=known)


def _tell_owner_of_failures(limits: sessionmaker, username: str, *, failures: int, address: str,
                            blocked_until: datetime | None) -> None:
    """Warn the account's owner (an existing, active user) that someone is guessing its password."""
    with limits() as session, session.begin():
        user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
        if user is None:
            return
        audit.record(session, actor="system", action="user.login_failures_alert", subject=user.username,
                     data={"failures": failures, "last_address": address,
                           "blocked_until": blocked_until.isoformat() if blocked_until else None})
        notifications.notify_account(session, user, "account_login_failures", {
            "failures": failures, "last_address": address, "blocked_until": blocked_until})


def login(session: Session, *, username: str, password: str, ttl_minutes: int) -> tuple[str, datetime, User]:
    """Check the password and issue a token: (raw token, expires_at, user)."""
    dummy = _dummy_hash()  # made before looking the user up: a first login costs the same for anyone
    user = session.scalars(select(User).where(User.username == username)).first()
    try:
        _hasher.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise Unauthenticated("Wrong username or password.")
    now = utcnow()
    raw = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=ttl_minutes)
    session.add(AccessToken(token_hash=_digest(raw), user_id=user.id, created_at=now, expires_at=expires_at))
    audit.record(session, actor=user.username, action="user.logged_in", subject=user.username, at=now)
    return raw, expires_at, user


# A user's token with its user, unit and roles (one row per role), built once: it runs on every request.
# The display zone rides along (engine.calendar_store.TIMEZONE): nearly every signed-in request shows
# times, and it would otherwise cost a read of its own.
_TOKEN_HOLDER = (
    select(AccessToken.revoked_at, AccessToken.expires_at, User.id, User.username, User.full_name, User.active,
           Unit.code, Unit.kind, Unit.name, UserRole.role, calendar_store.TIMEZONE.label("timezone"))
    .join(User, User.id == AccessToken.user_id).outerjoin(Unit, Unit.id == User.unit_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(AccessToken.token_hash == bindparam("token_hash"))
)


def is_api_token(raw: str) -> bool:
    return raw.startswith(API_TOKEN_PREFIX)


def principal_for_token(session: Session, raw: str) -> Principal:
    """Who holds the token. A user's token is looked up in one read (token, user, unit and roles
    together); an API token's use is recorded (`last_used_at`), so the caller commits it."""
    if is_api_token(raw):
        return _principal_for_api_token(session, raw)
    # on the connection: through the session, the same read costs about twice (autoflush, ORM result)
    rows = session.connection().execute(_TOKEN_HOLDER, {"token_hash": _digest(raw)}).all()
    token = rows[0] if rows else None
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow() or not token.active:
        raise Unauthenticated("The access token is invalid or has expired; log in again.")
    calendar_store.remember_timezone(session, token.timezone)
    roles = frozenset(row.role for row in rows if row.role is not None)
    return Principal(token.id, token.username, token.full_name, roles, token.code, unit_kind=token.kind or "internal",
                     unit_name=token.name)


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.username, user.full_name, frozenset(user.roles),
                     user.unit.code if user.unit else None, unit_kind=user.unit.kind if user.unit else "internal",
                     unit_name=user.unit.name if user.unit else None)


def revoke_token(session: Session, raw: str) -> None:
    token = session.scalars(select(AccessToken).where(AccessToken.token_hash == _digest(raw))).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor=token.user.username, action="user.logged_out", subject=token.user.username,
                     at=token.revoked_at)


def create_api_token(session: Session, *, name: str, scopes: list[str], expires_in_days: int | None,
                     actor: str) -> tuple[str, ApiToken]:
    """A new integration token: (the raw token, shown this once; its row)."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InvalidInput(f"Scopes must be among {', '.join(SCOPES)}.", field="scopes", unknown=unknown)
    if session.scalars(select(ApiToken).where(ApiToken.name == name)).first() is not None:
        raise Conflict(f"An API token named '{name}' exists.", name=name)
    now = utcnow()
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=_digest(raw), scopes=sorted(set(scopes)), created_by=actor,
                     created_at=now, expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    session.add(token)
    session.flush()
    expires = token.expires_at.isoformat() if token.expires_at else None
    audit.record(session, actor=actor, action="api_token.created", subject=name,
                 data={"scopes": token.scopes, "expires_at": expires})
    return raw, token


def list_api_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def revoke_api_token(session: Session, name: str, *, actor: str) -> ApiToken:
    token = session.scalars(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise NotFound(f"No API token is named '{name}'.", name=name)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor=actor, action="api_token.revoked", subject=name)
    return token


def _principal_for_api_token(session: Session, raw: str) -> Principal:
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(raw))).first()
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        raise Unauthenticated("The API token is invalid, revoked or expired.")
    token.last_used_at = now
    return Principal(0, f"api:{token.name}", f"API token {token.name}", frozenset(), None, frozenset(token.scopes))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
