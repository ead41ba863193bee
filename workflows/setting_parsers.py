"""The parsers of settings, one per type, and the helpers they share. `workflows.settings` reads every
variable through them; each returns `default` for an absent or empty variable and raises
`SettingError` naming the variable and what it accepts (never echoing a secret or a URL that may hold one).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TRUE_WORDS = ("on", "true", "1", "yes")
FALSE_WORDS = ("off", "false", "0", "no")
_HEADER_TOKEN = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what can travel in an HTTP header


class SettingError(ValueError):
    """A variable whose value cannot be used; the message names it and says what it accepts."""


def url_for_messages(url: str) -> str:
    """The URL without credentials, query string or fragment, safe for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def is_header_token(value: str) -> bool:
    """Whether a value can be sent in an HTTP header as it is (visible ASCII, no spaces)."""
    return _HEADER_TOKEN.fullmatch(value) is not None


def raw(environ: Mapping[str, str], name: str) -> str | None:
    """The stripped value; None when the variable is absent or empty."""
    value = (environ.get(name) or "").strip()
    return value or None


def text(environ: Mapping[str, str], name: str, default):
    """Any text, stripped of surrounding spaces."""
    value = raw(environ, name)
    return default if value is None else value


def secret(environ: Mapping[str, str], name: str) -> str | None:
    """A password, key or token: kept exactly as written (spaces count); None when absent or empty."""
    return environ.get(name) or None


def secret_or_file(environ: Mapping[str, str], name: str) -> str | None:
    """A secret written in `name`, or else read from the file named in `name`_FILE (without its final
    line break); None when neither is set. The file's content is never shown."""
    value = secret(environ, name)
    file_name = raw(environ, f"{name}_FILE")
    if value is not None or file_name is None:
        return value
    try:
        content = Path(file_name).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SettingError(f"{name}_FILE must name a readable UTF-8 file ({type(exc).__name__})") from None
    return content.removesuffix("\n").removesuffix("\r") or None


def integer(environ: Mapping[str, str], name: str, default: int, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
    """A whole number, within [minimum, maximum] where they are given."""
    value = raw(environ, name)
    if value is None:
        return default
    if minimum is not None and maximum is not None:
        accepts = f"a whole number from {minimum} to {maximum}"
    elif minimum is not None:
        accepts = f"a whole number, at least {minimum}"
    else:
        accepts = "a whole number"
    try:
        parsed = int(value)
    except ValueError:
        raise SettingError(f"{name} must be {accepts}, not {value!r}") from None
    if (minimum is not None and parsed < minimum) or (maximum is not None and parsed > maximum):
        raise SettingError(f"{name} must be {accepts}, not {value!r}")
    return parsed


def port(environ: Mapping[str, str], name: str, default: int) -> int:
    """A TCP port number."""
    return integer(environ, name, default, minimum=1, maximum=65535)


def seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    """A duration in seconds: a finite decimal number greater than 0 (`0.5`, `30`)."""
    value = raw(environ, name)
    if value is None:
        return default
    try:
        parsed = float(value)
    except ValueError:
        parsed = math.nan
    if not math.isfinite(parsed) or parsed <= 0:
        raise SettingError(f"{name} must be a number of seconds greater than 0, not {value!r}")
    return parsed


def boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """on/off, true/false, 1/0 or yes/no, in any case."""
    value = raw(environ, name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise SettingError(f"{name} must be on/off, true/false, 1/0 or yes/no, not {value!r}")


def choice(environ: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, in any case (given back in lower case)."""
    value = raw(environ, name)
    if value is None:
        return default
    if value.lower() not in choices:
        raise SettingError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value.lower()


def path(environ: Mapping[str, str], name: str, default: Path | None) -> Path | None:
    """A file or folder path; `~` stands for the home folder."""
    value = raw(environ, name)
    if value is None:
        return default
    if "\0" in value:
        raise SettingError(f"{name} must be a path, without NUL characters")
    return Path(value).expanduser()


def database_url(environ: Mapping[str, str], name: str, default: str) -> str:
    """A SQLAlchemy database URL; never echoed, as it may hold a password."""
    value = raw(environ, name)
    if value is None:
        return default
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        url = None
    if url is None or url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingError(f"{name} must be a SQLAlchemy URL of SQLite (sqlite:///path/motcua.db) or "
                           f"PostgreSQL (postgresql+psycopg://user:password@host:5432/motcua)")
    return value


def gateway_url(environ: Mapping[str, str], name: str, *,
                hint: str = "use MOTCUA_SMS_TOKEN or MOTCUA_SMS_USER and MOTCUA_SMS_PASSWORD") -> str | None:
    """An http(s) URL without credentials in it; never echoed, as its query string may hold a key."""
    value = raw(environ, name)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise SettingError(f"{name} must be an http:// or https:// URL; this one cannot be read") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SettingError(f"{name} must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise SettingError(f"{name} must not contain credentials; {hint}")
    return value
