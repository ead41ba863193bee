"""Working time: which days and hours count, and deadlines counted in them.

A `WorkingCalendar` is a plain object built from its settings (time zone, working weekdays, office
sessions, same-day cut-off), the public holidays of a country from the `holidays` package, and an
administrator's exceptions by date (extra days off, make-up working days), which win over both.

Every function takes aware datetimes and returns aware datetimes in the calendar's zone.

Rules (shared/domain.md):
- `working_days`: the period starts on the working day after receipt (the receipt day does not
  count) and ends at the close of office hours of its last working day.
- `working_hours`: counted inside office sessions from the instant of receipt.
- `session`: the half-day session in which the dossier is received counts as the first (received
  outside office hours: the next session does); due at the end of the n-th session.
- `same_day`: received on a working day before the cut-off (default 15:00): due at that day's
  close; otherwise at the close of the next working day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_package

from engine.errors import EngineError

UNITS = ("working_days", "working_hours", "same_day", "session")
DAY_OFF, WORKING_DAY = "day_off", "working_day"
MAX_SEARCH_DAYS = 3660  # a calendar with no working day in ten years is a misconfiguration


class CalendarError(EngineError):
    """The calendar cannot answer: no working day ahead, a value of the wrong kind..."""

    code = "calendar_error"


@dataclass(frozen=True)
class CalendarSettings:
    timezone: str = "Asia/Ho_Chi_Minh"
    working_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    sessions: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    same_day_cutoff: time = time(15, 0)
    holiday_country: str | None = "VN"

    def __post_init__(self):
        ZoneInfo(self.timezone)  # raises for an unknown zone
        if not self.sessions:
            raise CalendarError("At least one office session is needed.")
        previous_end = time.min
        for start, end in self.sessions:
            if not previous_end <= start < end:
                raise CalendarError("Office sessions must be in order, each ending after it starts.")
            previous_end = end
        if not set(self.working_weekdays) <= set(range(7)) or not self.working_weekdays:
            raise CalendarError("Working weekdays are numbers 0 (Monday) to 6 (Sunday), at least one.")
        if self.holiday_country and self.holiday_country not in holidays_package.list_supported_countries():
            raise CalendarError(f"The holidays package has no calendar for the country '{self.holiday_country}' "
                                "(use an ISO code such as VN, or none).")


@dataclass(frozen=True)
class WorkingCalendar:
    settings: CalendarSettings = field(default_factory=CalendarSettings)
    exceptions: dict[date, str] = field(default_factory=dict)  # date -> "day_off" | "working_day"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @cached_property
    def _holidays(self):
        return _country_holidays(self.settings.holiday_country) if self.settings.holiday_country else {}

    # --- days -----------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day) if self.settings.holiday_country else None

    def is_working_day(self, day: date) -> bool:
        kind = self.exceptions.get(day)
        if kind is not None:
            return kind == WORKING_DAY
        return day.weekday() in self.settings.working_weekdays and day not in self._holidays

    def next_working_day(self, day: date) -> date:
        for offset in range(1, MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(f"No working day in the {MAX_SEARCH_DAYS} days after {day}.")

    def previous_working_day(self, day: date) -> date:
        for offset in range(1, MAX_SEARCH_DAYS):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(f"No working day in the {MAX_SEARCH_DAYS} days before {day}.")

    def opening_of(self, day: date) -> datetime:
        return datetime.combine(day, self.settings.sessions[0][0], self.zone)

    def start_of_working_days_before(self, due: datetime, days: int) -> datetime:
        """The opening of the working day `days` working days before the day of `due`."""
        day = due.astimezone(self.zone).date()
        for _ in range(_whole(days, "working days")):
            day = self.previous_working_day(day)
        return self.opening_of(day)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The office sessions of `day` as aware instants; none on a day off."""
        if not self.is_working_day(day):
            return []
        return [(datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))
                for start, end in self.settings.sessions]

    def close_of(self, day: date) -> datetime:
        return datetime.combine(day, self.settings.sessions[-1][1], self.zone)

    def _intervals_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals that end after `instant`, in order, clipped to start no earlier."""
        local = instant.astimezone(self.zone)
        day = local.date()
        for _ in range(MAX_SEARCH_DAYS):
            for start, end in self.intervals(day):
                if end > local:
                    yield max(start, local), end
            day += timedelta(days=1)
        raise CalendarError(f"No working time in the {MAX_SEARCH_DAYS} days after {instant}.")

    # --- operations -----------------------------------------------------------------------

    def add_working_days(self, start: datetime, days: int) -> datetime:
        _whole(days, "working days")
        day = start.astimezone(self.zone).date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.close_of(day)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        if hours < 0:
            raise CalendarError("Working hours cannot be negative.")
        remaining = timedelta(hours=hours)
        for begin, end in self._intervals_from(start):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable")  # _intervals_from raises first

    def add_sessions(self, start: datetime, sessions: int) -> datetime:
        _whole(sessions, "sessions")
        counted = 0
        for _begin, end in self._intervals_from(start):
            counted += 1
            if counted == sessions:
                return end
        raise AssertionError("unreachable")

    def same_day(self, received_at: datetime) -> datetime:
        local = received_at.astimezone(self.zone)
        if self.is_working_day(local.date()) and local.time() < self.settings.same_day_cutoff:
            return self.close_of(local.date())
        return self.close_of(self.next_working_day(local.date()))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end]; zero when end is not after start."""
        total = timedelta()
        if end <= start:
            return total
        for begin, finish in self._intervals_from(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def due_at(self, received_at: datetime, value: float, unit: str) -> datetime:
        """The statutory due instant of `value` `unit`s counted from `received_at`."""
        if unit == "working_days":
            return self.add_working_days(received_at, _whole(value, "working days"))
        if unit == "working_hours":
            return self.add_working_hours(received_at, value)
        if unit == "session":
            return self.add_sessions(received_at, _whole(value, "sessions"))
        if unit == "same_day":
            due = self.same_day(received_at)
            extra = _whole(value, "days") - 1  # "same day + 2": up to two more working days
            return self.add_working_days(due, extra) if extra else due
        raise CalendarError(f"Unknown unit '{unit}'; use one of {', '.join(UNITS)}.")

    def is_working_instant(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone)
        return any(start <= local <= end for start, end in self.intervals(local.date()))


@lru_cache(maxsize=8)
def _country_holidays(country: str):
    """The package's holidays of a country; it adds each year the first time a date of it is asked."""
    return holidays_package.country_holidays(country)


def _whole(value: float, what: str) -> int:
    if value is None or float(value) != int(value) or value < 1:
        raise CalendarError(f"A number of {what} must be a whole number of at least 1, not {value}.")
    return int(value)


# --- a year's special days, for people ----------------------------------------------------------

@dataclass(frozen=True)
class SpecialDay:
    """A public holiday or an administrator's exception, and whether the calendar works that day."""

    day: date
    working: bool
    holiday: str | None  # the public holiday's name, in the language asked for when the package has it
    exception: str | None  # DAY_OFF, WORKING_DAY or None


def special_days(calendar: WorkingCalendar, year: int, language: str | None = None) -> list[SpecialDay]:
    """The public holidays and the exceptions of `year`, by date: the days the calendar counts
    differently from its working weekdays (weekends that are nothing more are left out)."""
    first = date(year, 1, 1)
    days = [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]
    names = _holiday_names(calendar.settings.holiday_country, language)
    found = []
    for day in days:
        official = calendar.holiday_name(day)
        exception = calendar.exceptions.get(day)
        if official is None and exception is None:
            continue
        holiday = (names.get(day) or official) if official is not None else None
        found.append(SpecialDay(day, calendar.is_working_day(day), holiday, exception))
    return found


@lru_cache(maxsize=16)
def _holiday_names(country: str | None, language: str | None):
    """The country's holidays named in `language` ("vi", "en": the first of the package's languages
    that starts with it); the package's default names when it has no such language."""
    if not country:
        return {}
    supported = holidays_package.country_holidays(country).supported_languages
    chosen = next((lang for lang in supported if language and lang.split("_")[0] == language), None)
    return holidays_package.country_holidays(country, language=chosen) if chosen else _country_holidays(country)
