"""Modal forms validated by the service layer's pydantic models as the user types.

A form declares its fields (`FieldSpec`) and the input model (`MODEL`) that checks them, and
implements `submit()` with the platform call. Errors show under the field they belong to and in a
summary; saving is refused while any is open. A refused call keeps the form open with every
value the user typed: nothing is lost, and the vendor's code and message are shown in the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static

from tui.api.errors import ApiError

ResultT = TypeVar("ResultT")
FieldKind = Literal["text", "secret", "int", "float", "choice", "choices", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    """One form field; `name` is the input model's field it feeds (and where its errors go)."""

    name: str
    label: str
    kind: FieldKind = "text"
    placeholder: str = ""
    value: Any = None
    help: str = ""
    options: Sequence[tuple[str, str]] = field(default_factory=tuple)
    #: a blank optional field is left out of the model, so its default applies
    optional: bool = False


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


class FormField(Vertical):
    """A label, the input widget, and the line where its error shows."""

    DEFAULT_CSS = """
    FormField { height: auto; margin-bottom: 1; }
    FormField > .field-label { color: $text-muted; }
    FormField > .field-error { color: $error; display: none; }
    FormField.-invalid > .field-error { display: block; }
    FormField.-invalid > Input { border: tall $error; }
    FormField > .field-help { color: $text-muted; text-style: italic; }
    FormField > SelectionList { height: auto; max-height: 6; }
    """

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(id=f"field-{spec.name}")
        self.spec = spec

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Label(spec.label, classes="field-label")
        yield self._make_input(spec)
        if spec.help:
            yield Static(spec.help, classes="field-help")
        yield Static("", classes="field-error")

    @staticmethod
    def _make_input(spec: FieldSpec) -> Widget:
        wid = f"input-{spec.name}"
        if spec.kind == "choice":
            return Select(
                list((label, value) for label, value in spec.options),
                prompt=spec.placeholder or "choose…",
                value=spec.value if spec.value is not None else Select.NULL,
                id=wid,
            )
        if spec.kind == "choices":
            chosen = set(spec.value or ())
            return SelectionList[str](
                *((label, value, value in chosen) for label, value in spec.options), id=wid
            )
        if spec.kind == "bool":
            return Checkbox(spec.label, value=bool(spec.value), id=wid)
        return Input(
            value="" if spec.value is None else str(spec.value),
            placeholder=spec.placeholder,
            password=spec.kind == "secret",
            id=wid,
        )

    @property
    def input(self) -> Widget:
        return self.query_one(f"#input-{self.spec.name}")

    def raw(self) -> Any:
        widget = self.input
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, SelectionList):
            return list(widget.selected)
        if isinstance(widget, Checkbox):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def set_error(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-error", Static).update(message or "")

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        widget = self.input
        if isinstance(widget, Select):
            widget.set_options(options)
        elif isinstance(widget, SelectionList):
            widget.clear_options()
            widget.add_options([(label, value) for label, value in options])


class FormScreen(ModalScreen[ResultT], Generic[ResultT]):
    """A modal form: subclasses set TITLE and MODEL, list `fields()` and implement `submit()`."""

    TITLE: ClassVar[str] = "Form"
    MODEL: ClassVar[type[BaseModel]]
    SUBMIT_LABEL: ClassVar[str] = "Save"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.submit"),
    ]

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormScreen #form-title { text-style: bold; margin-bottom: 1; }
    FormScreen #form-fields { height: auto; max-height: 1fr; }
    FormScreen #form-summary { color: $error; height: auto; }
    FormScreen #form-summary.-ok { color: $success; }
    FormScreen #form-buttons { height: auto; align-horizontal: right; }
    FormScreen #form-buttons Button { margin-left: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._touched: set[str] = set()
        self.submitting = False

    # ------------------------------------------------------------------ what subclasses give

    def fields(self) -> list[FieldSpec]:
        raise NotImplementedError

    async def submit(self, model: Any) -> ResultT:
        """Call the platform with the validated model; raise ApiError when it refuses."""
        raise NotImplementedError

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        """Adjust raw values before validation (e.g. one choice into a list)."""
        return values

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.TITLE, id="form-title")
            with VerticalScroll(id="form-fields"):
                for spec in self.fields():
                    yield FormField(spec)
            yield Static("", id="form-summary")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="form-cancel")
                yield Button(self.SUBMIT_LABEL, id="form-submit", variant="primary")

    def form_field(self, name: str) -> FormField:
        return self.query_one(f"#field-{name}", FormField)

    def set_options(self, name: str, options: Sequence[tuple[str, str]]) -> None:
        self.form_field(name).set_options(options)

    # ------------------------------------------------------------------ validation

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The typed values, and conversion errors (a number field holding letters)."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for widget in self.query(FormField):
            spec = widget.spec
            raw = widget.raw()
            if isinstance(raw, str):
                raw = raw.strip()
            if raw in ("", None, []) and spec.optional:
                continue
            if spec.kind in ("int", "float") and isinstance(raw, str):
                try:
                    raw = int(raw) if spec.kind == "int" else float(raw)
                except ValueError:
                    errors[spec.name] = (
                        "must be a whole number" if spec.kind == "int" else "must be a number"
                    )
                    continue
            values[spec.name] = raw
        return values, errors

    def validate_form(self, *, show_all: bool) -> Any | None:
        """Validate; show errors (all of them, or only of touched fields); the model or None."""
        values, errors = self.values()
        model = None
        other: list[str] = []
        try:
            model = self.MODEL.model_validate(self.to_model_input(values))
        except ValidationError as exc:
            for error in exc.errors():
                loc = error.get("loc") or ()
                name = str(loc[0]) if loc else ""
                message = _clean(error["msg"])
                if error["type"] == "missing":
                    message = "required"
                if name and self.query(f"#field-{name}"):
                    errors.setdefault(name, message)
                else:
                    other.append(message)
        if errors:
            model = None
        for widget in self.query(FormField):
            name = widget.spec.name
            visible = show_all or name in self._touched
            widget.set_error(errors.get(name) if visible else None)
        summary = self.query_one("#form-summary", Static)
        summary.remove_class("-ok")
        if errors or other:
            shown = [n for n in errors if show_all or n in self._touched]
            lines = []
            if shown:
                labels = ", ".join(self.form_field(n).spec.label for n in shown)
                lines.append(f"{len(shown)} field(s) to fix: {labels}")
            if other and show_all:
                lines.extend(other)
            summary.update("\n".join(lines))
        else:
            summary.update("")
        return model

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Checkbox.Changed)
    def _changed(self, event: Any) -> None:
        widget = event.control if hasattr(event, "control") else None
        if widget is not None and widget.id and widget.id.startswith("input-"):
            self._touched.add(widget.id.removeprefix("input-"))
        self.validate_form(show_all=False)

    # ------------------------------------------------------------------ actions

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-submit")
    def action_submit(self) -> None:
        if self.submitting:
            return
        model = self.validate_form(show_all=True)
        if model is None:
            self.app.bell()
            return
        self._send(model)

    @on(Input.Submitted)
    def _enter_in_a_field(self) -> None:
        self.action_submit()

    @work(exclusive=True, group="form-submit")
    async def _send(self, model: Any) -> None:
        summary = self.query_one("#form-summary", Static)
        summary.remove_class("-ok")
        summary.update("Sending…")
        self.submitting = True
        app: Any = self.app
        app.busy_count += 1
        try:
            result = await self.submit(model)
        except ApiError as exc:
            summary.update(f"Refused: {exc.summary}")
            app.report(exc, f"{self.TITLE} failed")
            return
        finally:
            self.submitting = False
            app.busy_count -= 1
        self.dismiss(result)
