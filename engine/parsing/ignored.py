"""What other engines' modelers write that MotCua does not read, told to the designer.

engine/vendor.py rewrites what it understands of Camunda 7/8, Flowable and Activiti extensions
(assignments, generated forms, properties) into MotCua's own form and reports the rest: listeners,
connectors, input/output mappings, external forms... The model runs without them; the designer gets
one warning per element naming them, with why each is not read and what to do instead.
"""

from __future__ import annotations

from engine.parsing.problems import Problems
from engine.vendor import VendorReport


def report_ignored(report: VendorReport, ids: dict, problems: Problems) -> None:
    """One `vendor_ignored` warning per element. Its `constructs` param lists each construct with its
    reason code and that reason's values, for the API to word in the reader's language."""
    by_element: dict = {}
    for ignored in report.ignored:
        by_element.setdefault(ignored.element, []).append(ignored)
    for element, entries in by_element.items():
        names = ", ".join(dict.fromkeys(e.what for e in entries))
        reasons = "; ".join(dict.fromkeys(f"{e.what}: {e.reason}" for e in entries))
        hints = "; ".join(dict.fromkeys(e.hint for e in entries if e.hint)) or None
        constructs = [{"what": e.what, "reason": e.code, "params": dict(e.params)} for e in entries]
        node = ids.get(element)
        line = entries[0].line or (node.sourceline if node is not None else None)
        problems.warning("vendor_ignored", f"'{element}' carries {names}, which the engine ignores ({reasons}).",
                         node if node is not None else None, element=element, line=line, hint=hints, names=names,
                         constructs=constructs)
