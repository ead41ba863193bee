"""Users, their roles and units, as an administrator manages them; every change is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from workflows.auth import change_password, find_unit, revoke_all_tokens, verifies
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.models import Unit, User, UserRole
from workflows.roles import ADMIN, ROLES

EDITABLE = ("full_name", "unit_code", "roles", "email", "phone", "active")


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"User '{username}' does not exist.", username=username)
    return user


def update_user(session: Session, username: str, values: dict, *, actor: str) -> User:
    """Change a user's name, unit, roles, contacts or whether the account is active. Disabling
    the account revokes its tokens at once."""
    user = get_user(session, username)
    before = _snapshot(user)
    if "roles" in values:
        roles = set(values["roles"])
        unknown = sorted(roles - set(ROLES))
        if unknown:
            raise InvalidInput(f"Unknown role(s): {', '.join(unknown)}.", field="roles", roles=unknown)
        if username == actor and ADMIN in user.roles and ADMIN not in roles:
            raise Forbidden("An administrator cannot take the admin role from their own account.", field="roles")
        user.role_rows = [UserRole(role=r) for r in sorted(roles)]
    if "unit_code" in values:
        user.unit = find_unit(session, values["unit_code"])
    for name in ("full_name", "email", "phone"):
        if name in values:
            setattr(user, name, values[name])
    if "active" in values and values["active"] != user.active:
        if username == actor and not values["active"]:
            raise Forbidden("An administrator cannot disable their own account.", field="active")
        user.active = values["active"]
        if not user.active:
            revoke_all_tokens(session, user)
    session.flush()
    after = _snapshot(user)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    audit.record(session, actor=actor, action="user.updated", subject=username, data={"changes": changes})
    return user


def set_password(session: Session, username: str, new_password: str, *, actor: str,
                 current_password: str | None = None) -> User:
    """An administrator sets a user's password, or a user changes their own (with the current one)."""
    user = get_user(session, username)
    if current_password is not None and not verifies(user.password_hash, current_password):
        raise InvalidInput("The current password is not right.", field="current_password")
    change_password(session, user, new_password, actor=actor)
    return user


def _snapshot(user: User) -> dict:
    return {"full_name": user.full_name, "unit_code": user.unit.code if user.unit else None,
            "roles": sorted(user.roles), "email": user.email, "phone": user.phone, "active": user.active}


def list_units(session: Session) -> list[Unit]:
    """Every organisational unit, by name (for choosing a user's or a procedure's unit)."""
    return list(session.scalars(select(Unit).order_by(Unit.name)))
