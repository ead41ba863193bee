"""Every setting of MotCua, read from the environment in this module and nowhere else.

`from_env()` reads them once, at start-up; a value that cannot be used stops the start with a
message naming the variable and what it accepts (never echoing a password, token or URL that may
hold one). Each variable goes through the one parser of its type (workflows.setting_parsers):
`integer` (and `port`), `seconds`, `boolean`, `text`, `secret` (and `secret_or_file`), `path`, `choice`,
`database_url`, `gateway_url`. An absent or empty variable takes its default. Code that needs a
setting gets the `Settings` (the app factory keeps it in `app.config["MOTCUA"]`); tests build
`Settings(...)` directly or call `read({...})`.

The README's "Configuration" section lists the same variables; keep them in step.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from workflows.setting_parsers import (
    SettingError,
    boolean,
    choice,
    database_url,
    gateway_url,
    integer,
    is_header_token,
    path,
    port,
    raw,
    seconds,
    secret,
    secret_or_file,
    text,
    url_for_messages,
)

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105 - refused in production
ENVIRONMENTS = ("development", "production")
CHECKOUT = Path(__file__).resolve().parents[1]



# ---------------------------------------------------------------------------------------------
# The notification channels' settings


@dataclass(frozen=True)
class EmailConfig:
    """How to reach the SMTP server. `use_ssl` (implicit TLS) wins over `starttls`."""

    host: str
    port: int = 25
    sender: str = "motcua@localhost"
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never shown
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class SmsConfig:
    """How to reach the SMS gateway (its protocol: docs/sms-gateway.md)."""

    url: str
    token: str | None = field(default=None, repr=False)  # never shown
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never shown
    sender: str = ""
    timeout: float = 10.0

    def __repr__(self) -> str:
        """Without the token, the password or a key in the URL's query string."""
        return (f"SmsConfig(url={url_for_messages(self.url)!r}, username={self.username!r}, "
                f"sender={self.sender!r}, timeout={self.timeout!r})")


LGSP_MODES = ("none", "static", "client-credentials")


@dataclass(frozen=True)
class PortalConfig:
    """How to reach the National Public Service Portal's integration services, directly or through the
    province's LGSP (docs/integrations.md). `lgsp_mode`: none; static (`lgspaccesstoken` header);
    client-credentials (that header buys a bearer token at `lgsp_token_url`)."""

    url: str
    login_url: str
    username: str
    password: str = field(repr=False)  # never shown
    agency_code: str  # madonvi
    dstcode: str = ""
    lgsp_mode: str = "none"
    lgsp_access_token: str | None = field(default=None, repr=False)  # never shown
    lgsp_token_url: str | None = None
    timeout: float = 30.0
    session_seconds: float = 600.0

    def __repr__(self) -> str:
        """Without the password, the LGSP token or a key in a URL's query string."""
        return (f"PortalConfig(url={url_for_messages(self.url)!r}, login_url={url_for_messages(self.login_url)!r}, "
                f"username={self.username!r}, agency_code={self.agency_code!r}, lgsp_mode={self.lgsp_mode!r})")


@dataclass(frozen=True)
class PaymentConfig:
    """How to reach the payment platform (docs/integrations.md, "Online fee payment"): its create-order
    endpoint `url`, the merchant code it gave the department and the secret both sign with."""

    url: str
    merchant_code: str
    secret: str = field(repr=False)  # never shown
    timeout: float = 15.0

    def __repr__(self) -> str:
        """Without the secret or a key in the URL's query string."""
        return f"PaymentConfig(url={url_for_messages(self.url)!r}, merchant_code={self.merchant_code!r})"


@dataclass(frozen=True)
class ChannelConfig:
    """The configured channels; a channel set to None is not available."""

    email: EmailConfig | None = None
    sms: SmsConfig | None = None


@dataclass(frozen=True)
class SigningConfig:
    """The department's signing key: a PKCS#12 file or a PKCS#11 token (one of the two), and the RFC 3161
    timestamp server. Passwords and PINs come from the environment or a file, never the database."""

    pkcs12: Path | None = None
    pkcs12_password: str | None = field(default=None, repr=False)  # never shown
    pkcs12_password_file: Path | None = None
    pkcs11_module: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    pkcs11_cert: str | None = None
    pkcs11_pin: str | None = field(default=None, repr=False)  # never shown
    pkcs11_pin_file: Path | None = None
    tsa_url: str | None = None
    tsa_username: str | None = None
    tsa_password: str | None = field(default=None, repr=False)  # never shown
    tsa_timeout: float = 10.0


