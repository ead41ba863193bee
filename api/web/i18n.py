"""The pages' words in Vietnamese (the default) and English: a JSON catalogue per language and
page (catalogues/<lang>/<page>.json, merged), keyed by a dotted name, used by the templates (`t("inbox.title")`) and by the scripts, which get the
reader's catalogue in the page. A test checks both catalogues have the same keys and every key used
in a template or a script exists."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("vi", "en")
FOLDER = Path(__file__).parent / "catalogues"


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((FOLDER / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(lang: str, key: str) -> str:
    return catalogue(lang).get(key, key)
