"""Users, passwords and bearer tokens.

Passwords are hashed with argon2. A token is 32 random bytes shown once to the client; the
database keeps only its SHA-256, with an expiry, and every request looks it up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import utcnow
from workflows.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from workflows.models import AccessToken, Unit, User, UserRole
from workflows.roles import ROLES

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like a known one.
_DUMMY_HASH = _hasher.hash("not a password")


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

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


SYSTEM = Principal(0, "system", "MotCua", frozenset(ROLES), None)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, *, username: str, password: str, full_name: str,
                roles: list[str], unit_code: str | None = None, email: str = "", phone: str = "",
                actor: str = "system") -> User:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInput(f"Unknown role(s): {', '.join(unknown)}.", roles=unknown)
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise Conflict(f"The username '{username}' is taken.", username=username)
    unit = None
    if unit_code is not None:
        unit = session.scalars(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            raise NotFound(f"Unit '{unit_code}' does not exist.", unit_code=unit_code)
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                unit=unit, email=email, phone=phone, created_at=utcnow(),
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.created", subject=username,
                 data={"roles": sorted(set(roles)), "unit": unit_code})
    return user


def login(session: Session, *, username: str, password: str, ttl_minutes: int) -> tuple[str, datetime, User]:
    """Check the password and issue a token: (raw token, expires_at, user)."""
    user = session.scalars(select(User).where(User.username == username)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
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


def principal_for_token(session: Session, raw: str) -> Principal:
    token = session.scalars(select(AccessToken).where(AccessToken.token_hash == _digest(raw))).first()
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow() or not token.user.active:
        raise Unauthenticated("The access token is invalid or has expired; log in again.")
    return principal_of(token.user)


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.username, user.full_name, frozenset(user.roles),
                     user.unit.code if user.unit else None)


def revoke_token(session: Session, raw: str) -> None:
    token = session.scalars(select(AccessToken).where(AccessToken.token_hash == _digest(raw))).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor=token.user.username, action="user.logged_out", subject=token.user.username,
                     at=token.revoked_at)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
