"""Signing without a database: the stamp's font and time, what validation says of files that are
not signed results, the demo certificate, and the signing settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import weasyprint
from fontTools.ttLib import TTFont

from tests.signing_checks import byte_flipped, pyhanko_status
from workflows.settings import SettingError, SigningConfig, read
from workflows.signing import demo, keys, pades
from workflows.signing.stamp_font import at_thousand_units

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def unsigned() -> bytes:
    return weasyprint.HTML(string="<p>Kết quả giải quyết thủ tục hành chính</p>").write_pdf()


@pytest.mark.skipif(not DEJAVU.is_file(), reason="Debian's DejaVu fonts are not installed")
def test_a_font_of_2048_units_per_em_is_rescaled_once_into_the_cache(tmp_path):
    assert TTFont(DEJAVU)["head"].unitsPerEm == 2048

    rescaled = at_thousand_units(DEJAVU, tmp_path)

    assert rescaled.parent == tmp_path and TTFont(rescaled)["head"].unitsPerEm == 1000
    made = rescaled.stat().st_mtime_ns
    assert at_thousand_units(DEJAVU, tmp_path) == rescaled and rescaled.stat().st_mtime_ns == made
    assert at_thousand_units(rescaled, tmp_path / "elsewhere") == rescaled  # already 1000: used as it is


def test_the_stamp_shows_the_time_in_the_calendars_zone_with_its_offset():
    moment = dt.datetime(2026, 12, 5, 19, 5, 9, tzinfo=dt.timezone.utc).astimezone(VN)
    assert pades.stamp_time(moment) == "06/12/2026 02:05:09 +07:00"


def test_validation_tells_an_unsigned_pdf_and_a_file_that_is_no_pdf(pki):
    roots = keys.load_trust_roots(pki.root_pem)
    assert pades.validate(unsigned(), roots).problem == "Tệp không có chữ ký số."
    assert pades.validate(b"not a pdf at all", roots).problem == "Tệp không đọc được như một văn bản PDF."


def test_a_timestamped_signature_validates_and_a_flipped_byte_breaks_it(pki, tsa, tmp_path):
    signed = pades.sign_pdf(unsigned(), pki.config(tsa), signed_at=dt.datetime.now(VN), reason="Thử",
                            font_cache=tmp_path)
    roots = keys.load_trust_roots(pki.root_pem)

    verdict = pades.validate(signed, roots)
    assert verdict.valid and verdict.timestamp_time is not None and verdict.summary.startswith("INTACT:TRUSTED")
    assert pyhanko_status(signed, pki.root_pem).bottom_line is True
    broken = pades.validate(byte_flipped(signed), roots)
    assert (broken.valid, broken.intact) == (False, False)
    assert pades.validate(signed, []).problem.startswith("Chứng thư số của người ký không")


def test_an_unreachable_timestamp_server_fails_the_signing(pki, tmp_path):
    with pytest.raises(pades.SigningFailed):
        pades.sign_pdf(unsigned(), pki.config("http://127.0.0.1:9/tsa", tsa_timeout=2), signed_at=dt.datetime.now(VN),
                       reason="Thử", font_cache=tmp_path)


def test_a_wrong_pkcs12_password_is_a_clear_error(pki, tmp_path):
    with pytest.raises(keys.SigningUnavailable, match="cannot be opened"):
        keys.signer_certificate(SigningConfig(pkcs12=pki.signer_p12, pkcs12_password="sai"))
    with pytest.raises(keys.SigningUnavailable, match="cannot be read"):
        keys.signer_certificate(SigningConfig(pkcs12=tmp_path / "missing.p12", pkcs12_password="x"))


def test_the_demo_certificate_says_demo_and_is_made_once(tmp_path):
    files, made = demo.make_demo_certificate(tmp_path)
    again, made_again = demo.make_demo_certificate(tmp_path)

    assert (made, made_again, again) == (True, False, files)
    certificate = keys.signer_certificate(SigningConfig(pkcs12=files.pkcs12, pkcs12_password_file=files.password_file))
    assert keys.is_demo(certificate) and "không có giá trị pháp lý" in certificate.subject.human_friendly
    assert all(keys.is_demo(root) for root in keys.load_trust_roots(files.trust_root))


def test_the_test_pki_is_not_taken_for_a_demo(pki):
    assert not keys.is_demo(keys.signer_certificate(pki.config()))


# --- the settings -------------------------------------------------------------------------------

def test_the_signing_settings_are_read_with_their_secrets_hidden(pki):
    found = read({"MOTCUA_SIGNING_PKCS12": str(pki.signer_p12), "MOTCUA_SIGNING_PKCS12_PASSWORD": "bí mật",
                  "MOTCUA_SIGNING_TRUST_ROOTS": str(pki.root_pem), "MOTCUA_TSA_URL": "https://tsa.example.vn/tsr",
                  "MOTCUA_TSA_USER": "motcua", "MOTCUA_TSA_PASSWORD": "mật khẩu", "MOTCUA_TSA_TIMEOUT": "7"})

    assert found.signing == SigningConfig(pkcs12=pki.signer_p12, pkcs12_password="bí mật",
                                          tsa_url="https://tsa.example.vn/tsr", tsa_username="motcua",
                                          tsa_password="mật khẩu", tsa_timeout=7.0)
    assert found.trust_roots == pki.root_pem
    assert "bí mật" not in repr(found) and "mật khẩu" not in repr(found)
    assert read({}).signing is None


@pytest.mark.parametrize(("environ", "variable"), [
    ({"MOTCUA_SIGNING_PKCS12": "a.p12", "MOTCUA_SIGNING_PKCS11_MODULE": "m.so"}, "MOTCUA_SIGNING_PKCS11_MODULE"),
    ({"MOTCUA_SIGNING_PKCS12": "a.p12"}, "MOTCUA_SIGNING_TRUST_ROOTS"),
    ({"MOTCUA_SIGNING_PKCS11_MODULE": "m.so", "MOTCUA_SIGNING_TRUST_ROOTS": "r.pem"}, "MOTCUA_SIGNING_PKCS11_TOKEN"),
    ({"MOTCUA_SIGNING_PKCS12": "a.p12", "MOTCUA_SIGNING_TRUST_ROOTS": "r.pem", "MOTCUA_SIGNING_PKCS12_PASSWORD": "x",
      "MOTCUA_SIGNING_PKCS12_PASSWORD_FILE": "p"}, "MOTCUA_SIGNING_PKCS12_PASSWORD_FILE"),
    ({"MOTCUA_SIGNING_PKCS12": "a.p12", "MOTCUA_SIGNING_TRUST_ROOTS": "r.pem",
      "MOTCUA_TSA_URL": "https://user:pw@tsa.example.vn"}, "MOTCUA_TSA_USER"),
    ({"MOTCUA_SIGNING_PKCS12": "a.p12", "MOTCUA_SIGNING_TRUST_ROOTS": "r.pem", "MOTCUA_TSA_URL": "ftp://tsa"},
     "MOTCUA_TSA_URL"),
])
def test_unusable_signing_settings_stop_the_start_naming_the_variable(environ, variable):
    with pytest.raises(SettingError, match=variable) as caught:
        read(environ)
    assert "pw@" not in str(caught.value)


def test_signing_and_validating_work_where_an_event_loop_is_running(pki, tsa, tmp_path):
    import asyncio

    def sign_and_validate() -> pades.Verdict:
        signed = pades.sign_pdf(unsigned(), pki.config(tsa), signed_at=dt.datetime.now(VN), reason="Thử",
                                font_cache=tmp_path)
        return pades.validate(signed, keys.load_trust_roots(pki.root_pem))

    async def inside_a_loop() -> pades.Verdict:
        return sign_and_validate()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        verdict = asyncio.run(inside_a_loop())
    else:  # one runs here already (the browser tests' in this process)
        verdict = sign_and_validate()
    assert verdict.valid and verdict.timestamp_time is not None
