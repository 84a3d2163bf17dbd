"""The `:` command line (k9s style): type a view name, tab completes, enter jumps."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static


class CommandLine(ModalScreen[str | None]):
    """A one-line prompt at the bottom; dismisses with the command typed, or None on esc."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="command.cancel")]

    DEFAULT_CSS = """
    CommandLine { align: left bottom; background: transparent; }
    CommandLine > #command-hint { dock: bottom; height: 1; color: $text-muted; padding: 0 1; background: $panel; }
    CommandLine > Input { dock: bottom; margin-bottom: 1; border: tall $accent; width: 100%; }
    """

    def __init__(self, commands: list[str]) -> None:
        super().__init__()
        self._commands = commands

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="devices, alarms, connections, profiles…",
            suggester=SuggestFromList(self._commands, case_sensitive=False),
            id="command-input",
        )
        yield Static(
            " → completes · enter jumps · esc cancels   " + "  ".join(self._commands),
            id="command-hint",
        )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip().lstrip(":") or None)
