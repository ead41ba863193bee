"""`ExpressionRefused`: an expression outside the translated subset, refused at deployment."""

from __future__ import annotations

# What each dialect's translation covers, said in every refusal so that the designer knows what to write.
SUBSETS = {
    "juel": ("JUEL (Camunda 7 / Flowable) expressions are translated for literals, variables and dotted paths "
             "(a.b, a['b'], a[0]), comparisons (== != < <= > >=, eq ne lt gt le ge), and/or/not, &&/||/!, "
             "empty, arithmetic (+ - * / % div mod) and ?: inside one ${…} or #{…}; method and function "
             "calls, assignment, lambdas and text around ${…} are not supported"),
    "feel": ("FEEL (Camunda 8 / DMN) expressions are translated for literals (strings in double quotes), "
             "variables and dotted paths (a.b, a[1]), comparisons (= != < <= > >=), between … and …, in with "
             "a list or a range ([1..5], ]1..5[, (1..5)), and/or, not(…) and arithmetic (+ - * / **); "
             "functions, if/for/some/every, filters, contexts and names with spaces are not supported"),
    "feel unary test": ("FEEL unary tests (DMN input entries) are translated for values (\"a\", 10, true, null), "
                        "comparisons (< <= > >= = != with a value), ranges ([1..5], ]1..5[, (1..5)), several "
                        "tests separated by commas, not(…), - (any value) and expressions using ? for the "
                        "input; functions such as date(…) are not supported"),
    "iso8601": ("A timer value written without quotes or ${…} is read as ISO 8601: a duration (PT4H, P2D, "
                "P1DT2H), a date-time with its UTC offset (2026-12-01T08:00:00+07:00) or a repeating interval "
                "(R3/PT10H, R/PT1H, R3/2026-12-01T08:00:00+07:00/PT1H)"),
}


class ExpressionRefused(Exception):
    """An expression the translation does not cover, or a value that is not valid.

    `construct` names what was refused ("method call", "function 'string length'", "composite text"...),
    `dialect` the language it was read as ("juel", "feel", "iso8601" for a bare timer value, or the
    language attribute's value), `position` the 0-based character offset in the text when known (the
    message counts from 1).
    """

    def __init__(self, message: str, *, construct: str, dialect: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.construct = construct
        self.dialect = dialect
        self.position = position


def refuse(problem: str, *, construct: str, dialect: str, text: str, position: int | None = None,
           hint: str = "", subset: str | None = None) -> ExpressionRefused:
    """The refusal of `construct` in `text`: the problem, where it is, the hint, and the subset of the
    dialect (or of `subset`, a key of `SUBSETS`)."""
    where = f" at character {position + 1}" if position is not None else ""
    message = f"{problem}{where} in '{text.strip()}'."
    if hint:
        message += f" {hint}"
    covered = SUBSETS.get(subset or dialect)
    if covered:
        message += f" {covered}."
    return ExpressionRefused(message, construct=construct, dialect=dialect, position=position)
