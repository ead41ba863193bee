"""Search keys: text folded so that an officer finds "Nguyễn Văn An" by typing "nguyen van an"."""

from __future__ import annotations

import unicodedata

MAX_QUERY = 100


def fold(text: str) -> str:
    """Lower case, without diacritics (đ as d), whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def terms(query: str | None) -> list[str]:
    """The words of a search box's text, folded; none for an empty box."""
    return fold(query or "")[:MAX_QUERY].split()
