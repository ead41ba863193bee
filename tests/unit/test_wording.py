"""Words spelled one way in everything a reader sees: catalogues, page and form templates, reports,
seed data and the documentation."""

from __future__ import annotations

import unicodedata

from tests.conftest import ROOT
from workflows.search_keys import fold, terms

READ_BY_PEOPLE = ("api/web/catalogues", "api/web/templates", "api/templates", "workflows", "docs", "bpmn_models")
SUFFIXES = {".json", ".html", ".py", ".md", ".txt", ".bpmn", ".dmn", ".j2"}


def test_rate_is_spelled_ty_le_everywhere_a_reader_sees_it():
    found = []
    for folder in READ_BY_PEOPLE:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file():
                text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8", errors="ignore")).casefold()
                if "tỉ lệ" in text:
                    found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_a_name_is_folded_without_case_diacritics_or_extra_spaces():
    assert fold("  Đặng   THỊ Hoà ") == "dang thi hoa"
    assert fold(unicodedata.normalize("NFD", "Nguyễn Văn Ấn")) == "nguyen van an"
    assert terms("Trần  hoà") == ["tran", "hoa"]
    assert terms(None) == [] and terms("   ") == []
