"""Every setting is read in workflows/settings.py, each variable by the one parser of its type: a
value it cannot use stops the start with a message that names the variable and what it accepts,
and never shows a password, a token or a URL that may hold one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflows import settings
from workflows.settings import ChannelConfig, EmailConfig, SettingError, Settings, SmsConfig, read

ROOT = Path(__file__).resolve().parents[2]


def rejects(environ: dict, variable: str) -> str:
    """The message of the error `read(environ)` raises; it must name `variable`."""
    with pytest.raises(SettingError, match=variable) as caught:
        read(environ)
    return str(caught.value)


# --- the whole environment ----------------------------------------------------------------------

def test_an_empty_environment_gives_the_documented_defaults(tmp_path):
    found = read({"XDG_CACHE_HOME": str(tmp_path / "cache")})

    data_dir = Path("var").resolve()
    assert found == Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'motcua.db'}",
                             font_cache=tmp_path / "cache" / "motcua" / "fonts", node_modules=ROOT / "node_modules")
    assert found.env == "development" and found.scheduler_enabled is True and found.port == 5000
    assert found.channels == ChannelConfig(email=None, sms=None)


def test_empty_variables_count_as_absent(tmp_path):
    empty = {name: "" for name in ("MOTCUA_ENV", "MOTCUA_SCHEDULER", "PORT", "MOTCUA_WORKERS", "MOTCUA_DATABASE_URL",
                                   "MOTCUA_TIMER_POLL_SECONDS", "MOTCUA_SMTP_HOST", "MOTCUA_SMS_URL")}
    assert read({**empty, "XDG_CACHE_HOME": str(tmp_path)}) == read({"XDG_CACHE_HOME": str(tmp_path)})


def test_the_font_cache_defaults_to_the_users_cache_folder():
    assert read({}).font_cache == Path.home() / ".cache" / "motcua" / "fonts"


def test_every_variable_is_read(tmp_path):
    found = read({
        "MOTCUA_ENV": "Production", "MOTCUA_SECRET_KEY": " k" * 20, "MOTCUA_DATA_DIR": str(tmp_path / "data"),
        "MOTCUA_DATABASE_URL": "postgresql+psycopg://motcua:pw@db:5432/motcua", "MOTCUA_HOST": "0.0.0.0",
        "PORT": "8080", "MOTCUA_WORKERS": "4", "MOTCUA_THREADS": "2", "MOTCUA_TOKEN_TTL_MINUTES": "60",
        "MOTCUA_DOSSIER_PREFIX": "SGDST",
        "MOTCUA_SCHEDULER": "OFF", "MOTCUA_TIMER_POLL_SECONDS": "0.5", "MOTCUA_MAX_UPLOAD_BYTES": "1000",
        "MOTCUA_MAX_ATTACHMENT_BYTES": "2000", "MOTCUA_OUTBOX_POLL_SECONDS": "2.5", "MOTCUA_TRUSTED_PROXIES": "1",
        "MOTCUA_FONT_CACHE": str(tmp_path / "fonts"), "MOTCUA_NODE_MODULES": str(tmp_path / "npm"),
        "MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMS_URL": "https://sms.example.vn/send",
    })

    assert found == Settings(
        env="production", secret_key=" k" * 20, data_dir=tmp_path / "data",
        database_url="postgresql+psycopg://motcua:pw@db:5432/motcua", host="0.0.0.0", port=8080, workers=4,
        threads=2, token_ttl_minutes=60, dossier_prefix="SGDST", scheduler_enabled=False, timer_poll_seconds=0.5,
        max_upload_bytes=1000, max_attachment_bytes=2000, outbox_poll_seconds=2.5, trusted_proxies=1,
        channels=ChannelConfig(email=EmailConfig(host="mail"), sms=SmsConfig(url="https://sms.example.vn/send")),
        font_cache=tmp_path / "fonts", node_modules=tmp_path / "npm")


def test_a_bad_value_stops_the_start_naming_the_variable(monkeypatch):
    monkeypatch.setenv("MOTCUA_WORKERS", "many")
    with pytest.raises(SystemExit, match="MotCua will not start: MOTCUA_WORKERS must be a whole number, at least 1"):
        settings.from_env()


def test_no_other_module_reads_the_environment():
    readers = [str(path.relative_to(ROOT)) for package in ("engine", "workflows", "api")
               for path in (ROOT / package).rglob("*.py")
               if re.search(r"\bos\.(environ|getenv)\b|\bgetenv\(", path.read_text(encoding="utf-8"))]
    assert readers == ["workflows/settings.py"]


# --- booleans: one parser for all ---------------------------------------------------------------

@pytest.mark.parametrize(("written", "meaning"), [
    ("on", True), ("ON", True), ("true", True), ("True", True), ("1", True), ("yes", True), (" Yes ", True),
    ("off", False), ("Off", False), ("false", False), ("FALSE", False), ("0", False), ("no", False), ("NO", False),
])
@pytest.mark.parametrize("variable", ["MOTCUA_SCHEDULER", "MOTCUA_SMTP_SSL", "MOTCUA_SMTP_STARTTLS"])
def test_every_switch_reads_on_off_true_false_1_0_yes_no_in_any_case(variable, written, meaning):
    found = read({"MOTCUA_SMTP_HOST": "mail", variable: written})

    value = {"MOTCUA_SCHEDULER": found.scheduler_enabled, "MOTCUA_SMTP_SSL": found.channels.email.use_ssl,
             "MOTCUA_SMTP_STARTTLS": found.channels.email.starttls}[variable]
    assert value is meaning


@pytest.mark.parametrize("written", ["maybe", "enabled", "2", "-1", "y", "n", "tru", "of"])
@pytest.mark.parametrize("variable", ["MOTCUA_SCHEDULER", "MOTCUA_SMTP_SSL", "MOTCUA_SMTP_STARTTLS"])
def test_any_other_switch_value_is_an_error(variable, written):
    message = rejects({"MOTCUA_SMTP_HOST": "mail", variable: written}, variable)

    assert message == f"{variable} must be on/off, true/false, 1/0 or yes/no, not {written!r}"


def test_switches_have_their_own_defaults():
    found = read({"MOTCUA_SMTP_HOST": "mail"})
    assert found.scheduler_enabled is True
    assert found.channels.email.starttls is False and found.channels.email.use_ssl is False


# --- numbers, choices, paths, URLs -------------------------------------------------------------

@pytest.mark.parametrize(("variable", "written", "accepts"), [
    ("PORT", "http", "a whole number from 1 to 65535"),
    ("PORT", "0", "a whole number from 1 to 65535"),
    ("PORT", "65536", "a whole number from 1 to 65535"),
    ("MOTCUA_WORKERS", "0", "a whole number, at least 1"),
    ("MOTCUA_WORKERS", "2.5", "a whole number, at least 1"),
    ("MOTCUA_THREADS", "0", "a whole number, at least 1"),
    ("MOTCUA_TOKEN_TTL_MINUTES", "-5", "a whole number, at least 1"),
    ("MOTCUA_MAX_UPLOAD_BYTES", "5MB", "a whole number, at least 1"),
    ("MOTCUA_MAX_ATTACHMENT_BYTES", "0", "a whole number, at least 1"),
    ("MOTCUA_TRUSTED_PROXIES", "-1", "a whole number, at least 0"),
    ("MOTCUA_TRUSTED_PROXIES", "one", "a whole number, at least 0"),
    ("MOTCUA_TIMER_POLL_SECONDS", "soon", "a number of seconds greater than 0"),
    ("MOTCUA_TIMER_POLL_SECONDS", "0", "a number of seconds greater than 0"),
    ("MOTCUA_OUTBOX_POLL_SECONDS", "nan", "a number of seconds greater than 0"),
    ("MOTCUA_OUTBOX_POLL_SECONDS", "inf", "a number of seconds greater than 0"),
    ("MOTCUA_ENV", "staging", "one of development, production"),
])
def test_a_number_or_choice_it_cannot_use_is_an_error_saying_what_it_accepts(variable, written, accepts):
    assert rejects({variable: written}, variable) == f"{variable} must be {accepts}, not {written!r}"


def test_whole_numbers_and_seconds_are_read_around_spaces():
    found = read({"PORT": " 8000 ", "MOTCUA_TIMER_POLL_SECONDS": " 1e1 ", "MOTCUA_TRUSTED_PROXIES": "0"})
    assert (found.port, found.timer_poll_seconds, found.trusted_proxies) == (8000, 10.0, 0)


@pytest.mark.parametrize("written", ["var/cases.sqlite3", "mysql://root:hunter2@db/motcua", "postgresql://u:hunter2@db:port/x"])
def test_a_database_url_it_cannot_use_is_an_error_that_does_not_show_it(written):
    message = rejects({"MOTCUA_DATABASE_URL": written}, "MOTCUA_DATABASE_URL")

    assert "SQLite" in message and "PostgreSQL" in message
    assert "hunter2" not in message and written not in message


def test_a_path_with_a_nul_character_is_an_error():
    rejects({"MOTCUA_NODE_MODULES": "/srv/\0motcua"}, "MOTCUA_NODE_MODULES")


def test_paths_may_start_at_the_home_folder():
    assert read({"MOTCUA_FONT_CACHE": "~/fonts"}).font_cache == Path.home() / "fonts"


# --- the notification channels ------------------------------------------------------------------

def test_the_channels_are_read_from_the_environment():
    config = settings.channel_config({
        "MOTCUA_SMTP_HOST": "smtp.sogd.example.vn",
        "MOTCUA_SMTP_PORT": "587",
        "MOTCUA_SMTP_FROM": "Một cửa <motcua@sogd.example.vn>",
        "MOTCUA_SMTP_USER": "motcua",
        "MOTCUA_SMTP_PASSWORD": "s3cret",
        "MOTCUA_SMTP_STARTTLS": "yes",
        "MOTCUA_SMTP_TIMEOUT": "2.5",
        "MOTCUA_SMS_URL": "https://sms.example.vn/api/send",
        "MOTCUA_SMS_TOKEN": "tok",
        "MOTCUA_SMS_SENDER": "SOGDDT",
        "MOTCUA_SMS_TIMEOUT": "4",
    })

    assert config.email == EmailConfig(host="smtp.sogd.example.vn", port=587, sender="Một cửa <motcua@sogd.example.vn>",
                                       username="motcua", password="s3cret", starttls=True, use_ssl=False, timeout=2.5)
    assert config.sms == SmsConfig(url="https://sms.example.vn/api/send", token="tok", sender="SOGDDT", timeout=4.0)
    assert "s3cret" not in repr(config) and "tok'" not in repr(config)
    keyed = SmsConfig(url="https://sms.example.vn/send?key=k3y", password="pa55")
    assert "k3y" not in repr(keyed) and "pa55" not in repr(keyed)


def test_channels_without_a_host_or_url_are_not_configured():
    config = settings.channel_config({"MOTCUA_SMTP_HOST": "", "MOTCUA_SMTP_PORT": "not used"})

    assert config == ChannelConfig(email=None, sms=None)
    assert settings.channel_config({"MOTCUA_SMTP_HOST": "mail"}).email == EmailConfig(host="mail")


def test_passwords_and_tokens_are_kept_as_written():
    config = settings.channel_config({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_PASSWORD": " pass word ",
                                      "MOTCUA_SMS_URL": "https://sms.example.vn/send", "MOTCUA_SMS_PASSWORD": "p "})
    assert config.email.password == " pass word " and config.sms.password == "p "


@pytest.mark.parametrize(("variables", "named"), [
    ({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_PORT": "twenty-five"}, "MOTCUA_SMTP_PORT"),
    ({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_PORT": "70000"}, "MOTCUA_SMTP_PORT"),
    ({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_TIMEOUT": "-1"}, "MOTCUA_SMTP_TIMEOUT"),
    ({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_STARTTLS": "maybe"}, "MOTCUA_SMTP_STARTTLS"),
    ({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_STARTTLS": "1", "MOTCUA_SMTP_SSL": "1"}, "MOTCUA_SMTP_SSL"),
    ({"MOTCUA_SMTP_HOST": "mail", "MOTCUA_SMTP_FROM": "nobody"}, "MOTCUA_SMTP_FROM"),
    ({"MOTCUA_SMS_URL": "ftp://sms.example.vn/send"}, "MOTCUA_SMS_URL"),
    ({"MOTCUA_SMS_URL": "sms.example.vn/send"}, "MOTCUA_SMS_URL"),
    ({"MOTCUA_SMS_URL": "https://sms.example.vn:port/send"}, "MOTCUA_SMS_URL"),
    ({"MOTCUA_SMS_URL": "https://sms.example.vn/send", "MOTCUA_SMS_TIMEOUT": "soon"}, "MOTCUA_SMS_TIMEOUT"),
    ({"MOTCUA_SMS_URL": "https://sms.example.vn/send", "MOTCUA_SMS_TOKEN": "bí mật"}, "MOTCUA_SMS_TOKEN"),
    ({"MOTCUA_SMS_URL": "https://sms.example.vn/send", "MOTCUA_SMS_TOKEN": "a\r\nX-Evil: 1"}, "MOTCUA_SMS_TOKEN"),
])
def test_a_bad_channel_setting_is_rejected_naming_the_variable(variables, named):
    message = rejects(variables, named)

    assert variables.get("MOTCUA_SMS_TOKEN", "\0") not in message


@pytest.mark.parametrize("url", ["https://user:hunter2@sms.example.vn/send", "https://sms.example.vn:hunter2/send"])
def test_a_gateway_url_it_cannot_use_is_rejected_without_being_echoed(url):
    assert "hunter2" not in rejects({"MOTCUA_SMS_URL": url}, "MOTCUA_SMS_URL")
