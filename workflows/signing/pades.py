"""PAdES signatures with pyHanko: sign a PDF as the organisation, with a visible stamp and an RFC 3161
timestamp when a timestamp server is configured; validate a PDF's signatures against trust roots.

The stamp shows what Decree 30/2020 asks to be shown with an organisation's signature: who signed
(the certificate's subject), the organisation, and the signing time in the calendar's zone with its
offset (pyHanko's own `%(ts)s` would print the server's zone, so the time is passed in as text).
"""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import text as pdf_text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from workflows.settings import SigningConfig
from workflows.signing.keys import open_signer
from workflows.signing.stamp_font import stamp_font

# pyHanko logs a whole traceback at ERROR when it cannot build a certificate's path to a trust root
# (an untrusted signer is an answer here, not an error of the service).
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.CRITICAL)

STAMP_TEXT = "Ký bởi: %(signer)s\nCơ quan: %(org)s\nThời gian ký: %(signed_at)s"
STAMP_FONT_SIZE = 7
STAMP_SIZE = (235, 62)  # points
MARGIN = 28
A4 = (595, 842)
POSITIONS = ("bottom-right", "top-right")


class SigningFailed(RuntimeError):
    """The signature was made but does not validate, or the timestamp server did not answer."""


@dataclass(frozen=True)
class Verdict:
    """What a validation found, in the words the verification page uses."""

    signed: bool
    intact: bool = False  # the signed bytes are those the signature covers
    trusted: bool = False  # the signer's certificate chains to a configured trust root
    whole_file: bool = False  # nothing was added after the signature
    valid: bool = False  # pyHanko's bottom line: all of the above, and no disallowed change
    signer_subject: str = ""
    signer_organisation: str = ""
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    summary: str = ""
    problem: str = ""  # why it is not valid, in Vietnamese; "" when valid

    def as_dict(self) -> dict:
        found = asdict(self)
        found.update({key: found[key].isoformat() for key in ("signing_time", "timestamp_time") if found[key]})
        return found


def sign_pdf(pdf: bytes, config: SigningConfig, *, signed_at: datetime, reason: str, location: str = "",
             position: str = "bottom-right", field_name: str = "ChuKySoCoQuan",
             font_cache: Path | None = None) -> bytes:
    """`pdf` signed (PAdES) with `config`'s key, a visible stamp on the first page's `position`
    (bottom-right for a result, top-right for a digitised paper), timestamped when a TSA is set.

    `signed_at` is aware and in the zone the stamp shows (the calendar's)."""
    if position not in POSITIONS:
        raise ValueError(f"position must be one of {', '.join(POSITIONS)}")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    font = GlyphAccumulatorFactory(str(stamp_font(font_cache)), font_size=STAMP_FONT_SIZE)
    style = TextStampStyle(stamp_text=STAMP_TEXT, border_width=1,
                           text_box_style=pdf_text.TextBoxStyle(font=font, font_size=STAMP_FONT_SIZE))
    timestamper = None
    if config.tsa_url:
        auth = (config.tsa_username, config.tsa_password or "") if config.tsa_username else None
        timestamper = timestamps.HTTPTimeStamper(config.tsa_url, timeout=config.tsa_timeout, auth=auth)
    output = io.BytesIO()
    with open_signer(config) as signer:
        subject = signer.signing_cert.subject
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES,
                                         md_algorithm="sha256", reason=reason, location=location or None),
            signer=signer, timestamper=timestamper, stamp_style=style,
            new_field_spec=fields.SigFieldSpec(field_name, on_page=0, box=_box(writer, position)))
        try:
            _outside_any_loop(lambda: pdf_signer.sign_pdf(writer, output=output, appearance_text_params={
                "signer": common_name(subject), "org": organisation(subject), "signed_at": stamp_time(signed_at)}))
        except Exception as exc:  # pyHanko and aiohttp raise their own types (a TSA down, a token error...)
            raise SigningFailed(f"the PDF could not be signed: {type(exc).__name__} {exc}") from None
    return output.getvalue()


def validate(pdf: bytes, trust_roots: list[asn1_x509.Certificate]) -> Verdict:
    """Every signature of `pdf` checked against `trust_roots` (no network: revocation is not fetched);
    the verdict of the first signature that fails, else of the last one."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # a hostile or broken file: pyHanko raises many types while parsing
        return Verdict(signed=False, problem="Tệp không đọc được như một văn bản PDF.")
    if not signatures:
        return Verdict(signed=False, problem="Tệp không có chữ ký số.")
    verdict = None
    for signature in signatures:
        verdict = _validate_one(signature, trust_roots)
        if not verdict.valid:
            return verdict
    return verdict


def _validate_one(signature, trust_roots) -> Verdict:
    context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
    try:
        status = _outside_any_loop(lambda: validate_pdf_signature(signature, signer_validation_context=context))
    except Exception as exc:
        return Verdict(signed=True, problem="Chữ ký số không kiểm tra được.", summary=f"{type(exc).__name__}")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    changed = status.modification_level is not None and status.modification_level > ModificationLevel.FORM_FILLING
    subject = status.signing_cert.subject if status.signing_cert is not None else None
    verdict = Verdict(
        signed=True, intact=bool(status.intact), trusted=bool(status.trusted), whole_file=whole,
        valid=bool(status.bottom_line),
        signer_subject=subject.human_friendly if subject else "",
        signer_organisation=organisation(subject) if subject else "",
        signing_time=status.signer_reported_dt,
        timestamp_time=status.timestamp_validity.timestamp if status.timestamp_validity else None,
        summary=status.summary(),
    )
    if verdict.valid:
        return verdict
    if not status.intact:
        problem = "Nội dung tệp đã bị thay đổi sau khi ký: chữ ký số không còn khớp với nội dung."
    elif not whole and changed:
        problem = "Tệp đã bị thêm nội dung sau khi ký."
    elif not status.trusted:
        problem = "Chứng thư số của người ký không do tổ chức chứng thực được tin cậy cấp."
    else:
        problem = "Chữ ký số không hợp lệ."
    return Verdict(**{**asdict(verdict), "problem": problem})


def _outside_any_loop(call):
    """pyHanko's synchronous calls start an event loop of their own (asyncio.run), which cannot be done
    in a thread whose loop is running (an asynchronous server; a test process driving a browser): there
    the call goes to a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def stamp_time(moment: datetime) -> str:
    """'05/12/2026 14:05:09 +07:00': day, month, year, hours, minutes, seconds and the zone's offset."""
    offset = moment.strftime("%z")
    return f"{moment:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


def common_name(name: asn1_x509.Name) -> str:
    return name.native.get("common_name") or name.human_friendly


def organisation(name: asn1_x509.Name) -> str:
    value = name.native.get("organization_name") or name.native.get("common_name") or ""
    return value[0] if isinstance(value, list) else value


def _box(writer: IncrementalPdfFileWriter, position: str) -> tuple[int, int, int, int]:
    """The stamp's rectangle on the first page: its bottom-right or top-right corner, inside the margins."""
    try:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        _, bottom, right, top = (float(v) for v in page.get("/MediaBox") or writer.root["/Pages"]["/MediaBox"])
    except (KeyError, IndexError, TypeError, ValueError):
        bottom, (right, top) = 0, A4
    width, height = STAMP_SIZE
    x2 = int(right - MARGIN)
    y1 = int(bottom + MARGIN) if position == "bottom-right" else int(top - MARGIN - height)
    return x2 - width, y1, x2, y1 + height
