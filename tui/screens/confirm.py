"""A yes/no confirmation that names what it is about to do."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.safe import plain


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only on an explicit yes (`y` or the button); `n`/esc is no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto; border: thick $warning; background: $surface;
        padding: 1 2;
    }
    ConfirmScreen #confirm-title { text-style: bold; }
    ConfirmScreen #confirm-message { margin: 1 0; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 1; }
    """

    def __init__(self, title: str, message: str, *, yes: str = "Yes", danger: bool = True) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._yes = yes
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            # Both quote what is about to change (a device's name): data, never markup.
            yield Static(plain(self._title), id="confirm-title")
            yield Static(plain(self._message, multiline=True), id="confirm-message")
            with Horizontal():
                yield Button("No (n)", id="confirm-no")
                yield Button(
                    f"{self._yes} (y)",
                    id="confirm-yes",
                    variant="error" if self._danger else "primary",
                )

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")
