"""The tests' own PKI, made with `cryptography` once per run: a root CA, the department's signer
(document signing: digital signature and non-repudiation) as a PKCS#12 file, a timestamp authority
served over HTTP on the loopback by pyHanko's DummyTimeStamper (RFC 3161), and a second, untrusted
root with a signer of its own."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder

from workflows.settings import SigningConfig
from workflows.signing.demo import DOCUMENT_SIGNING, key_usage

AGENCY = "Sở Giáo dục và Đào tạo tỉnh Thử nghiệm"
PASSWORD = "mật khẩu thử"


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, key, issuer_key, *, ca: bool, eku=None):
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(key_usage(certificate_signing=ca), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if eku:  # a timestamping certificate's EKU is critical and only timeStamping (RFC 3161)
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku),
                                        critical=eku == [ExtendedKeyUsageOID.TIME_STAMPING])
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@dataclass(frozen=True)
class Pki:
    folder: Path
    root_pem: Path
    signer_p12: Path
    password_file: Path
    signer_key_der: bytes  # PKCS#1 DER, for a token
    signer_cert_der: bytes
    tsa_cert: Path
    tsa_key: Path
    untrusted_p12: Path

    def config(self, tsa_url: str | None = None, **overrides) -> SigningConfig:
        return SigningConfig(pkcs12=self.signer_p12, pkcs12_password_file=self.password_file, tsa_url=tsa_url,
                             **overrides)


def make_pki(folder: Path) -> Pki:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("MotCua Test Root CA", "MotCua Test PKI")
    root = _certificate(root_name, root_name, root_key, root_key, ca=True)
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = _certificate(_name(AGENCY, AGENCY), root_name, signer_key, root_key, ca=False,
                          eku=[DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION])
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = _certificate(_name("MotCua Test TSA", "MotCua Test PKI"), root_name, tsa_key, root_key, ca=False,
                       eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_name = _name("Untrusted Root", "Nobody")
    other_signer = _certificate(_name(AGENCY, AGENCY), other_name, signer_key, other_key, ca=False,
                                eku=[DOCUMENT_SIGNING])
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    return Pki(
        folder=folder,
        root_pem=_pem(folder / "root.pem", root.public_bytes(serialization.Encoding.PEM)),
        signer_p12=_pem(folder / "signer.p12", pkcs12.serialize_key_and_certificates(
            b"signer", signer_key, signer, [root], encryption)),
        password_file=_pem(folder / "signer.password", PASSWORD.encode() + b"\n"),
        signer_key_der=signer_key.private_bytes(serialization.Encoding.DER,
                                                serialization.PrivateFormat.TraditionalOpenSSL,
                                                serialization.NoEncryption()),
        signer_cert_der=signer.public_bytes(serialization.Encoding.DER),
        tsa_cert=_pem(folder / "tsa.pem", tsa.public_bytes(serialization.Encoding.PEM)),
        tsa_key=_pem(folder / "tsa.key", tsa_key.private_bytes(serialization.Encoding.PEM,
                                                                serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption())),
        untrusted_p12=_pem(folder / "untrusted.p12", pkcs12.serialize_key_and_certificates(
            b"untrusted", signer_key, other_signer, [], encryption)),
    )


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def tsa(pki) -> str:
    """The URL of an RFC 3161 timestamp server on 127.0.0.1, signing with the test PKI's TSA key."""
    from pyhanko.sign import timestamps

    backend = timestamps.DummyTimeStamper(tsa_cert=load_cert_from_pemder(str(pki.tsa_cert)),
                                          tsa_key=load_private_key_from_pemder(str(pki.tsa_key), passphrase=None))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = backend.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tsa"
    server.shutdown()
    server.server_close()
