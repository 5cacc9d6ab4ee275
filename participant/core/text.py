"""Cleaning participant text: what a phone or a room link sends is untrusted.

Every string a participant sends goes through :func:`clean_text` before it is checked, stored or
shown. Nothing else is done to it: markup such as ``[bold red]x[/]`` or ``<b>`` stays the literal
text it is, and whoever shows it must show it as text.

Texts are compared (word-wall entries counted together, notes grouped) by :func:`folded`, which
sees through look-alike spellings; what is shown stays as typed.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROPPED: dict[int, None] = {
    codepoint: None
    for codepoint in [*range(0x20), *range(0x7F, 0xA0), *map(ord, _BIDI_CONTROLS)]
    if codepoint != ord("\n")
}
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BLANK_LINES = re.compile(r"\n{3,}")

MAX_COMBINING_MARKS = 4
"""Combining marks kept after one base character: enough for the accents of any script, not for a
streak of hundreds of marks drawn down over the rest of a screen."""


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Participant text made safe to store and show as text.

    NFC-normalised; control characters (C0 but ``\\n``, DEL, C1, lone surrogates, bidirectional
    overrides and isolates) removed; tabs become spaces; trimmed. With ``multiline``, line breaks are
    kept (``\\r\\n`` and Unicode line separators become ``\\n``; at most one blank line in a row);
    without, every run of whitespace becomes one space.
    """
    text = _SURROGATES.sub("", value)
    text = _cap_combining_marks(unicodedata.normalize("NFC", text))
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    text = text.translate(_DROPPED)
    if multiline:
        lines = [line.strip() for line in text.split("\n")]
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())


def _cap_combining_marks(text: str) -> str:
    if text.isascii():
        return text
    kept, run = [], 0
    for char in text:
        run = run + 1 if unicodedata.category(char).startswith("M") else 0
        if run <= MAX_COMBINING_MARKS:
            kept.append(char)
    return "".join(kept)


def unformatted(text: str) -> str:
    """``text`` with compatibility forms unified (NFKC: full-width letters, ligatures) and invisible
    format characters dropped (zero-width spaces and joiners, soft hyphens, byte-order marks)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def folded(text: str) -> str:
    """``text`` as compared, never as shown: :func:`unformatted`, case folded, and runs of spaces
    made one. "Ｔｒｕｓｔ", "tr\u200bust" and "TRUST" fold alike."""
    return " ".join(unformatted(text).casefold().split())


_PUNCTUATION = re.compile(r"[^\w\s]|_")


def theme_key(label: str) -> str:
    """What makes two theme labels one theme: :func:`folded`, without punctuation, spaces made one.

    "Trust", " trust! " and "TRUST." are one theme; "Self-care" and "self care" too.
    """
    return " ".join(_PUNCTUATION.sub(" ", folded(label)).split())
