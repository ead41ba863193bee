"""The demo certificate `make run` makes, so that a fresh install issues signed results at once.

A small self-signed CA and a signer certificate it issued, both named DEMO in their subjects (a
production server refuses to start with them: workflows.production), written under the data
folder: the signer's key and certificate as a PKCS#12 file, its password in a file beside it
(readable by the owner only), and the CA's certificate as the trust root.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

# X.509 limits each name to 64 bytes of UTF-8: the warning goes in its own attribute (OU)
DEMO_ORGANISATION = "Sở Giáo dục và Đào tạo (DEMO)"
DEMO_WARNING = "Chứng thư DEMO — không có giá trị pháp lý"
DEMO_ROOT = "MotCua DEMO Root CA"
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning (RFC 9336)
FOLDER = "demo-signing"


@dataclass(frozen=True)
class DemoFiles:
    pkcs12: Path
    password_file: Path
    trust_root: Path


def demo_files(data_dir: Path) -> DemoFiles:
    folder = data_dir / FOLDER
    return DemoFiles(folder / "signer.p12", folder / "signer.password", folder / "root.pem")


def make_demo_certificate(data_dir: Path, *, years: int = 5) -> tuple[DemoFiles, bool]:
    """The demo files under `data_dir`, made unless they all exist already; and whether they were made."""
    files = demo_files(data_dir)
    if all(path.is_file() for path in (files.pkcs12, files.password_file, files.trust_root)):
        return files, False
    files.pkcs12.parent.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(DEMO_ROOT, DEMO_ORGANISATION)
    root = (_builder(root_name, root_name, root_key, now, years=years * 2)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(key_usage(certificate_signing=True), critical=True)
            .sign(root_key, hashes.SHA256()))
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = (_builder(_name(DEMO_ORGANISATION, DEMO_ORGANISATION), root_name, signer_key, now, years=years)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(key_usage(certificate_signing=False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                             critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                             critical=False)
              .sign(root_key, hashes.SHA256()))
    password = secrets.token_urlsafe(24)
    _write(files.password_file, password.encode() + b"\n", private=True)
    _write(files.pkcs12, pkcs12.serialize_key_and_certificates(
        b"motcua-demo", signer_key, signer, [root], serialization.BestAvailableEncryption(password.encode())),
        private=True)
    _write(files.trust_root, root.public_bytes(serialization.Encoding.PEM), private=False)
    return files, True


def key_usage(*, certificate_signing: bool) -> x509.KeyUsage:
    """A CA's (certificates and CRLs) or a document signer's (digital signature, non-repudiation)."""
    return x509.KeyUsage(digital_signature=not certificate_signing, content_commitment=not certificate_signing,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=certificate_signing, crl_sign=certificate_signing,
                         encipher_only=False, decipher_only=False)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_WARNING),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, key, now: dt.datetime, *, years: int) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365 * years))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))


def _write(path: Path, content: bytes, *, private: bool) -> None:
    temporary = path.with_suffix(path.suffix + ".part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.replace(temporary, path)
