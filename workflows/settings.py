"""Every setting of MotCua, read from the environment once, each with its default.

The README's "Configuration" section lists the same variables; keep them in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from workflows.channels import ChannelConfig, channel_config_from_env


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        return float(raw) if raw not in (None, "") else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from None


DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105 - refused in production
ENVIRONMENTS = ("development", "production")


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    token_ttl_minutes: int = 480
    dossier_prefix: str = "SGDDT"
    scheduler_enabled: bool = True
    timer_poll_seconds: float = 30.0
    max_upload_bytes: int = 5 * 1024 * 1024
    max_attachment_bytes: int = 20 * 1024 * 1024
    outbox_poll_seconds: float = 5.0
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto are believed
    channels: ChannelConfig = field(default_factory=ChannelConfig)
    extra: dict = field(default_factory=dict)

    def with_overrides(self, **overrides) -> Settings:
        return replace(self, **overrides)


def from_env() -> Settings:
    data_dir = Path(os.environ.get("MOTCUA_DATA_DIR") or "var").resolve()
    env = (os.environ.get("MOTCUA_ENV") or "development").lower()
    if env not in ENVIRONMENTS:
        raise SystemExit(f"MOTCUA_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    return Settings(
        env=env,
        secret_key=os.environ.get("MOTCUA_SECRET_KEY") or DEVELOPMENT_SECRET_KEY,
        data_dir=data_dir,
        database_url=os.environ.get("MOTCUA_DATABASE_URL") or f"sqlite:///{data_dir / 'motcua.db'}",
        host=os.environ.get("MOTCUA_HOST") or "127.0.0.1",
        port=_int("PORT", 5000),
        workers=_int("MOTCUA_WORKERS", 1),
        token_ttl_minutes=_int("MOTCUA_TOKEN_TTL_MINUTES", 480),
        dossier_prefix=os.environ.get("MOTCUA_DOSSIER_PREFIX") or "SGDDT",
        scheduler_enabled=(os.environ.get("MOTCUA_SCHEDULER") or "on").lower() not in ("off", "0", "false", "no"),
        timer_poll_seconds=_float("MOTCUA_TIMER_POLL_SECONDS", 30.0),
        max_upload_bytes=_int("MOTCUA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        max_attachment_bytes=_int("MOTCUA_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024),
        outbox_poll_seconds=_float("MOTCUA_OUTBOX_POLL_SECONDS", 5.0),
        trusted_proxies=_int("MOTCUA_TRUSTED_PROXIES", 0),
        channels=_channels(),
    )


def _channels() -> ChannelConfig:
    try:
        return channel_config_from_env(os.environ)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
