"""The people behind logins: who received, holds, handed over or wrote something on a dossier, by
full name and unit, as the pages show them (the login stays for administrators)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import Unit, User


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    unit: str | None


def people(session: Session, usernames: Iterable[str | None], *, known: Person | None = None) -> dict[str, Person]:
    """The accounts among `usernames`, by login, in one query; a name that is no account (the
    applicant online, the scheduler, the system) is left out, for the caller to name it. `known`, a
    person the caller has at hand (the signed-in user, read with their token), is not looked up."""
    wanted = {name for name in usernames if name}
    found = {}
    if known is not None and known.username in wanted:
        wanted.discard(known.username)
        found[known.username] = known
    if wanted:
        rows = session.execute(select(User.username, User.full_name, Unit.name).outerjoin(Unit, Unit.id == User.unit_id)
                               .where(User.username.in_(sorted(wanted))))
        found.update((username, Person(username, full_name, unit)) for username, full_name, unit in rows)
    return found


def person(session: Session, username: str | None) -> Person | None:
    return people(session, [username]).get(username) if username else None


def as_dict(found: Person | None) -> dict | None:
    """The person as the API shows one: {username, full_name, unit}, or null."""
    if found is None:
        return None
    return {"username": found.username, "full_name": found.full_name, "unit": found.unit}
