"""Outside text made safe: control characters visible, never markup, long text shortened."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from textual.color import Color

from tui.widgets.safe import ControlFilter, one_line, plain, visible

# Every code point category that can move the cursor, reorder text or fail to encode.
HOSTILE = st.text(
    st.characters(codec=None, categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Lu", "Ll", "Nd", "Ps"))
)


def _dangerous(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
    )


def test_escape_sequences_and_line_breaks_become_visible() -> None:
    assert visible("Meter\x1b[31m red\nrow\r") == "Meter␛[31m red␊row␍"
    assert visible("a\x9bb") == "a\\x9bb"
    assert visible("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert visible("\ud800") == "\ufffd"
    assert visible("Zürich — ok") == "Zürich — ok"


def test_multiline_keeps_line_breaks_but_nothing_else() -> None:
    assert visible("a\r\nb\tc\x1b", multiline=True) == "a\nb    c␛"


@given(HOSTILE)
def test_visible_never_returns_a_control_character(text: str) -> None:
    assert not any(_dangerous(c) for c in visible(text))
    visible(text).encode("utf-8")  # no lone surrogate left to crash the terminal


def test_plain_is_never_markup() -> None:
    for text in (
        "Meter [/] 3",
        "[bold red]x[/]",
        "[@click=app.quit]x[/]",
        "Field [name] is required",
    ):
        rendered = plain(text)
        assert rendered.plain == text and not rendered.spans


def test_one_line_folds_and_shortens_a_long_message() -> None:
    message = "error: " + "x" * 20_000 + "\n\nsecond line"
    shown = one_line(message, 300)
    assert len(shown) == 300 and shown.endswith("…") and "␊" not in shown
    assert one_line("  a \n b  ", None) == "a b"


@given(HOSTILE)
def test_the_line_filter_drops_every_control_character(text: str) -> None:
    segments = ControlFilter().apply([Segment(text), Segment("ok")], Color(0, 0, 0))
    drawn = "".join(s.text for s in segments)
    assert not any(_dangerous(c) for c in drawn) and drawn.endswith("ok")
