"""A decision table as the engine keeps it: what the designer wrote, and the Python that runs.

Plain frozen objects that go to and from JSON (`to_dict` / `from_dict`): the table is stored inside the
spec of every process version that calls it, so an instance keeps the table it started with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
SINGLE_HIT = ("UNIQUE", "FIRST", "PRIORITY", "ANY")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
# Where a translated input entry puts the input's value (SpiffWorkflow's cell form, `?`), and the
# name that value is bound to when the cell runs (SpiffWorkflow's own name for it).
PLACEHOLDER = "?"
INPUT_NAME = "dmninputexpr"


@dataclass(frozen=True)
class Input:
    """An input column: its label and input expression as written, and the expression's Python."""

    id: str
    label: str
    text: str
    python: str

    @property
    def title(self) -> str:
        return self.label or self.text


@dataclass(frozen=True)
class Output:
    """An output column: the data name the result goes to, and its output values (highest priority
    first), which PRIORITY and OUTPUT ORDER rank by."""

    id: str
    label: str
    name: str
    values: tuple = ()


@dataclass(frozen=True)
class Entry:
    """A cell: its text as written and its Python. An input entry's Python has `?` where the input's
    value goes, or is None for "-" (any value); an output entry's is an expression."""

    id: str
    text: str
    python: str | None


@dataclass(frozen=True)
class Rule:
    id: str
    number: int  # 1-based, as the table shows it
    description: str
    inputs: tuple[Entry, ...]
    outputs: tuple[Entry, ...]


@dataclass(frozen=True)
class DecisionTable:
    decision_id: str
    name: str
    version: int | None  # the deployed version it was read from
    table_id: str
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]

    @property
    def title(self) -> str:
        """How messages name the decision: its id and version."""
        version = f" (version {self.version})" if self.version is not None else ""
        return f"decision '{self.decision_id}'{version}"

    @property
    def policy(self) -> str:
        return f"{self.hit_policy} {self.aggregation}" if self.aggregation else self.hit_policy

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, dct: dict) -> DecisionTable:
        return cls(
            decision_id=dct["decision_id"], name=dct["name"], version=dct.get("version"),
            table_id=dct["table_id"], hit_policy=dct["hit_policy"], aggregation=dct.get("aggregation"),
            inputs=tuple(Input(**column) for column in dct["inputs"]),
            outputs=tuple(Output(**{**column, "values": tuple(column.get("values", ()))})
                          for column in dct["outputs"]),
            rules=tuple(Rule(id=rule["id"], number=rule["number"], description=rule["description"],
                             inputs=tuple(Entry(**entry) for entry in rule["inputs"]),
                             outputs=tuple(Entry(**entry) for entry in rule["outputs"]))
                        for rule in dct["rules"]),
        )
