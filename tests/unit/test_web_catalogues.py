"""The web pages' words: both languages have every word, and every word a page or script asks for
exists (a missing one would show its key to the reader)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web import i18n

WEB = Path(i18n.__file__).parent
APPLICANT_PAGES = WEB.parent / "templates" / "applicant"
# t("key") / tOr("key", ...) in scripts and templates; keys built at run time (t(`status.${code}`))
# are template literals and not matched
LITERAL_KEY = re.compile(r"""\b(?:t|tOr)\(\s*["']([a-z_]+(?:\.[A-Za-z0-9_-]+)+)["']""")


def used_keys() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in [*WEB.glob("static/js/*.js"), *WEB.glob("templates/web/*.html"), *APPLICANT_PAGES.glob("*.html")]:
        for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, []).append(path.name)
    return found


def test_vietnamese_and_english_have_the_same_words():
    vietnamese, english = i18n.catalogue("vi"), i18n.catalogue("en")
    assert sorted(set(vietnamese) ^ set(english)) == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_word_a_page_asks_for_is_in_the_catalogue(lang):
    catalogue = i18n.catalogue(lang)
    missing = {key: files for key, files in used_keys().items() if key not in catalogue}
    assert missing == {}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_word_is_empty(lang):
    assert [key for key, text in i18n.catalogue(lang).items() if not text.strip()] == []


def test_the_vietnamese_words_carry_their_diacritics():
    # a catalogue typed without diacritics ("Ho so") would pass every other check
    catalogue = i18n.catalogue("vi")
    assert catalogue["inbox.title"] == "Công việc của tôi"
    assert catalogue["status.2"] == "Đã tiếp nhận"
    words = " ".join(catalogue.values())
    assert len(re.findall(r"[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]", words, re.IGNORECASE)) > 500


def test_the_scanner_finds_the_keys_of_the_pages():
    keys = used_keys()
    assert "login.title" in keys and "dossier.complete" in keys and "applicant.sign_in" in keys


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_reason_an_applicant_s_page_gives_has_its_words(lang):
    from api import oidc
    from api.views import applicant_pages

    keys = [f"applicant.failed.{reason}" for reason in (*oidc.REASONS, "form")]
    keys += [f"applicant.submit.invalid.{field}" for field in applicant_pages.REFUSED_FIELDS]
    assert [key for key in keys if key not in i18n.catalogue(lang)] == []
