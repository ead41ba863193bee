"""Tokens of JUEL and FEEL expressions: numbers, strings (decoded), names and operators, each with
its character offset in the text as written."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from engine.expressions.errors import refuse

_NUMBER = {
    "juel": re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"),
    "feel": re.compile(r"\d+(?:\.\d+)?"),
}
# Longest first. Every operator either language has is read, so that the parser can name what it refuses.
_OPERATORS = ("..", "**", "==", "!=", "<=", ">=", "&&", "||", "+=", "->",
              "(", ")", "[", "]", ".", ",", "+", "-", "*", "/", "<", ">", "=", "!", "?", ":", "%", "{", "}", ";",
              "&", "|")
_ESCAPES = {
    "juel": {"'": "'", '"': '"', "\\": "\\"},
    "feel": {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"},
}


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "string", "name", "op" or "end"
    text: str  # as written
    value: object  # the number, the decoded string, the name, or the operator
    pos: int  # character offset in the whole text


def tokenize(text: str, dialect: str, start: int = 0, *, subset: str | None = None) -> list[Token]:
    """The tokens of `text` from `start`, ending with an "end" token.

    JUEL stops at the first "}" outside a string: the end token then has the text "}" and its offset,
    which tells the caller where the ${…} closes; without one, the end token's text is empty.
    """
    tokens: list[Token] = []
    pos = start
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            tokens.append(Token("end", "", None, pos))
            return tokens
        char = text[pos]
        if dialect == "juel" and char == "}":
            tokens.append(Token("end", "}", None, pos))
            return tokens
        if char in "$#" and text.startswith("{", pos + 1):
            raise refuse("A ${…} inside another expression is not supported", construct="nested ${…}",
                         dialect=dialect, text=text, position=pos, subset=subset)
        number = _NUMBER[dialect].match(text, pos)
        if number:
            written = number.group()
            value = float(written) if any(c in written for c in ".eE") else int(written)
            if (isinstance(value, float) and not math.isfinite(value)) or len(written) > 300:
                shown = written if len(written) <= 20 else f"{written[:20]}…"
                raise refuse(f"The number {shown} is too large", construct="number too large",
                             dialect=dialect, text=text, position=pos, subset=subset)
            tokens.append(Token("number", written, value, pos))
            pos = number.end()
        elif char in "'\"":
            end, value = _string(text, pos, dialect, subset)
            tokens.append(Token("string", text[pos:end], value, pos))
            pos = end
        elif _name_start(char, dialect):
            end = pos + 1
            while end < len(text) and _name_part(text[end], dialect):
                end += 1
            tokens.append(Token("name", text[pos:end], text[pos:end], pos))
            pos = end
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
            if operator is None:
                raise refuse(f"The character '{char}' is not part of the supported expressions",
                             construct=f"character '{char}'", dialect=dialect, text=text, position=pos,
                             subset=subset)
            tokens.append(Token("op", operator, operator, pos))
            pos += len(operator)


def _name_start(char: str, dialect: str) -> bool:
    return char.isalpha() or char == "_" or (dialect == "juel" and char == "$")


def _name_part(char: str, dialect: str) -> bool:
    return _name_start(char, dialect) or char.isdigit() or unicodedata.category(char).startswith("M")


def _string(text: str, start: int, dialect: str, subset: str | None) -> tuple[int, str]:
    """The offset after the string literal at `start`, and its decoded value."""
    quote = text[start]
    if dialect == "feel" and quote == "'":
        raise refuse("FEEL writes strings in double quotes", construct="single-quoted string in FEEL",
                     dialect=dialect, text=text, position=start, subset=subset,
                     hint="Write \"text\" instead of 'text'.")
    out: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == quote:
            return pos + 1, "".join(out)
        if char == "\\":
            escape = text[pos + 1: pos + 2]
            if escape in _ESCAPES[dialect]:
                out.append(_ESCAPES[dialect][escape])
                pos += 2
                continue
            if dialect == "feel" and escape in ("u", "U"):
                digits = 4 if escape == "u" else 6
                code = text[pos + 2: pos + 2 + digits]
                if len(code) == digits and all(c in "0123456789abcdefABCDEF" for c in code) \
                        and int(code, 16) <= 0x10FFFF and not 0xD800 <= int(code, 16) <= 0xDFFF:
                    out.append(chr(int(code, 16)))
                    pos += 2 + digits
                    continue
            raise refuse(f"The escape '\\{escape}' is not supported in a string", construct="string escape",
                         dialect=dialect, text=text, position=pos, subset=subset)
        out.append(char)
        pos += 1
    raise refuse("The string is not closed", construct="unterminated string", dialect=dialect, text=text,
                 position=start, subset=subset)
