"""Printable one-stop forms (Circular 01/2018/TT-VPCP, forms 01-06) as HTML, PDF and Excel.

`render_html` and `render_pdf` turn a form name and a context into a document; `tracking_book_xlsx`
writes the dossier tracking book (form 06) as a workbook; `configure` says where the PDF's fonts
are prepared.
"""

from workflows.printable.render import FORMS, FontUnavailableError, configure, render_html, render_pdf
from workflows.printable.xlsx import tracking_book_xlsx

__all__ = ["FORMS", "FontUnavailableError", "configure", "render_html", "render_pdf", "tracking_book_xlsx"]
