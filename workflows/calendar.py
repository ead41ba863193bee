"""The working calendar as officers and administrators use it: when something is due, the
administrator's exceptions (days off, make-up working days), the settings, a year's days.

The engine keeps the calendar (`engine.calendar_store`, audited there); these are the service
functions the API calls.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from engine import calendar_store
from engine.models import CalendarException


def due_date(session: Session, received_at: datetime, value: float, unit: str) -> dict:
    """When something received at `received_at` with `value` `unit`s to do is due."""
    calendar = calendar_store.load_calendar(session)
    return {"received_at": received_at, "due_at": calendar.due_at(received_at, value, unit)}


def list_exceptions(session: Session, *, year: int | None = None) -> list[CalendarException]:
    return calendar_store.list_exceptions(session, year=year)


def add_exception(session: Session, *, day: date, kind: str, reason: str, actor: str) -> CalendarException:
    return calendar_store.add_exception(session, day=day, kind=kind, reason=reason, actor=actor)


def delete_exception(session: Session, day: date, *, actor: str) -> None:
    calendar_store.delete_exception(session, day, actor=actor)


def get_settings(session: Session) -> dict:
    """Time zone, working weekdays, office sessions, same-day cut-off, holiday country."""
    return calendar_store.settings_to_dict(calendar_store.get_settings(session))


def update_settings(session: Session, changes: dict, *, actor: str) -> dict:
    """Keys left out keep their value."""
    return calendar_store.settings_to_dict(calendar_store.update_settings(session, changes, actor=actor))


def year_days(session: Session, year: int, language: str | None = None) -> dict:
    """A year's public holidays (named in `language`) and exceptions, and its number of working days."""
    return calendar_store.year_days(session, year, language)
