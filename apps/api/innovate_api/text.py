"""Text rules for names and descriptions: NFC, trimmed, no invisible or layout-changing characters.

A name is what people read, compare and search for, so two names that look the same must be the
same string: every text field is normalised to Unicode NFC and trimmed, and a name is refused
(400, the code naming the rule) when it holds a control character, a format character (zero-width
space/joiner, bidirectional override or isolate, soft hyphen, ...) or a line break. Multi-line
fields (descriptions) keep tabs and line breaks but refuse the other control characters and the
bidirectional controls. Unassigned, private-use and non-character code points are refused, and a
name must hold at least one visible character (combining marks or blank fillers alone are not a
name). Uniqueness compares the stored, normalised names.
"""

from __future__ import annotations

import unicodedata

from .errors import ApiError

LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
MULTILINE_ALLOWED = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

RULES = {
    "line_break": "must be a single line (no line breaks)",
    "control_character": "must not contain control characters",
    "format_character": "must not contain invisible format characters (zero-width, bidirectional controls)",
    "unassigned_character": "must not contain unassigned, private-use or non-character code points",
    "invisible_name": "must contain at least one visible letter, digit, symbol or punctuation mark",
}
# Letters that render as blank space (Hangul fillers, the blank Braille pattern).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{' ' + name if name else ''}"


def _refuse(field: str, rule: str, char: str, position: int) -> ApiError:
    return ApiError(
        400, rule, f"{field} {RULES[rule]}: {_describe(char)} at character {position + 1}", field=field
    )


def broken_rule(char: str, multiline: bool) -> str | None:
    """The rule ``char`` breaks in a single-line (name) or multi-line (description) field, or None."""
    if multiline and char in MULTILINE_ALLOWED:
        return None
    if char in LINE_BREAKS or unicodedata.category(char) in ("Zl", "Zp"):
        return None if multiline else "line_break"
    category = unicodedata.category(char)
    if category == "Cc":
        return "control_character"
    if category == "Cf" and (not multiline or char in BIDI_CONTROLS):
        return "format_character"
    if category in ("Cn", "Co", "Cs"):
        return "unassigned_character"
    return None


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPS" and char not in BLANK_LETTERS


def clean_text(field: str, value: str, multiline: bool = False) -> str:
    """``value`` normalised to NFC and trimmed, or a 400 ApiError naming the rule it breaks."""
    value = unicodedata.normalize("NFC", value).strip()
    for position, char in enumerate(value):
        rule = broken_rule(char, multiline)
        if rule is not None:
            raise _refuse(field, rule, char, position)
    if value and not multiline and not any(_visible(c) for c in value):
        raise ApiError(400, "invisible_name", f"{field} {RULES['invisible_name']}", field=field)
    return value
