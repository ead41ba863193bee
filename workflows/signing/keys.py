"""The department's signing key, from a PKCS#12 file or a PKCS#11 token, and the trust roots.

The password of the PKCS#12 file and the token's PIN come from the environment or from a file the
administrator names (`SigningConfig`), read when the key is opened; they are never stored in the
database nor written to a log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign import signers

from workflows.settings import SigningConfig

DEMO_MARK = re.compile(r"\bDEMO\b")  # the demo certificate says so in its subject (workflows.signing.demo)
CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer")


class SigningUnavailable(RuntimeError):
    """The signing key cannot be opened (a missing file, a wrong password, an absent token...)."""


@contextmanager
def open_signer(config: SigningConfig) -> Iterator[signers.Signer]:
    """The signer of `config`, open for the duration of the block (a token's session is closed after)."""
    if config.pkcs12 is not None:
        yield _pkcs12_signer(config)
        return
    from pyhanko.config.pkcs11 import TokenCriteria  # python-pkcs11 only where a token is used
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    try:
        session = open_pkcs11_session(str(config.pkcs11_module),
                                      token_criteria=TokenCriteria(label=config.pkcs11_token),
                                      user_pin=_secret(config.pkcs11_pin, config.pkcs11_pin_file, "PIN"))
    except Exception as exc:  # the module raises its own types (PKCS11Error, OSError loading the library...)
        raise SigningUnavailable(f"the PKCS#11 token '{config.pkcs11_token}' cannot be opened with "
                                 f"{config.pkcs11_module}: {type(exc).__name__} {exc}") from None
    try:
        try:
            signer = PKCS11Signer(session, key_label=config.pkcs11_key,
                                  cert_label=config.pkcs11_cert or config.pkcs11_key, other_certs_to_pull=None)
            signer.signing_cert  # noqa: B018 - loads the certificate now, so that a wrong label fails here
        except Exception as exc:
            raise SigningUnavailable(f"the key '{config.pkcs11_key}' of token '{config.pkcs11_token}' cannot be "
                                     f"used: {type(exc).__name__} {exc}") from None
        yield signer
    finally:
        session.close()


def signer_certificate(config: SigningConfig) -> asn1_x509.Certificate:
    """The certificate the signer signs with; SigningUnavailable if the key cannot be opened."""
    with open_signer(config) as signer:
        return signer.signing_cert


def is_demo(certificate: asn1_x509.Certificate) -> bool:
    """Whether the certificate is a demo one: its subject or its issuer says DEMO."""
    return any(DEMO_MARK.search(name.human_friendly) for name in (certificate.subject, certificate.issuer))


def load_trust_roots(location: Path | None) -> list[asn1_x509.Certificate]:
    """The CA certificates of a PEM (or DER) file, or of every .pem/.crt/.cer file in a folder."""
    if location is None:
        return []
    files = sorted(p for p in location.iterdir() if p.suffix.lower() in CERTIFICATE_SUFFIXES) \
        if location.is_dir() else [location]
    roots = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise SigningUnavailable(f"the trust roots cannot be read from {file}: {exc.strerror}") from None
        blocks = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        try:
            roots.extend(asn1_x509.Certificate.load(der) for der in blocks)
        except ValueError:
            raise SigningUnavailable(f"{file} holds something that is not an X.509 certificate") from None
    return roots


def _pkcs12_signer(config: SigningConfig) -> signers.SimpleSigner:
    try:
        data = config.pkcs12.read_bytes()
    except OSError as exc:
        raise SigningUnavailable(f"the PKCS#12 file {config.pkcs12} cannot be read: {exc.strerror}") from None
    password = _secret(config.pkcs12_password, config.pkcs12_password_file, "password")
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, other_certs=[],
                                                     passphrase=password.encode() if password is not None else None)
    except (ValueError, TypeError) as exc:
        raise SigningUnavailable(f"the PKCS#12 file {config.pkcs12} cannot be opened (a wrong password, or not "
                                 f"a PKCS#12 file): {exc}") from None


def _secret(value: str | None, file: Path | None, what: str) -> str | None:
    """A password or PIN given directly, or the first line of the file that holds it."""
    if file is None:
        return value
    try:
        return file.read_text(encoding="utf-8").splitlines()[0] if file.stat().st_size else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SigningUnavailable(f"the {what} file {file} cannot be read: {getattr(exc, 'strerror', exc)}") from None
