"""Printable one-stop forms (Circular 03/2025/TT-VPCP, forms 01-07) as HTML, PDF and Excel.

`render_html` and `render_pdf` turn a form name and a context into a document; `tracking_book_xlsx`
writes the dossier tracking book (form 07) as a workbook; `configure` says where the PDF's fonts
are prepared.
"""

from workflows.printable.render import FORM_NUMBERS, FORMS, FontUnavailableError, configure, render_html, render_pdf
from workflows.printable.xlsx import tracking_book_xlsx

__all__ = ["FORM_NUMBERS", "FORMS", "FontUnavailableError", "configure", "render_html", "render_pdf",
           "tracking_book_xlsx"]
