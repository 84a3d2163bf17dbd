"""Which of a platform's forms to open: "New" (a LoRaWAN device, a cellular one, a multicast
group…) or "Send" (a downlink, a command…), listed from the platform's own `FormSpec`s.

`open_form(app, forms, make, done)` opens the one form directly, or this menu when there are
several; the menu pushes the chosen form and dismisses with that form's result (or None).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.api.forms import FormSpec
from tui.widgets.form import FormScreen, ModelForm
from tui.widgets.safe import plain

__all__ = ["FormMenu", "open_form"]

MakeForm = Callable[[FormSpec], FormScreen[Any]]
#: the platform call a form ends in: its id and the validated model → the result
Send = Callable[[str, Any], Awaitable[Any]]


def open_form(
    app: App[Any],
    title: str,
    forms: Sequence[FormSpec],
    send: Send,
    done: Callable[[Any], None],
    *,
    form_title: Callable[[FormSpec], str] = lambda spec: f"New {spec.title}",
) -> None:
    """The form itself when the platform offers one, else a menu of them; `send` makes the
    platform call with the form's id and model, `done` gets its result (None: cancelled)."""

    def make(spec: FormSpec) -> FormScreen[Any]:
        async def submit(values: Any) -> Any:
            return await send(spec.id, values)

        return ModelForm(spec, submit, title=form_title(spec))

    if len(forms) == 1:
        app.push_screen(make(forms[0]), done)
    else:
        app.push_screen(FormMenu(title, forms, make), done)


class FormMenu(ModalScreen[Any]):
    """The forms on offer, each with its accelerator key; `esc` closes with None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form-menu.cancel"),
    ]

    DEFAULT_CSS = """
    FormMenu { align: center middle; }
    FormMenu > Vertical {
        width: 48; max-width: 100%; height: auto; border: thick $primary; background: $surface;
        border-title-style: bold; border-title-color: $text; border-subtitle-color: $text-muted;
    }
    FormMenu > Vertical > OptionList, FormMenu > Vertical > OptionList:focus {
        height: auto; border: none; padding: 1 0; background: $surface;
    }
    FormMenu #form-menu-note { color: $text-muted; padding: 0 1; height: auto; }
    """

    def __init__(self, title: str, forms: Sequence[FormSpec], make: MakeForm) -> None:
        super().__init__()
        self._title = title
        self._forms = {form.id: form for form in forms}
        self._keys = {form.key: form.id for form in forms if form.key}
        self._make = make

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self._title)
            box.border_subtitle = "enter choose · esc cancel"
            yield OptionList(
                *(
                    Option(plain(f" {form.key or ' '}  {_capitalized(form.title)}"), id=form.id)
                    for form in self._forms.values()
                ),
                id="form-menu-choices",
            )
            yield Static("", id="form-menu-note")

    def on_mount(self) -> None:
        note = self.query_one("#form-menu-note", Static)
        if not self._forms:
            note.update("Nothing to choose on this platform.")
        else:
            note.display = False
        self.query_one(OptionList).focus()

    def on_key(self, event: Any) -> None:
        # Each form's own accelerator, as the menu shows it.
        choice = self._keys.get(getattr(event, "character", None) or "")
        if choice is not None:
            event.stop()
            self.choose(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def choose(self, form_id: str) -> None:
        self.app.push_screen(self._make(self._forms[form_id]), self._form_done)

    def _form_done(self, result: Any) -> None:
        # not `self.dismiss` as the callback: its awaitable would be awaited from this screen
        self.dismiss(result)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.choose(event.option.id)


def _capitalized(title: str) -> str:
    """A form's title as a menu entry: "cellular device" → "Cellular device"."""
    return title[:1].upper() + title[1:]