@dataclass(frozen=True)
class OidcConfig:
    """Applicants' sign-in through OpenID Connect (VNeID through the national portal's single sign-on;
    docs/integrations.md). The ID number and the name are read from the first of their claims present."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # never shown
    scope: str = "openid"
    id_number_claims: tuple[str, ...] = ("citizen_id", "so_dinh_danh", "sub")
    name_claims: tuple[str, ...] = ("name", "ho_va_ten", "full_name")
    session_minutes: int = 60  # how long an applicant stays signed in
    timeout: float = 10.0


# ---------------------------------------------------------------------------------------------
# All settings


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    threads: int = 8  # per worker (gunicorn gthread): requests one worker serves at once
    token_ttl_minutes: int = 480
    dossier_prefix: str = "SGDDT"
    scheduler_enabled: bool = True
    timer_poll_seconds: float = 30.0
    max_upload_bytes: int = 5 * 1024 * 1024
    max_attachment_bytes: int = 20 * 1024 * 1024
    outbox_poll_seconds: float = 5.0
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto are believed
    channels: ChannelConfig = field(default_factory=ChannelConfig)
    portal: PortalConfig | None = None  # None: no synchronisation with the national portal
    payment: PaymentConfig | None = None  # None: no online payment (fees are paid at the desk)
    font_cache: Path | None = None  # where the PDF forms' font is prepared; None: the temporary directory
    node_modules: Path = CHECKOUT / "node_modules"  # the web pages' npm packages
    signing: SigningConfig | None = None  # None: results are not issued electronically
    trust_roots: Path | None = None  # the CA certificates (PEM) signatures are validated against
    oidc: OidcConfig | None = None  # None: applicants do not sign in (no sign-in button)
    public_url: str | None = None  # the address applicants reach the server at (the sign-in's redirect URI)

    def with_overrides(self, **overrides) -> Settings:
        return replace(self, **overrides)


def from_env() -> Settings:
    """The settings from this process's environment; SystemExit with the reason if one is unusable."""
    try:
        return read(os.environ)
    except SettingError as exc:
        raise SystemExit(f"MotCua will not start: {exc}") from None


