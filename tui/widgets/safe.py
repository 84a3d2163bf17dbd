"""Outside text made safe to show: the one way a server's or a user's words reach the screen.

Whatever a platform or a user wrote (device names, alarm texts, vendor error messages, product
fields, file contents) is data: never Textual or Rich markup, never a terminal control sequence.

- `visible(text)` turns every control character into a visible stand-in (ESC → ␛, newline → ␊,
  C1 and bidirectional controls → `\\x9b`, `\\u202e`), and a lone surrogate into �;
- `one_line(text, limit)` also folds whitespace runs into one space and shortens the result with
  an ellipsis: a vendor message of 20,000 characters stays one readable line;
- `plain(text)` is `visible(text)` as a Rich `Text`, which no widget parses as markup: pass it
  (never the `str`) to `Static.update`, `DataTable.add_row`, tree labels and option prompts.

`ControlFilter` is the last line of defence: a Textual line filter, installed by the app, that
drops any control character still present in what is drawn, so that a widget that forgot
`plain()` still cannot move the cursor, change colours or break a row.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

__all__ = ["ControlFilter", "one_line", "plain", "visible"]

#: how long a message may be in a notification or an error state before it is shortened
MESSAGE_LIMIT = 240

# Bidirectional overrides and isolates reorder what follows them ("Trojan source" spoofing).
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# Line and paragraph separators break lines in some terminals.
_SEPARATORS = (0x2028, 0x2029)


def _table() -> dict[int, str]:
    table: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"
    for code in (*_BIDI, *_SEPARATORS):
        table[code] = f"\\u{code:04x}"
    for code in range(0xD800, 0xE000):
        table[code] = "\ufffd"  # a lone surrogate cannot even be encoded for the terminal
    return table


_VISIBLE = _table()
# What the line filter removes: every C0/C1 control and DEL (zero width for Rich, so dropping
# them keeps the line's layout), plus the directional and separator controls; a lone surrogate
# (which the terminal's encoder would choke on) becomes the replacement character.
_DROP: dict[int, str | None] = {
    **dict.fromkeys((*range(0x20), *range(0x7F, 0xA0), *_BIDI, *_SEPARATORS)),
    **dict.fromkeys(range(0xD800, 0xE000), "\ufffd"),
}


_MULTILINE = {**_VISIBLE, 0x0A: "\n", 0x09: "    "}


def visible(text: object, *, multiline: bool = False) -> str:
    """`text` (any value, as `str`) with every control character replaced by a visible stand-in;
    `multiline` keeps line breaks (and turns tabs into spaces) for text shown as a block."""
    value = text if isinstance(text, str) else str(text)
    if value.isascii() and value.isprintable():
        return value  # the common case, at C speed
    if multiline:
        return value.replace("\r\n", "\n").translate(_MULTILINE)
    return value.translate(_VISIBLE)


def one_line(text: object, limit: int | None = MESSAGE_LIMIT) -> str:
    """`text` on one line (whitespace runs folded), control characters made visible, and cut to
    `limit` characters with an ellipsis (None: no limit)."""
    value = text if isinstance(text, str) else str(text)
    value = visible(" ".join(value.split()))
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value


def plain(
    text: object, style: str | Style = "", *, limit: int | None = None, multiline: bool = False
) -> Text:
    """Outside text as a Rich `Text` (never parsed as markup), control characters made visible;
    with `limit`, folded onto one line and shortened; with `multiline`, line breaks kept."""
    value = visible(text, multiline=multiline) if limit is None else one_line(text, limit)
    return Text(value, style=style)


class ControlFilter(LineFilter):
    """Drops control characters from every drawn segment (see the module docstring)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out: list[Segment] | None = None
        for index, segment in enumerate(segments):
            text = segment.text
            if segment.control is None and not (text.isascii() and text.isprintable()):
                cleaned = text.translate(_DROP)
                if cleaned != text:
                    if out is None:
                        out = list(segments)
                    out[index] = Segment(cleaned, segment.style, segment.control)
        return segments if out is None else out
