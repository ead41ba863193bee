"""The demo data `make run` seeds: units, the two seed procedures, demo users (password `demo`).

Idempotent: what exists already is left as it is, so running it twice keeps the data.
"""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.auth import create_user
from workflows.models import Unit, User
from workflows.procedures import create_procedure, find_procedure

DEMO_PASSWORD = "demo"


def _load(name: str) -> list[dict]:
    return json.loads(resources.files("workflows.seed_data").joinpath(name).read_text(encoding="utf-8"))


def seed_units(session: Session) -> int:
    created = 0
    for row in _load("units.json"):
        if session.scalars(select(Unit).where(Unit.code == row["code"])).first() is None:
            session.add(Unit(code=row["code"], name=row["name"], kind=row.get("kind", "internal")))
            created += 1
    session.flush()
    return created


def seed_procedures(session: Session) -> int:
    """Needs the procedures' models deployed first."""
    created = 0
    for row in _load("procedures.json"):
        if find_procedure(session, row["code"]) is None:
            create_procedure(session, row, actor="seed")
            created += 1
    return created


def seed_demo_users(session: Session) -> int:
    created = 0
    for row in _load("demo_users.json"):
        if session.scalars(select(User).where(User.username == row["username"])).first() is None:
            create_user(session, password=DEMO_PASSWORD, actor="seed", demo=True, **row)
            created += 1
    return created


def seed_demo(session: Session) -> dict:
    return {
        "units": seed_units(session),
        "procedures": seed_procedures(session),
        "users": seed_demo_users(session),
    }
