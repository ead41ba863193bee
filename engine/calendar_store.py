"""The working calendar in the database: settings (one row) and exceptions by date."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import utcnow
from engine.db import forget_at_transaction_end
from engine.errors import Conflict, NotFound
from engine.models import CalendarException, CalendarSettingsRow
from engine.working_calendar import (
    DAY_OFF,
    WORKING_DAY,
    CalendarError,
    CalendarSettings,
    WorkingCalendar,
    special_days,
)

SETTINGS_ROW_ID = 1
_CACHE_KEY = "motcua_working_calendar"
_ZONE_KEY = "motcua_calendar_timezone"


def settings_to_dict(settings: CalendarSettings) -> dict:
    return {
        "timezone": settings.timezone,
        "working_weekdays": list(settings.working_weekdays),
        "sessions": [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in settings.sessions],
        "same_day_cutoff": settings.same_day_cutoff.strftime("%H:%M"),
        "holiday_country": settings.holiday_country,
    }


def settings_from_dict(data: dict) -> CalendarSettings:
    defaults = CalendarSettings()
    return CalendarSettings(
        timezone=data.get("timezone", defaults.timezone),
        working_weekdays=tuple(sorted(set(data.get("working_weekdays", defaults.working_weekdays)))),
        sessions=tuple((time.fromisoformat(start), time.fromisoformat(end))
                       for start, end in data["sessions"]) if "sessions" in data else defaults.sessions,
        same_day_cutoff=time.fromisoformat(data["same_day_cutoff"]) if "same_day_cutoff" in data
        else defaults.same_day_cutoff,
        holiday_country=data.get("holiday_country", defaults.holiday_country),
    )


# The calendar's rows are read on the session's connection, not through the session: a read there
# costs about half (no autoflush, no ORM result), and every request reads the zone. The changes
# below flush at once, so that such a read in the same transaction sees them.
_SETTINGS_DATA = select(CalendarSettingsRow.data).where(CalendarSettingsRow.id == SETTINGS_ROW_ID)
_EXCEPTIONS = select(CalendarException.day, CalendarException.kind)


def get_settings(session: Session) -> CalendarSettings:
    data = session.connection().execute(_SETTINGS_DATA).scalar()
    return settings_from_dict(data) if data else CalendarSettings()


# The zone as a column another read can carry (`remember_timezone`): the bearer token's, which every
# signed-in request makes and nearly every one then wants the zone to show its times in.
TIMEZONE = (select(CalendarSettingsRow.data["timezone"].as_string())
            .where(CalendarSettingsRow.id == SETTINGS_ROW_ID).scalar_subquery())


def get_timezone(session: Session) -> str:
    """The calendar's time zone, in one small read (it is wanted on every request, to show times),
    none when the transaction has loaded the calendar already (a step that computed a deadline) or
    read the zone with another row (`remember_timezone`)."""
    calendar = session.info.get(_CACHE_KEY)
    if calendar is not None:
        return calendar.settings.timezone
    zone = session.info.get(_ZONE_KEY)
    if zone is not None:
        return zone
    data = session.connection().execute(_SETTINGS_DATA).scalar()
    return data.get("timezone", CalendarSettings().timezone) if data else CalendarSettings().timezone


def remember_timezone(session: Session, zone: str | None) -> None:
    """The zone a read of this transaction carried (the `TIMEZONE` column; None: no settings row yet),
    for `get_timezone` until the transaction ends or the settings change."""
    session.info[_ZONE_KEY] = zone or CalendarSettings().timezone


def update_settings(session: Session, changes: dict, *, actor: str) -> CalendarSettings:
    """Apply `changes` (the keys of `settings_to_dict`) over the current settings; audited."""
    before = settings_to_dict(get_settings(session))
    try:
        settings = settings_from_dict({**before, **changes})
    except (ValueError, KeyError) as exc:  # ZoneInfo, time.fromisoformat
        raise CalendarError(f"These calendar settings are not valid: {exc}", **changes) from None
    after = settings_to_dict(settings)
    session.info.pop(_CACHE_KEY, None)
    session.info.pop(_ZONE_KEY, None)
    row = session.get(CalendarSettingsRow, SETTINGS_ROW_ID)
    if row is None:
        row = CalendarSettingsRow(id=SETTINGS_ROW_ID, data=after, updated_at=utcnow(), updated_by=actor)
        session.add(row)
    else:
        row.data, row.updated_at, row.updated_by = after, utcnow(), actor
    session.flush()
    audit.record(session, actor=actor, action="calendar.settings_updated", subject="calendar",
                 data={"changes": {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}})
    return settings


def list_exceptions(session: Session, *, year: int | None = None) -> list[CalendarException]:
    query = select(CalendarException).order_by(CalendarException.day)
    if year is not None:
        query = query.where(CalendarException.day >= date(year, 1, 1), CalendarException.day <= date(year, 12, 31))
    return list(session.scalars(query))


def add_exception(session: Session, *, day: date, kind: str, reason: str, actor: str) -> CalendarException:
    if kind not in (DAY_OFF, WORKING_DAY):
        raise CalendarError(f"kind must be {DAY_OFF} or {WORKING_DAY}.", kind=kind)
    if session.scalars(select(CalendarException).where(CalendarException.day == day)).first() is not None:
        raise Conflict(f"{day.isoformat()} already has an exception; delete it first.", date=day.isoformat())
    session.info.pop(_CACHE_KEY, None)
    exception = CalendarException(day=day, kind=kind, reason=reason, created_at=utcnow(), created_by=actor)
    session.add(exception)
    session.flush()
    audit.record(session, actor=actor, action="calendar.exception_added", subject=day.isoformat(),
                 data={"kind": kind, "reason": reason})
    return exception


def delete_exception(session: Session, day: date, *, actor: str) -> None:
    exception = session.scalars(select(CalendarException).where(CalendarException.day == day)).first()
    if exception is None:
        raise NotFound(f"{day.isoformat()} has no calendar exception.", date=day.isoformat())
    session.info.pop(_CACHE_KEY, None)
    session.delete(exception)
    session.flush()
    audit.record(session, actor=actor, action="calendar.exception_deleted", subject=day.isoformat(),
                 data={"kind": exception.kind, "reason": exception.reason})


def load_calendar(session: Session) -> WorkingCalendar:
    """The calendar as it stands in the database, read once per transaction."""
    calendar = session.info.get(_CACHE_KEY)
    if calendar is None:
        exceptions = dict(session.connection().execute(_EXCEPTIONS).all())
        calendar = session.info[_CACHE_KEY] = WorkingCalendar(get_settings(session), exceptions)
    return calendar


forget_at_transaction_end(_CACHE_KEY, _ZONE_KEY)


def year_days(session: Session, year: int, language: str | None = None) -> dict:
    """`year`'s public holidays and exceptions (with their reasons and authors), and how many
    working days the year has, as the calendar counts them."""
    calendar = load_calendar(session)
    exceptions = {row.day: row for row in list_exceptions(session, year=year)}
    days = []
    for special in special_days(calendar, year, language):
        row = exceptions.get(special.day)
        days.append({"date": special.day, "weekday": special.day.weekday(), "working": special.working,
                     "kind": special.exception or "holiday", "name": row.reason if row else special.holiday,
                     "holiday": special.holiday, "created_by": row.created_by if row else None})
    ordinals = range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal())
    working = sum(calendar.is_working_day(date.fromordinal(n)) for n in ordinals)
    return {"year": year, "holiday_country": calendar.settings.holiday_country, "working_days": working, "days": days}
