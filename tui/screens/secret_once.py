"""A secret the platform hands back only once (EnOS's deviceSecret of a new sub-device).

fleet keeps it nowhere: not in a file, a log, the audit log or the journal. This screen shows it
masked until `x` reveals it, `c` copies it to the clipboard (OSC 52, which the terminal must
allow; over SSH and in tmux too when they pass it on), and closing it before either asks once
more, since nothing can show it again.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.widgets.safe import plain, visible


class SecretOnceScreen(ModalScreen[None]):
    """Each secret by its name, masked until revealed; copied on `c`; closed on esc/enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "reveal", "Show/hide", id="secret-once.reveal"),
        Binding("c", "copy", "Copy", id="secret-once.copy"),
        Binding("escape,enter", "close", "Close", id="secret-once.close"),
    ]

    DEFAULT_CSS = """
    SecretOnceScreen { align: center middle; }
    SecretOnceScreen > Vertical {
        width: 72; max-width: 100%; height: auto; border: thick $warning; background: $surface;
        padding: 1 2; border-title-style: bold; border-title-color: $text;
    }
    SecretOnceScreen #secret-values { margin: 1 0; }
    SecretOnceScreen #secret-note { color: $text-muted; }
    SecretOnceScreen #secret-hint { margin: 0 0 1 0; }
    SecretOnceScreen #secret-note.-warn { color: $warning; text-style: bold; }
    """

    def __init__(self, title: str, secrets: dict[str, SecretStr], *, hint: str = "") -> None:
        super().__init__()
        self._title = title
        self._secrets = secrets
        #: what to do with it next (never the secret itself)
        self._hint = hint
        self.revealed = False
        #: the user has seen or copied it: closing needs no second word
        self.kept = False
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Shown once"
            yield Static(plain(self._title), id="secret-title")
            yield Static(id="secret-values")
            if self._hint:
                yield Static(plain(self._hint, multiline=True), id="secret-hint")
            yield Static(
                "fleet keeps no copy of it anywhere. x shows it, c copies it, esc closes.",
                id="secret-note",
            )
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        text = Text()
        for n, (name, secret) in enumerate(self._secrets.items()):
            value = secret.get_secret_value()
            text.append("\n" if n else "")
            text.append(f"{visible(name)}  ", style="bold")
            # From the platform: data, never markup or a control sequence.
            text.append(visible(value) if self.revealed else "•" * min(len(value), 32))
        self.query_one("#secret-values", Static).update(text)

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        self.kept = self.kept or self.revealed
        self._show()

    def action_copy(self) -> None:
        values = [s.get_secret_value() for s in self._secrets.values()]
        self.app.copy_to_clipboard("\n".join(values))
        self.kept = True
        names = ", ".join(self._secrets)
        self.notify(
            f"{names} copied (OSC 52: the terminal must allow it)", title="Clipboard", timeout=4
        )

    def action_close(self) -> None:
        if self.kept or self._warned:
            self.dismiss(None)
            return
        self._warned = True
        note = self.query_one("#secret-note", Static)
        note.add_class("-warn")
        note.update("Not seen nor copied: it cannot be shown again. esc again closes anyway.")
        self.app.bell()
