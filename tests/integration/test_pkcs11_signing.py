"""The department's key on a PKCS#11 token: SoftHSM2 (Debian's softhsm2, which `make test` installs)
holds the test signer's key and certificate; results are signed through the token's module, with
the PIN from the environment or from a file, and validate with pyHanko."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import weasyprint

from tests.signing_checks import pyhanko_status, text_of
from workflows.settings import SigningConfig, read
from workflows.signing.keys import SigningUnavailable, signer_certificate
from workflows.signing.pades import sign_pdf

SOFTHSM = Path(os.environ.get("MOTCUA_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so"))
TOKEN, PIN, KEY = "motcua-test", "1234", "signer"


@pytest.fixture(scope="module")
def token(pki, tmp_path_factory) -> Path:
    """A SoftHSM2 token with the test signer's key and certificate under the label 'signer'."""
    if not SOFTHSM.is_file():
        pytest.fail(f"{SOFTHSM} is missing: `make test` installs Debian's softhsm2 (apt-get install softhsm2)")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(config)  # read by the module when it is loaded, in this process
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--so-pin", "5678", "--pin", PIN],
                   check=True, capture_output=True)
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    with pkcs11.lib(str(SOFTHSM)).get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        labels = {Attribute.TOKEN: True, Attribute.LABEL: KEY, Attribute.ID: b"\x01"}
        session.create_object({**decode_rsa_private_key(pki.signer_key_der), **labels, Attribute.SIGN: True,
                               Attribute.PRIVATE: True, Attribute.SENSITIVE: True})
        session.create_object({**decode_x509_certificate(pki.signer_cert_der), **labels})
    return SOFTHSM


def unsigned() -> bytes:
    return weasyprint.HTML(string='<p lang="vi">Bản sao điện tử từ bản chính</p>').write_pdf()


def test_a_pdf_signed_on_the_token_validates_with_a_timestamp(token, pki, tsa, tmp_path):
    config = SigningConfig(pkcs11_module=token, pkcs11_token=TOKEN, pkcs11_key=KEY, pkcs11_pin=PIN, tsa_url=tsa)

    signed = sign_pdf(unsigned(), config, signed_at=dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")),
                      reason="Thử", position="top-right", font_cache=tmp_path)

    status = pyhanko_status(signed, pki.root_pem)
    assert status.bottom_line is True and status.timestamp_validity.trusted is True
    assert "Ký bởi: Sở Giáo dục và Đào tạo tỉnh Thử nghiệm" in text_of(signed)


def test_the_pin_may_come_from_a_file_named_in_the_settings(token, pki, tmp_path):
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    settings = read({"MOTCUA_SIGNING_PKCS11_MODULE": str(token), "MOTCUA_SIGNING_PKCS11_TOKEN": TOKEN,
                     "MOTCUA_SIGNING_PKCS11_KEY": KEY, "MOTCUA_SIGNING_PKCS11_PIN_FILE": str(pin_file),
                     "MOTCUA_SIGNING_TRUST_ROOTS": str(pki.root_pem)})

    subject = signer_certificate(settings.signing).subject
    assert subject.native["common_name"] == "Sở Giáo dục và Đào tạo tỉnh Thử nghiệm"


@pytest.mark.parametrize("wrong", [{"pkcs11_pin": "0000"}, {"pkcs11_token": "no-such-token"},
                                   {"pkcs11_key": "no-such-key"}])
def test_a_wrong_pin_token_or_key_label_is_a_clear_error(token, wrong):
    config = SigningConfig(**{"pkcs11_module": token, "pkcs11_token": TOKEN, "pkcs11_key": KEY, "pkcs11_pin": PIN,
                              **wrong})

    with pytest.raises(SigningUnavailable, match="token|key"):
        signer_certificate(config)
