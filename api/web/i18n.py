"""The pages' words in Vietnamese (the default) and English.

A JSON catalogue per language and page (catalogues/<lang>/<page>.json, merged), keyed by a dotted
name, used by the templates (`t("inbox.title")`) and by the scripts, which get the reader's
catalogue in the page. The dossier statuses' labels (`status.1` … `status.10`) come from
workflows/statuses.py. A test checks both languages have the same keys and that every key a
template or a script uses exists."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from workflows import statuses

LANGUAGES = ("vi", "en")
FOLDER = Path(__file__).parent / "catalogues"


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged = {f"status.{code}": labels[LANGUAGES.index(lang)] for code, labels in statuses.LABELS.items()}
    for path in sorted((FOLDER / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(lang: str, key: str) -> str:
    return catalogue(lang).get(key, key)
