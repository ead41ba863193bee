"""What this process signs and validates with, set once at start-up from the Settings (`configure`,
called by the app factory and the scheduler's command), as the forms' font cache is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509

from workflows.settings import SigningConfig
from workflows.signing.keys import load_trust_roots


@dataclass(frozen=True)
class SigningContext:
    signing: SigningConfig | None = None  # None: nothing is signed (results are not issued electronically)
    trust_roots: tuple[asn1_x509.Certificate, ...] = ()
    font_cache: Path | None = None


_context = SigningContext()


def configure(*, signing: SigningConfig | None, trust_roots: Path | None, font_cache: Path | None) -> None:
    """Keep the signing key's settings and load the trust roots (SigningUnavailable if they cannot be read)."""
    global _context
    _context = SigningContext(signing, tuple(load_trust_roots(trust_roots)), font_cache)


def current() -> SigningContext:
    return _context
