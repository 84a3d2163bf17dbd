"""A pane that shows its content, or a loading, empty or error state in its place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.reactive import reactive
from textual.widgets import LoadingIndicator, Static

from tui.widgets.safe import MESSAGE_LIMIT, one_line, plain


class LoadState(Container):
    """Wraps a screen's main content: `loading()`, `empty()`, `error()` or `ready()`.

    The content stays mounted (and keeps its data) while a state message covers it, so a failed
    refresh never loses what was already shown once `ready()` is called again. State texts
    often quote a server (a vendor's error message, a device name): they are shown as data on
    one line, shortened, with `!` (the messages screen) holding the whole text.
    """

    DEFAULT_CSS = """
    LoadState { height: 1fr; }
    LoadState > #state-message { height: 1fr; align: center middle; display: none; }
    LoadState > #state-message > Static { width: 100%; text-align: center; }
    LoadState > #state-message > LoadingIndicator { height: 1; width: 100%; }
    LoadState > #state-message > #state-hint { color: $text-muted; margin-top: 1; }
    LoadState.-error > #state-message > #state-text { color: $error; text-style: bold; }
    LoadState.-covered > #state-message { display: block; }
    LoadState.-covered > #state-content { display: none; }
    LoadState > #state-content { height: 1fr; }
    """

    state: reactive[str] = reactive("loading")

    def __init__(self, *content: object, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content = content

    def compose(self) -> ComposeResult:
        with Vertical(id="state-message"):
            yield LoadingIndicator(id="state-spinner")
            yield Static(plain("Loading…"), id="state-text")
            yield Static("", id="state-hint")
        with Vertical(id="state-content"):
            yield from self._content  # type: ignore[misc]

    def _show(self, state: str, text: str, hint: str = "") -> None:
        self.state = state
        self.set_class(state != "ready", "-covered")
        self.set_class(state == "error", "-error")
        if state == "ready":
            return
        self.query_one("#state-spinner").display = state == "loading"
        shown = one_line(text, MESSAGE_LIMIT)
        if shown != one_line(text, None):
            hint = f"{hint} · ! shows the whole message" if hint else "! shows the whole message"
        self.query_one("#state-text", Static).update(plain(shown))
        hint_widget = self.query_one("#state-hint", Static)
        hint_widget.update(plain(hint))
        hint_widget.display = bool(hint)

    def loading(self, text: str = "Loading…") -> None:
        self._show("loading", text)

    def empty(self, text: str, hint: str = "") -> None:
        self._show("empty", text, hint)

    def error(self, text: str, hint: str = "press r to retry") -> None:
        self._show("error", text, hint)

    def ready(self) -> None:
        self._show("ready", "")
