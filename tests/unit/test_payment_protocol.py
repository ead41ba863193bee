"""The payment platform's protocol: what is signed and how, amounts and times as it writes them; and the
settings that turn online payment on (off unless MOTCUA_PAYMENT_URL is set; the secret never shown)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

import pytest

from workflows import payment_protocol as protocol
from workflows.settings import SettingError, read

SECRET = "bí-mật-2026"
FIELDS = {"vnp_TmnCode": "SGDDT001", "vnp_TxnRef": "SGDDT-261207-0001-1", "vnp_Amount": "800000",
          "vnp_OrderInfo": "Le phi ho so SGDDT-261207-0001", "vnp_ResponseCode": "00"}


def test_the_signed_text_is_the_vnp_fields_sorted_and_url_encoded_with_spaces_as_plus():
    text = protocol.signed_text({**FIELDS, "vnp_SecureHash": "x", "vnp_SecureHashType": "HmacSHA512",
                                 "other": "not signed", "vnp_OrderInfo": "Lệ phí hồ sơ 1/2"})
    assert text == ("vnp_Amount=800000&vnp_OrderInfo=L%E1%BB%87+ph%C3%AD+h%E1%BB%93+s%C6%A1+1%2F2&"
                    "vnp_ResponseCode=00&vnp_TmnCode=SGDDT001&vnp_TxnRef=SGDDT-261207-0001-1")


def test_the_checksum_is_the_hmac_sha512_of_the_signed_text_under_the_secret():
    expected = hmac.new(SECRET.encode(), protocol.signed_text(FIELDS).encode(), hashlib.sha512).hexdigest()
    assert protocol.sign(FIELDS, SECRET)["vnp_SecureHash"] == expected and len(expected) == 128


def test_signed_fields_verify_and_any_change_or_another_secret_does_not():
    signed = protocol.sign(FIELDS, SECRET)
    assert protocol.verify(signed, SECRET)
    assert protocol.verify({**signed, "vnp_SecureHash": signed["vnp_SecureHash"].upper()}, SECRET)
    assert not protocol.verify(signed, "another secret")
    for name in FIELDS:
        assert not protocol.verify({**signed, name: signed[name] + "1"}, SECRET), name
    assert not protocol.verify({**signed, "vnp_BankCode": "NCB"}, SECRET)  # a field added
    assert not protocol.verify({k: v for k, v in signed.items() if k != "vnp_SecureHash"}, SECRET)


def test_amounts_are_dong_times_a_hundred_and_a_fraction_of_a_dong_is_no_amount():
    assert protocol.to_amount(8000) == "800000"
    assert protocol.from_amount("800000") == 8000
    assert protocol.from_amount("800050") is None and protocol.from_amount("-100") is None
    assert protocol.from_amount("") is None and protocol.from_amount("8e5") is None


def test_times_are_written_in_vietnam_s_zone():
    moment = datetime(2026, 12, 7, 1, 30, 5, tzinfo=timezone.utc)
    assert protocol.to_time(moment) == "20261207083005"
    assert protocol.from_time("20261207083005") == moment
    assert protocol.from_time("2026-12-07") is None


def test_a_payment_is_paid_only_when_both_codes_say_so():
    assert protocol.paid({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"})
    assert not protocol.paid({"vnp_ResponseCode": "24", "vnp_TransactionStatus": "02"})
    assert not protocol.paid({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "01"})


# --- the settings ----------------------------------------------------------------------------

PAYMENT = {"MOTCUA_PAYMENT_URL": "https://pay.example.gov.vn/paymentv2/orders",
           "MOTCUA_PAYMENT_MERCHANT_CODE": "SGDDT001", "MOTCUA_PAYMENT_SECRET": SECRET}


def test_without_a_url_online_payment_is_off():
    assert read({}).payment is None and read({**PAYMENT, "MOTCUA_PAYMENT_URL": ""}).payment is None


def test_every_payment_variable_is_read_and_the_secret_is_never_shown(tmp_path):
    secret_file = tmp_path / "payment-secret"
    secret_file.write_text("from-a-file\n")
    environ = {**PAYMENT, "MOTCUA_PAYMENT_TIMEOUT": "20"}
    del environ["MOTCUA_PAYMENT_SECRET"]
    config = read({**environ, "MOTCUA_PAYMENT_SECRET_FILE": str(secret_file)}).payment
    assert (config.url, config.merchant_code, config.secret, config.timeout) == (
        PAYMENT["MOTCUA_PAYMENT_URL"], "SGDDT001", "from-a-file", 20.0)
    assert "from-a-file" not in repr(config) and "SGDDT001" in repr(config)


@pytest.mark.parametrize(("variables", "named"), [
    ({"MOTCUA_PAYMENT_MERCHANT_CODE": ""}, "MOTCUA_PAYMENT_MERCHANT_CODE"),
    ({"MOTCUA_PAYMENT_SECRET": ""}, "MOTCUA_PAYMENT_SECRET"),
    ({"MOTCUA_PAYMENT_MERCHANT_CODE": "SGD DT 001"}, "MOTCUA_PAYMENT_MERCHANT_CODE"),
    ({"MOTCUA_PAYMENT_URL": "ftp://pay.example.gov.vn"}, "MOTCUA_PAYMENT_URL"),
    ({"MOTCUA_PAYMENT_TIMEOUT": "soon"}, "MOTCUA_PAYMENT_TIMEOUT"),
])
def test_a_payment_setting_it_cannot_use_is_rejected_naming_the_variable(variables, named):
    with pytest.raises(SettingError, match=named) as caught:
        read({**PAYMENT, **variables})
    assert SECRET not in str(caught.value)