def read(environ: Mapping[str, str]) -> Settings:
    """The settings from `environ`; SettingError naming the first variable that cannot be used."""
    data_dir = path(environ, "MOTCUA_DATA_DIR", Path("var")).resolve()
    return Settings(
        env=choice(environ, "MOTCUA_ENV", "development", ENVIRONMENTS),
        secret_key=secret(environ, "MOTCUA_SECRET_KEY") or DEVELOPMENT_SECRET_KEY,
        data_dir=data_dir,
        database_url=database_url(environ, "MOTCUA_DATABASE_URL", f"sqlite:///{data_dir / 'motcua.db'}"),
        host=text(environ, "MOTCUA_HOST", "127.0.0.1"),
        port=port(environ, "PORT", 5000),
        workers=integer(environ, "MOTCUA_WORKERS", 1, minimum=1),
        threads=integer(environ, "MOTCUA_THREADS", 8, minimum=1),
        token_ttl_minutes=integer(environ, "MOTCUA_TOKEN_TTL_MINUTES", 480, minimum=1),
        dossier_prefix=text(environ, "MOTCUA_DOSSIER_PREFIX", "SGDDT"),
        scheduler_enabled=boolean(environ, "MOTCUA_SCHEDULER", True),
        timer_poll_seconds=seconds(environ, "MOTCUA_TIMER_POLL_SECONDS", 30.0),
        max_upload_bytes=integer(environ, "MOTCUA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1),
        max_attachment_bytes=integer(environ, "MOTCUA_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024, minimum=1),
        outbox_poll_seconds=seconds(environ, "MOTCUA_OUTBOX_POLL_SECONDS", 5.0),
        trusted_proxies=integer(environ, "MOTCUA_TRUSTED_PROXIES", 0, minimum=0),
        channels=channel_config(environ),
        portal=portal_config(environ),
        payment=payment_config(environ),
        font_cache=path(environ, "MOTCUA_FONT_CACHE", _user_cache(environ) / "motcua" / "fonts"),
        node_modules=path(environ, "MOTCUA_NODE_MODULES", CHECKOUT / "node_modules"),
        signing=signing_config(environ),
        trust_roots=path(environ, "MOTCUA_SIGNING_TRUST_ROOTS", None),
        oidc=oidc_config(environ),
        public_url=_public_url(environ),
    )


def _user_cache(environ: Mapping[str, str]) -> Path:
    """The user's cache directory: XDG_CACHE_HOME, else ~/.cache (the temporary directory for a user
    without a home)."""
    try:
        return path(environ, "XDG_CACHE_HOME", Path("~/.cache")).expanduser()
    except RuntimeError:
        return Path(tempfile.gettempdir())


# ---------------------------------------------------------------------------------------------
# The channels' settings from MOTCUA_SMTP_* and MOTCUA_SMS_*


def channel_config(environ: Mapping[str, str]) -> ChannelConfig:
    """The email and SMS settings. A channel whose MOTCUA_SMTP_HOST or MOTCUA_SMS_URL is absent or
    empty is left unconfigured (its messages wait in the outbox)."""
    return ChannelConfig(email=email_config(environ), sms=sms_config(environ))


def email_config(environ: Mapping[str, str]) -> EmailConfig | None:
    """The SMTP settings, or None when MOTCUA_SMTP_HOST is not set."""
    host = text(environ, "MOTCUA_SMTP_HOST", None)
    if host is None:
        return None
    sender = text(environ, "MOTCUA_SMTP_FROM", EmailConfig.sender)
    if "@" not in parseaddr(sender)[1]:
        raise SettingError(f"MOTCUA_SMTP_FROM must be an email address, optionally with a name "
                           f"('Một cửa <motcua@example.vn>'), not {sender!r}")
    starttls = boolean(environ, "MOTCUA_SMTP_STARTTLS", False)
    use_ssl = boolean(environ, "MOTCUA_SMTP_SSL", False)
    if starttls and use_ssl:
        raise SettingError("MOTCUA_SMTP_STARTTLS and MOTCUA_SMTP_SSL cannot both be on; choose one")
    return EmailConfig(
        host=host,
        port=port(environ, "MOTCUA_SMTP_PORT", EmailConfig.port),
        sender=sender,
        username=text(environ, "MOTCUA_SMTP_USER", None),
        password=secret(environ, "MOTCUA_SMTP_PASSWORD"),
        starttls=starttls,
        use_ssl=use_ssl,
        timeout=seconds(environ, "MOTCUA_SMTP_TIMEOUT", EmailConfig.timeout),
    )


def sms_config(environ: Mapping[str, str]) -> SmsConfig | None:
    """The SMS gateway settings, or None when MOTCUA_SMS_URL is not set."""
    url = gateway_url(environ, "MOTCUA_SMS_URL")
    if url is None:
        return None
    token = secret(environ, "MOTCUA_SMS_TOKEN")
    if token is not None and not is_header_token(token):
        raise SettingError("MOTCUA_SMS_TOKEN must be visible ASCII characters without spaces")
    return SmsConfig(
        url=url,
        token=token,
        username=text(environ, "MOTCUA_SMS_USER", None),
        password=secret(environ, "MOTCUA_SMS_PASSWORD"),
        sender=text(environ, "MOTCUA_SMS_SENDER", SmsConfig.sender),
        timeout=seconds(environ, "MOTCUA_SMS_TIMEOUT", SmsConfig.timeout),
    )


def portal_config(environ: Mapping[str, str]) -> PortalConfig | None:
    """The national portal's settings, or None (no synchronisation) when MOTCUA_PORTAL_URL is not set."""
    hint = "use MOTCUA_PORTAL_USERNAME and MOTCUA_PORTAL_PASSWORD"
    url = gateway_url(environ, "MOTCUA_PORTAL_URL", hint=hint)
    if url is None:
        return None
    needed = {"login_url": gateway_url(environ, "MOTCUA_PORTAL_LOGIN_URL", hint=hint),
              "username": text(environ, "MOTCUA_PORTAL_USERNAME", None),
              "password": secret_or_file(environ, "MOTCUA_PORTAL_PASSWORD"),
              "agency_code": text(environ, "MOTCUA_PORTAL_AGENCY_CODE", None)}
    for key, value in needed.items():
        if value is None:
            raise SettingError(f"MOTCUA_PORTAL_{key.upper()} must be set when MOTCUA_PORTAL_URL is")
    dstcode = text(environ, "MOTCUA_PORTAL_DSTCODE", "")
    mode = choice(environ, "MOTCUA_LGSP_MODE", "none", LGSP_MODES)
    token = secret_or_file(environ, "MOTCUA_LGSP_ACCESS_TOKEN")
    token_url = gateway_url(environ, "MOTCUA_LGSP_TOKEN_URL", hint="use MOTCUA_LGSP_ACCESS_TOKEN")
    for name, value in (("MOTCUA_PORTAL_DSTCODE", dstcode), ("MOTCUA_LGSP_ACCESS_TOKEN", token)):
        if value and not is_header_token(value):
            raise SettingError(f"{name} must be visible ASCII characters without spaces")
    if mode != "none" and token is None:
        raise SettingError(f"MOTCUA_LGSP_ACCESS_TOKEN must be set when MOTCUA_LGSP_MODE is {mode}")
    if mode == "client-credentials" and token_url is None:
        raise SettingError("MOTCUA_LGSP_TOKEN_URL must be set when MOTCUA_LGSP_MODE is client-credentials")
    return PortalConfig(url=url, **needed, dstcode=dstcode, lgsp_mode=mode, lgsp_access_token=token,
                        lgsp_token_url=token_url,
                        timeout=seconds(environ, "MOTCUA_PORTAL_TIMEOUT", PortalConfig.timeout),
                        session_seconds=seconds(environ, "MOTCUA_PORTAL_SESSION_SECONDS", PortalConfig.session_seconds))


def oidc_config(environ: Mapping[str, str]) -> OidcConfig | None:
    """Applicants' sign-in, or None (no sign-in offered) when MOTCUA_OIDC_ISSUER is not set."""
    issuer = gateway_url(environ, "MOTCUA_OIDC_ISSUER", hint="use MOTCUA_OIDC_CLIENT_ID and MOTCUA_OIDC_CLIENT_SECRET")
    if issuer is None:
        return None
    client_id = text(environ, "MOTCUA_OIDC_CLIENT_ID", None)
    client_secret = secret_or_file(environ, "MOTCUA_OIDC_CLIENT_SECRET")
    for name, value in (("MOTCUA_OIDC_CLIENT_ID", client_id), ("MOTCUA_OIDC_CLIENT_SECRET", client_secret)):
        if value is None:
            raise SettingError(f"{name} must be set when MOTCUA_OIDC_ISSUER is")
    scope = text(environ, "MOTCUA_OIDC_SCOPE", OidcConfig.scope)
    if "openid" not in scope.split():
        raise SettingError("MOTCUA_OIDC_SCOPE must include openid (space-separated scopes)")
    return OidcConfig(
        issuer=issuer, client_id=client_id, client_secret=client_secret, scope=scope,
        id_number_claims=_claim_names(environ, "MOTCUA_OIDC_ID_NUMBER_CLAIMS", OidcConfig.id_number_claims),
        name_claims=_claim_names(environ, "MOTCUA_OIDC_NAME_CLAIMS", OidcConfig.name_claims),
        session_minutes=integer(environ, "MOTCUA_APPLICANT_SESSION_MINUTES", OidcConfig.session_minutes,
                                minimum=5, maximum=24 * 60),
        timeout=seconds(environ, "MOTCUA_OIDC_TIMEOUT", OidcConfig.timeout),
    )


def _claim_names(environ: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text(environ, name, "").split(",") if part.strip())
    if any(not is_header_token(part) for part in names):
        raise SettingError(f"{name} is a comma-separated list of claim names (no spaces inside a name)")
    return names or default


def _public_url(environ: Mapping[str, str]) -> str | None:
    url = gateway_url(environ, "MOTCUA_PUBLIC_URL", hint="it is the address applicants open")
    if url is not None and (urlsplit(url).query or urlsplit(url).fragment):
        raise SettingError("MOTCUA_PUBLIC_URL must be the server's base address, without a query or fragment")
    return url.rstrip("/") if url else None


def payment_config(environ: Mapping[str, str]) -> PaymentConfig | None:
    """The payment platform's settings, or None (fees paid at the desk) when MOTCUA_PAYMENT_URL is not set."""
    url = gateway_url(environ, "MOTCUA_PAYMENT_URL", hint="use MOTCUA_PAYMENT_MERCHANT_CODE and MOTCUA_PAYMENT_SECRET")
    if url is None:
        return None
    merchant = text(environ, "MOTCUA_PAYMENT_MERCHANT_CODE", None)
    key = secret_or_file(environ, "MOTCUA_PAYMENT_SECRET")
    if merchant is None or key is None:
        raise SettingError("MOTCUA_PAYMENT_MERCHANT_CODE and MOTCUA_PAYMENT_SECRET must be set when "
                           "MOTCUA_PAYMENT_URL is")
    if not merchant.isalnum() or len(merchant) > 20:
        raise SettingError("MOTCUA_PAYMENT_MERCHANT_CODE must be the merchant code the payment platform gave "
                           "(letters and digits, at most 20)")
    return PaymentConfig(url=url, merchant_code=merchant, secret=key,
                         timeout=seconds(environ, "MOTCUA_PAYMENT_TIMEOUT", PaymentConfig.timeout))


def signing_config(environ: Mapping[str, str]) -> SigningConfig | None:
    """The signing key and timestamp server, or None when neither MOTCUA_SIGNING_PKCS12 nor
    MOTCUA_SIGNING_PKCS11_MODULE is set."""
    pkcs12, module = path(environ, "MOTCUA_SIGNING_PKCS12", None), path(environ, "MOTCUA_SIGNING_PKCS11_MODULE", None)
    if pkcs12 is None and module is None:
        return None
    if pkcs12 is not None and module is not None:
        raise SettingError("MOTCUA_SIGNING_PKCS12 and MOTCUA_SIGNING_PKCS11_MODULE cannot both be set; choose one")
    if not raw(environ, "MOTCUA_SIGNING_TRUST_ROOTS"):
        raise SettingError("MOTCUA_SIGNING_TRUST_ROOTS must name the CA certificates (a PEM file or a folder of "
                           "them) that signed results are validated against")
    for secret_name in ("MOTCUA_SIGNING_PKCS12_PASSWORD", "MOTCUA_SIGNING_PKCS11_PIN"):
        if secret(environ, secret_name) and raw(environ, secret_name + "_FILE"):
            raise SettingError(f"{secret_name} and {secret_name}_FILE cannot both be set; choose one")
    if module is not None and not (raw(environ, "MOTCUA_SIGNING_PKCS11_TOKEN") and
                                   raw(environ, "MOTCUA_SIGNING_PKCS11_KEY")):
        raise SettingError("MOTCUA_SIGNING_PKCS11_TOKEN and MOTCUA_SIGNING_PKCS11_KEY (the token's and the key's "
                           "labels) are needed with MOTCUA_SIGNING_PKCS11_MODULE")
    return SigningConfig(
        pkcs12=pkcs12,
        pkcs12_password=secret(environ, "MOTCUA_SIGNING_PKCS12_PASSWORD"),
        pkcs12_password_file=path(environ, "MOTCUA_SIGNING_PKCS12_PASSWORD_FILE", None),
        pkcs11_module=module,
        pkcs11_token=text(environ, "MOTCUA_SIGNING_PKCS11_TOKEN", None),
        pkcs11_key=text(environ, "MOTCUA_SIGNING_PKCS11_KEY", None),
        pkcs11_cert=text(environ, "MOTCUA_SIGNING_PKCS11_CERT", None),
        pkcs11_pin=secret(environ, "MOTCUA_SIGNING_PKCS11_PIN"),
        pkcs11_pin_file=path(environ, "MOTCUA_SIGNING_PKCS11_PIN_FILE", None),
        tsa_url=gateway_url(environ, "MOTCUA_TSA_URL", hint="use MOTCUA_TSA_USER and MOTCUA_TSA_PASSWORD"),
        tsa_username=text(environ, "MOTCUA_TSA_USER", None),
        tsa_password=secret(environ, "MOTCUA_TSA_PASSWORD"),
        tsa_timeout=seconds(environ, "MOTCUA_TSA_TIMEOUT", SigningConfig.tsa_timeout),
    )
