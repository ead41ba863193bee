"""The payment platform's protocol (docs/integrations.md, "Online fee payment"), as data and checksums.

Modelled on VNPAY's payment gateway 2.1.0, which the national payment platform (PayGov) and the
provinces' portals use as one of their intermediaries: every message is a flat set of `vnp_*` fields
signed with `vnp_SecureHash`, the HMAC-SHA512 (hex) under the merchant's secret of the other `vnp_*`
fields sorted by name and written `name=value` joined by `&`, each value URL-encoded (spaces as `+`).
Amounts are in đồng times 100 (no decimals); times are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.

- create-order (ours to the platform, server to server, `POST` form to MOTCUA_PAYMENT_URL): the order
  reference `vnp_TxnRef`, fixed per order, makes it idempotent: the same reference again answers the
  same order and payment page. Answer (JSON): `{"RspCode": "00", "paymentUrl": …}`.
- IPN (the platform's notification to us, `GET /api/v1/payments/ipn?vnp_…`), answered with
  `{"RspCode", "Message"}` (`ANSWERS`); anything but 00 or 02 makes the platform send it again.
- the return (the applicant's browser, sent back to `/thanh-toan/ket-qua?vnp_…`): shown, never trusted
  to change anything.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VERSION = "2.1.0"
HASH_FIELD = "vnp_SecureHash"
UNSIGNED = frozenset({HASH_FIELD, "vnp_SecureHashType"})
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%Y%m%d%H%M%S"
SUCCESS = "00"

# Our answers to a notification, as the platform reads them.
CONFIRMED = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "Invalid amount")
INVALID_CHECKSUM = ("97", "Invalid Checksum")
UNKNOWN_ERROR = ("99", "Unknown error")
ANSWERS = (CONFIRMED, ORDER_NOT_FOUND, ALREADY_CONFIRMED, INVALID_AMOUNT, INVALID_CHECKSUM, UNKNOWN_ERROR)

# What a notification must carry.
NOTIFICATION_FIELDS = ("vnp_TmnCode", "vnp_TxnRef", "vnp_Amount", "vnp_ResponseCode", "vnp_TransactionNo",
                       "vnp_TransactionStatus", "vnp_PayDate")


def signed_text(fields: Mapping[str, str]) -> str:
    """What is signed: the `vnp_*` fields but the hash, sorted, `name=value&…`, values URL-encoded."""
    return "&".join(f"{name}={quote_plus(str(fields[name]))}" for name in sorted(fields)
                    if name.startswith("vnp_") and name not in UNSIGNED)


def checksum(fields: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), signed_text(fields).encode("utf-8"), hashlib.sha512).hexdigest()


def sign(fields: Mapping[str, str], secret: str) -> dict:
    """The fields with their `vnp_SecureHash`."""
    unsigned = {name: str(value) for name, value in fields.items() if name not in UNSIGNED}
    return {**unsigned, HASH_FIELD: checksum(unsigned, secret)}


def verify(fields: Mapping[str, str], secret: str) -> bool:
    """Whether the fields carry the checksum of their own content under `secret` (compared in constant time)."""
    given = str(fields.get(HASH_FIELD) or "").lower()
    return bool(given) and hmac.compare_digest(given, checksum(fields, secret))


def to_amount(amount_vnd: int) -> str:
    """đồng as the platform writes them: times 100."""
    return str(int(amount_vnd) * 100)


def from_amount(value: str) -> int | None:
    """The đồng a `vnp_Amount` says, or None when it is not a whole number of đồng."""
    if not value.isdigit() or int(value) % 100:
        return None
    return int(value) // 100


def to_time(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime(TIME_FORMAT)


def from_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=ZONE)
    except ValueError:
        return None


def order_fields(*, merchant_code: str, order_ref: str, amount_vnd: int, description: str, return_url: str,
                 created_at: datetime, expires_at: datetime) -> dict:
    """The create-order call's fields, before signing."""
    return {"vnp_Version": VERSION, "vnp_Command": "pay", "vnp_TmnCode": merchant_code, "vnp_TxnRef": order_ref,
            "vnp_Amount": to_amount(amount_vnd), "vnp_CurrCode": "VND", "vnp_OrderInfo": description,
            "vnp_OrderType": "billpayment", "vnp_Locale": "vn", "vnp_ReturnUrl": return_url,
            "vnp_CreateDate": to_time(created_at), "vnp_ExpireDate": to_time(expires_at)}


def paid(fields: Mapping[str, str]) -> bool:
    """Whether a notification says the payment went through (both codes 00)."""
    return fields.get("vnp_ResponseCode") == SUCCESS and fields.get("vnp_TransactionStatus") == SUCCESS
