"""Checks of signed PDFs with pyHanko's own validator and pypdf's text extraction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader


def pyhanko_status(pdf: bytes, root_pem):
    """pyHanko's validation of the PDF's first signature against the root in `root_pem`."""
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root_pem))], allow_fetching=False)
    signature = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures[0]  # scans are often not strict PDF
    # in a thread of its own: pyHanko starts an event loop, and the browser tests leave one running here
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, signature, signer_validation_context=context).result()


def text_of(pdf: bytes) -> str:
    """The pages' text (pypdf), then the signature stamps' (pdfium, after flattening the annotations
    into the pages: a stamp is a widget's appearance, not page content)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    text = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        page = document[index]
        pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_PRINT)
        page.close()
        text.append(document[index].get_textpage().get_text_range())
    document.close()
    return "\n".join(text)


def byte_flipped(pdf: bytes) -> bytes:
    """A copy with one byte of the signed content changed (in the page's content, before the signature)."""
    changed = bytearray(pdf)
    changed[len(pdf) // 3] ^= 0x01
    return bytes(changed)


def with_update_appended(pdf: bytes) -> bytes:
    """A copy with an incremental update after the signature that changes the first page's content."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    page_ref, _ = writer.find_page_for_modification(0)
    from pyhanko.pdf_utils import generic

    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (forged) Tj ET")
    page = page_ref.get_object()
    contents = page["/Contents"]
    contents = list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    page["/Contents"] = generic.ArrayObject([*contents, writer.add_object(stream)])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
