"""The kinds of result a model may issue (`issue_result`), as data: seed_data/result_kinds.json gives
each its title, template (under printable/templates/results/), signer's title, validity in days
(null: no limit) and the checklist items of other procedures it may stand for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class ResultKind:
    kind: str
    title: str
    template: str
    signer_role: str
    valid_days: int | None  # None: valid without limit
    stands_for: tuple[str, ...]


@lru_cache(maxsize=1)
def result_kinds() -> dict[str, ResultKind]:
    rows = json.loads(resources.files("workflows.seed_data").joinpath("result_kinds.json").read_text("utf-8"))
    return {row["kind"]: ResultKind(row["kind"], row["title"], row["template"], row["signer_role"],
                                    row.get("valid_days"), tuple(row.get("stands_for") or ())) for row in rows}
