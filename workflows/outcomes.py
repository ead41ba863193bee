"""Whether a dossier (or a step) was resolved early, on time or late against its due instant.

The rule, in the agency's time zone: resolved on a day before the due day is early (trước hạn);
on the due day, at or before the due instant, on time (đúng hạn); after the due instant, late
(quá hạn). A due date moved by a paused clock counts as moved; an apology's new appointment does
not move it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

EARLY, ON_TIME, LATE = "early", "on_time", "late"


def classify(resolved_at: datetime, due_at: datetime, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    if resolved_at > due_at:
        return LATE
    if resolved_at.astimezone(zone).date() < due_at.astimezone(zone).date():
        return EARLY
    return ON_TIME
