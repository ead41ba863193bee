"""What a server refuses to start with in production (MOTCUA_ENV=production)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.auth import verifies
from workflows.models import User, UserRole
from workflows.roles import ADMIN
from workflows.seed import DEMO_PASSWORD
from workflows.settings import DEVELOPMENT_SECRET_KEY, Settings
from workflows.signing.keys import SigningUnavailable, is_demo, load_trust_roots, signer_certificate

MIN_SECRET_KEY_LENGTH = 32


def problems(settings: Settings, session: Session) -> list[str]:
    """Why this configuration and database are not fit for production; empty when they are."""
    found = []
    if settings.secret_key == DEVELOPMENT_SECRET_KEY or len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        found.append(f"MOTCUA_SECRET_KEY is the development default or shorter than {MIN_SECRET_KEY_LENGTH} "
                     "characters; set a long random one "
                     "(python -c 'import secrets; print(secrets.token_hex(32))')")
    demo_users = session.scalars(select(User.username).where(User.demo.is_(True), User.active.is_(True))).all()
    if demo_users:
        found.append(f"demo users are active: {', '.join(demo_users)}; disable them or set their passwords")
    admins = session.scalars(select(User).join(UserRole).where(UserRole.role == ADMIN, User.active.is_(True))).all()
    weak = [u.username for u in admins if verifies(u.password_hash, DEMO_PASSWORD)]
    if weak:
        found.append(f"administrators with the demo password: {', '.join(weak)}")
    return found + signing_problems(settings) + sign_in_problems(settings)


def sign_in_problems(settings: Settings) -> list[str]:
    """Applicants' sign-in (when configured) over HTTPS only: the provider, and the address it sends
    applicants back to."""
    if settings.oidc is None:
        return []
    found = []
    if not settings.oidc.issuer.startswith("https://"):
        found.append("MOTCUA_OIDC_ISSUER must be an https:// address in production")
    if not (settings.public_url or "").startswith("https://"):
        found.append("MOTCUA_PUBLIC_URL must be set to the server's https:// address when applicants sign in "
                     "(MOTCUA_OIDC_ISSUER): the provider sends them back there")
    return found


def signing_problems(settings: Settings) -> list[str]:
    """A demo certificate, or demo trust roots, are refused; no key at all is allowed (results are then
    not issued electronically, and each dossier's history says so)."""
    found = []
    if settings.signing is not None:
        try:
            certificate = signer_certificate(settings.signing)
        except SigningUnavailable as exc:
            found.append(f"the signing key cannot be opened: {exc}")
        else:
            if is_demo(certificate):
                found.append("the signing certificate is a demo one (its subject says DEMO): configure the "
                             "department's certificate (MOTCUA_SIGNING_PKCS12 or MOTCUA_SIGNING_PKCS11_MODULE)")
    try:
        demo_roots = [root for root in load_trust_roots(settings.trust_roots) if is_demo(root)]
    except SigningUnavailable as exc:
        found.append(str(exc))
    else:
        if demo_roots:
            found.append("MOTCUA_SIGNING_TRUST_ROOTS holds a demo certificate authority; trust only real ones")
    return found
