"""`!`: every notification of this session in full, newest first, and where the log file is.

A toast and an error state show one shortened line of a vendor's message; this is where the
whole text stays readable (wrapped, control characters made visible, never markup).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.config import DEFAULT_TIMEZONE
from tui.widgets.safe import plain

if TYPE_CHECKING:
    from tui.app import FleetApp

_SEVERITY_STYLES = {"error": "bold red", "warning": "bold yellow", "information": "bold"}


class MessagesScreen(ModalScreen[None]):
    """The session's notifications, whole; `esc` or `!` closes."""

    BINDINGS = [
        Binding("escape,q,exclamation_mark", "dismiss", "Close", id="messages.close"),
        Binding("up,k", "scroll('up')", "Up", show=False, id="messages.up"),
        Binding("down,j", "scroll('down')", "Down", show=False, id="messages.down"),
    ]

    DEFAULT_CSS = """
    MessagesScreen { align: center middle; }
    MessagesScreen > Vertical {
        width: 100; max-width: 100%; height: 90%; border: thick $primary; background: $surface;
        border-title-style: bold; border-subtitle-color: $text-muted;
    }
    MessagesScreen #messages-scroll { height: 1fr; padding: 0 1; }
    MessagesScreen #messages-log { color: $text-muted; padding: 0 1; height: auto; }
    """

    def compose(self) -> ComposeResult:
        app: FleetApp = self.app  # type: ignore[assignment]
        with Vertical() as box:
            box.border_title = "Messages"
            box.border_subtitle = "newest first · esc closes"
            where = str(app.log_file) if app.log_file else "not written (no writable place)"
            yield Static(plain(f"log file: {where}"), id="messages-log")
            with VerticalScroll(id="messages-scroll"):
                yield Static(self._body(app), id="messages-body")

    def _body(self, app: FleetApp) -> Group | Text:
        notes = list(app.messages)
        if not notes:
            return Text("No messages yet.", style="dim")
        parts: list[Text] = []
        # Times in the profile's time zone, as every time on screen.
        zone = ZoneInfo(getattr(app.profile, "timezone", None) or DEFAULT_TIMEZONE)
        for note in reversed(notes):
            when = datetime.fromtimestamp(note.at, zone).strftime("%H:%M:%S ")
            head = Text(when, style="dim")
            head.append(note.severity, style=_SEVERITY_STYLES.get(note.severity, "bold"))
            if note.title:
                head.append(" · ")
                head.append_text(plain(note.title, "bold"))
            parts.append(head)
            parts.append(plain(note.text, multiline=True))
            parts.append(Text(""))
        return Group(*parts)

    def on_mount(self) -> None:
        self.query_one("#messages-scroll").focus()

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one("#messages-scroll", VerticalScroll)
        if direction == "up":
            scroll.scroll_up()
        else:
            scroll.scroll_down()
