"""The console's header: profile, platform, DEMO / INSECURE / READ-ONLY badges, view, spinner,
and how many bulk runs this console is running."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

if TYPE_CHECKING:
    from tui.app import FleetApp

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class FleetHeader(Widget):
    """One line, kept in step with the app: `fleet │ demo-thingpark │ Actility ThingPark DEMO │ devices ⠋`."""

    DEFAULT_CSS = """
    FleetHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    view: reactive[str] = reactive("")
    _frame: reactive[int] = reactive(0)

    def __init__(self, view: str = "") -> None:
        super().__init__()
        self.view = view

    @property
    def fleet(self) -> FleetApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.1, self._tick, pause=True)
        self.watch(self.app, "session", lambda _: self.refresh())
        self.watch(self.app, "busy_count", self._busy_changed)
        self.watch(self.app, "runs_live", lambda _: self.refresh())
        self.watch(self.app, "platform_health", lambda _: self.refresh())

    def _busy_changed(self, busy: int) -> None:
        # With animations off (tests, or a user's TEXTUAL_ANIMATIONS=none) the spinner stands still.
        if busy and self.app.animation_level != "none":
            self._timer.resume()
        else:
            self._timer.pause()
        self.refresh()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)

    @property
    def demo(self) -> bool:
        return bool(self.fleet.profile and self.fleet.profile.simulator)

    @property
    def insecure(self) -> bool:
        return bool(self.fleet.profile and self.fleet.profile.insecure)

    def render(self) -> Text:
        app = self.fleet
        profile = app.profile
        text = Text(" fleet ", style="bold")
        text.append("│ ", style="dim")
        text.append(app.profile_name, style="bold")
        text.append(" ")
        if profile is not None:
            text.append("│ ", style="dim")
            text.append(profile.PLATFORM_LABEL or profile.platform)
            text.append(" ")
        if self.demo:
            text.append(" DEMO ", style="bold black on yellow")
            text.append(" ")
        if self.insecure:
            text.append(" INSECURE ", style="bold white on red")
            text.append(" ")
        if app.is_readonly:
            text.append(" READ-ONLY ", style="bold black on cyan")
            text.append(" ")
        health = app.platform_health
        if health is not None and health.up is not None:
            # The platform's own word on its state (MyThings' /status): a red badge when down.
            if health.up:
                text.append("API up", style="green")
            else:
                text.append(" API DOWN ", style="bold white on red")
            text.append(" ")
        if self.view:
            text.append("│ ", style="dim")
            text.append(self.view, style="italic")
            text.append(" ")
        if app.busy_count:
            text.append(SPINNER[self._frame], style="bold")
        if app.runs_live:
            text.append(" " if app.busy_count else "")
            # Runs go on whatever the view: the header says so (`:bulk` shows them).
            text.append(f" bulk: {app.runs_live} running ", style="bold black on green")
        return text
