"""What is wrong with a model, all of it at once.

Every check appends `Problem`s to one `Problems` collector instead of raising at the first; the
model is refused with one `ModelInvalid` carrying every problem when any is an error. Warnings
never block a deployment: they tell the designer what will not behave as the drawing suggests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.errors import ModelInvalid

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: `code` is stable (the API translates by it), `message` an English sentence naming
    the element, `hint` a short fix, `params` the values in the message (for translation)."""

    severity: str
    code: str
    element: str | None
    line: int | None
    message: str
    hint: str | None = None
    params: dict = field(default_factory=dict, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def owner_id(node) -> str:
    """The id of the flow element or flow a nested node belongs to (not its event definition)."""
    while node is not None and (node.get("id") is None or local(node.tag).endswith("EventDefinition")):
        node = node.getparent()
    return node.get("id") if node is not None else ""


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


class Problems:
    """The problems found in one file, in the order the checks found them."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.items: list[Problem] = []

    def error(self, code: str, message: str, node=None, *, element: str | None = None, line: int | None = None,
              hint: str | None = None, **params) -> Problem:
        return self._add(ERROR, code, message, node, element, line, hint, params)

    def warning(self, code: str, message: str, node=None, *, element: str | None = None, line: int | None = None,
                hint: str | None = None, **params) -> Problem:
        return self._add(WARNING, code, message, node, element, line, hint, params)

    def _add(self, severity, code, message, node, element, line, hint, params) -> Problem:
        if node is not None:
            element = element if element is not None else (owner_id(node) or None)
            line = line if line is not None else node.sourceline
        problem = Problem(severity, code, element, line, message, hint,
                          {"element": element, **params} if element else dict(params))
        self.items.append(problem)
        return problem

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def has_errors(self, codes: frozenset[str] | None = None) -> bool:
        return any(p.is_error and (codes is None or p.code in codes) for p in self.items)

    def lines_with_errors(self) -> set[int]:
        return {p.line for p in self.items if p.is_error and p.line}

    def raise_if_errors(self) -> None:
        if self.has_errors():
            raise model_invalid(self.items, self.filename)


def model_invalid(problems: list[Problem], filename: str) -> ModelInvalid:
    """One `ModelInvalid` for all of `problems`, errors first: its message, line and element are the
    first error's (what a caller reading a single error sees)."""
    ordered = [p for p in problems if p.is_error] + [p for p in problems if not p.is_error]
    first = ordered[0]
    return ModelInvalid(first.message, problems=ordered, file=filename, line=first.line, element=first.element)


def refuse(filename: str, code: str, message: str, node=None, **kwargs) -> ModelInvalid:
    """A `ModelInvalid` for a file that cannot be read far enough to look for more problems."""
    problems = Problems(filename)
    problems.error(code, message, node, **kwargs)
    return model_invalid(problems.items, filename)
