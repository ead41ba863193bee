"""The one place the engine reads the time: always aware UTC."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def has_utc_offset(value: str) -> bool:
    """Whether an ISO 8601 date-time text says its offset (Z or ±hh:mm); a bare date counts as no time."""
    upper = value.strip().upper()
    if "T" not in upper:
        return True
    time_part = upper.split("T", 1)[1]
    return time_part.endswith("Z") or "+" in time_part or "-" in time_part
