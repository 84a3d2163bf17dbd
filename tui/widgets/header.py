"""The console's header: profile, platform, DEMO and INSECURE badges, and a busy spinner."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class FleetHeader(Widget):
    """One line: `fleet │ demo-thingpark │ Actility ThingPark DEMO │ devices ⠋`."""

    DEFAULT_CSS = """
    FleetHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    profile: reactive[str] = reactive("")
    platform: reactive[str] = reactive("")
    demo: reactive[bool] = reactive(False)
    insecure: reactive[bool] = reactive(False)
    readonly: reactive[bool] = reactive(False)
    view: reactive[str] = reactive("")
    busy: reactive[int] = reactive(0)
    _frame: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.1, self._tick, pause=True)

    def watch_busy(self, busy: int) -> None:
        if busy:
            self._timer.resume()
        else:
            self._timer.pause()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)

    def render(self) -> Text:
        text = Text(" fleet ", style="bold")
        if self.profile:
            text.append("│ ", style="dim")
            text.append(self.profile, style="bold")
            text.append(" ")
        if self.platform:
            text.append("│ ", style="dim")
            text.append(self.platform)
            text.append(" ")
        if self.demo:
            text.append(" DEMO ", style="bold black on yellow")
            text.append(" ")
        if self.insecure:
            text.append(" INSECURE ", style="bold white on red")
            text.append(" ")
        if self.readonly:
            text.append(" READ-ONLY ", style="bold black on cyan")
            text.append(" ")
        if self.view:
            text.append("│ ", style="dim")
            text.append(self.view, style="italic")
            text.append(" ")
        if self.busy:
            text.append(SPINNER[self._frame], style="bold")
        return text
