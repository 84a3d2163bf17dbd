"""Modal forms validated by the service layer's pydantic models as the user types.

A form declares its fields (`FieldSpec`) and the input model (`MODEL`) that checks them, and
implements `submit()` with the platform call. Errors show beside the field they belong to and in a
summary; saving is refused while any is open. A refused call keeps the form open with every
value the user typed: nothing is lost, and the vendor's code and message are shown in the form
(and at the field the vendor objected to, when the form can tell which one).

Pickers whose options come from the platform are filled by `load_options()`, which runs the
look-up in a worker and shows "loading…" in the picker meanwhile; a failed look-up shows at the
field and as a notification. Secret fields are masked until the user reveals them (ctrl+r).

`ModelForm` is the form of a platform's `FormSpec` (tui/api/forms.py): its fields are generated
from the spec's input model (`fields_from_model`), so a platform adds a form without a line of
screen code.
"""

from __future__ import annotations

import types
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
)

from pydantic import BaseModel, ValidationError
from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from tui.api.errors import ApiError
from tui.api.forms import FormSpec, field_of
from tui.widgets.safe import MESSAGE_LIMIT, one_line, plain, visible

if TYPE_CHECKING:
    from tui.api.platform import Platform
    from tui.app import FleetApp

ResultT = TypeVar("ResultT")
FieldKind = Literal["text", "multiline", "secret", "int", "float", "choice", "choices", "bool"]
#: an async look-up that answers a picker's options as (label, value) pairs
OptionLoader = Callable[[], Awaitable[Sequence[tuple[str, str]]]]


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


#: what a blank required field says, by kind
BLANK = {"choice": "choose one", "choices": "choose at least one"}


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _attributed(message: str, names: Collection[str]) -> tuple[str | None, str]:
    """A model-level error names its field first (`"username: required with a password"`)."""
    head, sep, rest = message.partition(": ")
    return (head, rest) if sep and head in names else (None, message)


def _unwrap(annotation: Any) -> Any:
    """`X | None` → X."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def fields_from_model(
    model: type[BaseModel], choices: Collection[str] = (), values: Mapping[str, Any] | None = None
) -> list[FieldSpec]:
    """The form fields of an input model, in its order: the title is the label, the description
    the help line, `ui(...)` the rest (tui/api/forms.py); fields named in `choices` are pickers
    filled from the platform; `values` (what an edited thing holds now) replace the defaults.
    A field whose default is None is optional (blank leaves it out)."""
    current = values or {}
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        extra = field_of(model, name)
        base = _unwrap(info.annotation)
        options = tuple((label, value) for label, value in extra.get("options", ()))
        listed = get_origin(base) is list
        kind: FieldKind
        if base is bool:
            kind = "bool"
        elif base is int:
            kind = "int"
        elif base is float:
            kind = "float"
        elif listed and (name in choices or options):
            kind = "choices"
        elif name in choices or options:
            kind = "choice"
        elif extra.get("secret"):
            kind = "secret"
        elif extra.get("multiline"):
            kind = "multiline"
        else:
            kind = "text"
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if listed and kind == "text":
            default = ", ".join(default) if default else None
        # Blank leaves a field with a default out (the default applies): None, or "" unless the
        # model checks that default (then blank is refused in the vendor's words: required).
        blank = default is None or (default == "" and not info.validate_default)
        optional = not info.is_required() and blank and kind != "bool"
        if name in current:
            default = current[name]
            if listed and kind == "text" and isinstance(default, list):
                default = ", ".join(str(v) for v in default) or None
        specs.append(
            FieldSpec(
                name,
                info.title or name.replace("_", " ").capitalize(),
                kind=kind,
                placeholder=str(extra.get("placeholder", "")),
                value=default,
                help=info.description or "",
                options=options,
                optional=optional,
            )
        )
    return specs


class _PickList(SelectionList[str]):
    """A multiple choice whose first option is highlighted when focus arrives, so that `space`
    picks it at once (a plain SelectionList highlights nothing until an arrow is pressed)."""

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        if self.highlighted is None and self.option_count:
            self.highlighted = 0


class FormField(Horizontal):
    """The label on the left; the input widget, its help, status and error line on the right."""

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > .field-label { width: 20; padding: 1 1 0 0; color: $text-muted; }
    FormField > .field-body { width: 1fr; height: auto; }
    FormField .field-help { color: $text-muted; text-style: italic; padding: 0 1; }
    FormField .field-status { color: $text-muted; padding: 0 1; display: none; }
    FormField .field-status.-shown { display: block; }
    FormField .field-error { color: $error; display: none; padding: 0 1; }
    FormField.-invalid .field-error { display: block; }
    FormField.-invalid > .field-label { color: $error; }
    FormField.-invalid Input { border: tall $error; }
    FormField.-invalid Select > SelectCurrent { border: tall $error; }
    FormField.-invalid SelectionList { border: tall $error; }
    FormField.-invalid TextArea { border: tall $error; }
    FormField TextArea { height: 6; }
    FormField SelectionList { height: auto; max-height: 8; }
    """

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(id=f"field-{spec.name}")
        self.spec = spec

    def compose(self) -> ComposeResult:
        spec = self.spec
        label = spec.label if not spec.optional else f"{spec.label} (optional)"
        # A checkbox carries its own label, beside the box, as people expect to click it.
        yield Label("" if spec.kind == "bool" else label, classes="field-label")
        with Vertical(classes="field-body"):
            yield self._make_input(spec)
            if spec.help:
                yield Static(spec.help, classes="field-help")
            yield Static("", classes="field-status")
            yield Static("", classes="field-error")

    def _prompt(self) -> str:
        return self.spec.placeholder or "choose…"

    def _make_input(self, spec: FieldSpec) -> Widget:
        wid = f"input-{spec.name}"
        if spec.kind == "choice":
            return Select(
                list((label, value) for label, value in spec.options),
                prompt=self._prompt(),
                # A blank default ("") is no choice yet: a Select only holds offered values.
                value=spec.value if spec.value not in (None, "") else Select.NULL,
                id=wid,
            )
        if spec.kind == "choices":
            chosen = set(spec.value or ())
            return _PickList(
                *((label, value, value in chosen) for label, value in spec.options), id=wid
            )
        if spec.kind == "bool":
            return Checkbox(spec.label, value=bool(spec.value), id=wid)
        if spec.kind == "multiline":
            # tab moves to the next field, as everywhere in a form; soft wrap, no line numbers
            return TextArea(
                "" if spec.value is None else str(spec.value),
                soft_wrap=True,
                tab_behavior="focus",
                show_line_numbers=False,
                placeholder=spec.placeholder,
                id=wid,
            )
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
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def set_error(self, message: str | None) -> None:
        # A vendor's refusal can land here: data, never markup.
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-error", Static).update(plain(message or "", limit=MESSAGE_LIMIT))

    def set_status(self, text: str | None) -> None:
        """A muted line under the input ("loading connections…"); None hides it."""
        status = self.query_one(".field-status", Static)
        status.update(plain(text or "", limit=MESSAGE_LIMIT))
        status.set_class(bool(text), "-shown")

    def set_loading(self, text: str) -> None:
        widget = self.input
        if isinstance(widget, Select):
            widget.prompt = visible(text)
        else:
            self.set_status(text)

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        """Replace the choices, keeping what was chosen when it is still offered.

        Labels come from the platform (model and connection names): shown as data.
        """
        widget = self.input
        values = {value for _, value in options}
        if isinstance(widget, Select):
            previous = widget.value
            widget.set_options([(plain(label), value) for label, value in options])
            widget.prompt = self._prompt() if options else "none available"
            if previous is not Select.NULL and previous in values:
                widget.value = previous
            elif self.spec.value is not None and self.spec.value in values:
                widget.value = self.spec.value
        elif isinstance(widget, SelectionList):
            chosen = set(widget.selected) | set(self.spec.value or ())
            widget.clear_options()
            widget.add_options([(plain(label), value, value in chosen) for label, value in options])
        self.set_status(None if options else "none available")


class FormScreen(ModalScreen[ResultT], Generic[ResultT]):
    """A modal form: subclasses set TITLE and MODEL, list `fields()` and implement `submit()`.

    Optional hooks: `to_model_input()` adapts raw values, `check()` adds the vendor's rules that
    the input model does not hold (cross-field ones, check digits), `error_field()` names the
    field a vendor refusal is about. `on_mount` may start `load_options()` for pickers.
    """

    TITLE: ClassVar[str] = "Form"
    MODEL: ClassVar[type[BaseModel]]
    SUBMIT_LABEL: ClassVar[str] = "Save"
    #: the form changes the platform: refused (nothing sent) on a read-only profile
    MUTATES: ClassVar[bool] = True

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.submit"),
        Binding("ctrl+r", "reveal", "Show/hide secrets", id="form.reveal"),
        # Priority: the app moves the focus before it hands on the keys that follow. Typed ahead
        # (over SSH, keys come in bursts: "lab<tab>https://…"), the text after a tab would
        # otherwise reach the field the tab left, which had them queued before the tab bubbled up.
        Binding("tab", "app.focus_next", show=False, priority=True, id="form.next"),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True, id="form.previous"),
    ]

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
        border-title-style: bold; border-title-color: $text;
        border-subtitle-color: $text-muted;
    }
    FormScreen #form-fields { height: auto; padding-right: 1; }
    FormScreen #form-summary { color: $error; height: auto; padding: 0 1; }
    FormScreen #form-summary.-busy { color: $text-muted; }
    FormScreen #form-buttons { height: 1; align-horizontal: right; margin-top: 1; }
    FormScreen #form-buttons Button { margin-left: 2; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._touched: set[str] = set()
        #: errors that come from outside the values: a failed look-up, a vendor refusal
        self._external: dict[str, str] = {}
        self.revealed = False
        self.submitting = False
        self._summary_text = ""

    # ------------------------------------------------------------------ what subclasses give

    def fields(self) -> list[FieldSpec]:
        raise NotImplementedError

    async def submit(self, model: Any) -> ResultT:
        """Call the platform with the validated model; raise ApiError when it refuses."""
        raise NotImplementedError

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        """Adjust raw values before validation (e.g. one choice into a list)."""
        return values

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        """Field name → error, for the vendor's rules that the input model does not express."""
        return {}

    def error_field(self, exc: ApiError) -> str | None:
        """The field a vendor refusal is about (a 409 on a duplicate EUI), or None."""
        return None

    # ------------------------------------------------------------------ layout

    @property
    def fleet(self) -> FleetApp:
        return self.app  # type: ignore[return-value]

    @property
    def platform(self) -> Platform | None:
        return getattr(self.app, "platform", None)

    @property
    def has_secrets(self) -> bool:
        return any(f.spec.kind == "secret" for f in self.query(FormField))

    def compose(self) -> ComposeResult:
        specs = self.fields()
        with Vertical(id="form") as box:
            box.border_title = plain(self.TITLE, limit=120)  # may name a device: not markup
            keys = ["ctrl+s save", "esc cancel"]
            if any(spec.kind == "secret" for spec in specs):
                keys.append("ctrl+r show secrets")
            box.border_subtitle = " · ".join(keys)
            with VerticalScroll(id="form-fields"):
                for spec in specs:
                    yield FormField(spec)
            yield Static("", id="form-summary")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="form-cancel", compact=True)
                yield Button(self.SUBMIT_LABEL, id="form-submit", variant="primary", compact=True)

    def on_mount(self) -> None:
        """Focus the first field (subclasses that load pickers call this first)."""
        first = next(iter(self.query(FormField)), None)
        if first is not None:
            first.input.focus()

    def set_summary(self, text: str, *, busy: bool = False) -> None:
        """The line(s) above the buttons: what to fix, "Sending…", or the vendor's refusal."""
        summary = self.query_one("#form-summary", Static)
        summary.set_class(busy, "-busy")
        if text != self._summary_text:
            self._summary_text = text
            summary.update(plain(text, multiline=True))
            self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Cap the fields' height so that the summary and buttons stay on screen; fields scroll.

        (CSS cannot say "shrink to content, but leave room for the rows below" in an auto-height
        dialog, so the cap is computed from the screen's height.)
        """
        summary = self.query_one("#form-summary", Static)
        width = max(20, (summary.size.width or 70) - 2)
        lines = sum(max(1, -(-cell_len(line) // width)) for line in self._summary_text.split("\n"))
        # border (2), summary, the buttons' margin (1) and row (1)
        room = self.size.height - 2 - lines - 2
        self.query_one("#form-fields").styles.max_height = max(3, room)

    def form_field(self, name: str) -> FormField:
        return self.query_one(f"#field-{name}", FormField)

    def set_options(self, name: str, options: Sequence[tuple[str, str]]) -> None:
        self.form_field(name).set_options(options)

    def set_field_error(self, name: str, message: str | None) -> None:
        """An error from outside the typed values; it stays until the user changes the field."""
        if message:
            self._external[name] = message
        else:
            self._external.pop(name, None)
        self.validate_form(show_all=False)

    def load_options(
        self, name: str, loader: OptionLoader, *, what: str, autoselect: bool = True
    ) -> None:
        """Fill a picker from the platform in a worker; "loading {what}…" shows meanwhile.

        With `autoselect`, a required single-choice field that is offered one option gets it.
        """
        self.form_field(name).set_loading(f"loading {what}…")
        self.run_worker(
            self._load_options(name, loader, what, autoselect),
            group=f"form-options-{name}",
            exclusive=True,
        )

    async def _load_options(
        self, name: str, loader: OptionLoader, what: str, autoselect: bool
    ) -> None:
        # The picker says "loading…" itself. The app's busy count is left alone: the header
        # spinner sits on the screen behind this modal, which Textual does not repaint meanwhile.
        app: Any = self.app
        try:
            options = list(await loader())
        except Exception as exc:  # the vendor's words, or an internal error with its log
            text = app.report(exc, f"Loading {what}")
            try:
                widget = self.form_field(name)
            except NoMatches:
                return
            widget.set_loading(f"could not load {what}")
            self.set_field_error(name, f"could not load {what}: {text}")
            return
        try:
            widget = self.form_field(name)
        except NoMatches:
            return  # the form was closed meanwhile
        widget.set_options(options)
        self._external.pop(name, None)
        if autoselect and len(options) == 1 and widget.spec.kind == "choice":
            select = widget.input
            if isinstance(select, Select) and select.value is Select.NULL:
                select.value = options[0][1]
        self.validate_form(show_all=False)

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
            if raw in ("", None, []):
                # blank: an optional field is left out (its default applies); any other is missing
                if not spec.optional:
                    errors[spec.name] = BLANK.get(spec.kind, "required")
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
        names = {w.spec.name for w in self.query(FormField)}
        try:
            model = self.MODEL.model_validate(self.to_model_input(values))
        except ValidationError as exc:
            for error in exc.errors():
                loc = error.get("loc") or ()
                # A rule that spans fields names the one it is about first ("username: …").
                named, message = _attributed(_clean(error["msg"]), names)
                name = named or (str(loc[0]) if loc else None)
                if error["type"] == "missing":
                    message = "required"
                if name in names:
                    errors.setdefault(name, message)
                else:
                    other.append(message)
        for name, message in self.check(values).items():
            if name in names:
                errors.setdefault(name, message)
            else:
                other.append(message)
        # Errors from outside (a failed look-up, a refusal) say more than "choose one", and show
        # whether or not the field was touched.
        external = {n: m for n, m in self._external.items() if n in names}
        errors.update(external)
        if errors or other:
            model = None
        for widget in self.query(FormField):
            name = widget.spec.name
            visible = show_all or name in self._touched or name in external
            widget.set_error(errors.get(name) if visible else None)
        order = [w.spec.name for w in self.query(FormField)]
        shown = [
            n for n in order if n in errors and (show_all or n in self._touched or n in external)
        ]
        lines = []
        if shown:
            labels = ", ".join(self.form_field(n).spec.label for n in shown)
            lines.append(f"{len(shown)} field(s) to fix: {labels}")
        if other and show_all:
            lines.extend(other)
        self.set_summary("\n".join(lines))
        return model

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    def _changed(self, event: Any) -> None:
        widget = getattr(event, "control", None)
        if widget is not None and widget.id and widget.id.startswith("input-"):
            name = widget.id.removeprefix("input-")
            self._touched.add(name)
            self._external.pop(name, None)
        self.validate_form(show_all=False)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.has_secrets
        return True

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_reveal(self) -> None:
        """Show or mask every secret field together."""
        self.revealed = not self.revealed
        for widget in self.query(FormField):
            if widget.spec.kind == "secret":
                entry = widget.input
                if isinstance(entry, Input):
                    entry.password = not self.revealed

    @on(Button.Pressed, "#form-submit")
    def action_submit(self) -> None:
        if self.submitting:
            return
        model = self.validate_form(show_all=True)
        if model is None:
            self.app.bell()
            # The first field to fix gets the focus, at the top of the form in a short terminal
            # (once the error lines just shown have their height).
            self.call_after_refresh(self._show_first_invalid)
            return
        if self.MUTATES and getattr(self.app, "is_readonly", False):
            self.set_summary("This profile is read-only: nothing was sent.")
            self.app.notify("This profile is read-only.", title=self.TITLE, severity="warning")
            return
        self._send(model)

    def _show_first_invalid(self) -> None:
        invalid = next((f for f in self.query(FormField) if f.has_class("-invalid")), None)
        if invalid is not None:
            invalid.input.focus(scroll_visible=False)
            fields = self.query_one("#form-fields", VerticalScroll)
            fields.scroll_to_widget(invalid, animate=False, top=True)

    @on(Input.Submitted)
    def _enter_in_a_field(self) -> None:
        self.action_submit()

    @work(exclusive=True, group="form-submit")
    async def _send(self, model: Any) -> None:
        self.set_summary("Sending…", busy=True)
        save = self.query_one("#form-submit", Button)
        save.disabled = True
        self.submitting = True
        # "Sending…" shows in the form; the header spinner behind the modal would not animate.
        try:
            result = await self.submit(model)
        except Exception as exc:  # the form stays open with everything typed: nothing is lost
            self._refused(exc)
            return
        finally:
            self.submitting = False
            save.disabled = False
        self.dismiss(result)

    def _refused(self, exc: Exception) -> None:
        app: Any = self.app
        text = app.report(exc, f"{one_line(self.TITLE, 80)} failed")
        name = self.error_field(exc) if isinstance(exc, ApiError) else None
        if isinstance(exc, ApiError) and name is not None and self.query(f"#field-{name}"):
            self._external[name] = exc.message
            self.validate_form(show_all=False)
        label = "Refused" if isinstance(exc, ApiError) else "Not sent"
        self.set_summary(f"{label}: {one_line(text)}")  # the whole text: `!`


class ModelForm(FormScreen[ResultT]):
    """The form of a platform's `FormSpec`: fields from its model, pickers from its choices.

    `send` makes the platform call with the validated model and answers what the form
    dismisses with; `title` overrides the spec's (e.g. to name the device a command goes to).
    """

    def __init__(
        self,
        spec: FormSpec,
        send: Callable[[Any], Awaitable[ResultT]],
        *,
        title: str | None = None,
        mutates: bool = True,
    ) -> None:
        self.spec = spec
        self.MODEL = spec.model
        self.TITLE = title or spec.title
        self.SUBMIT_LABEL = spec.submit
        self.MUTATES = mutates
        self._send_model = send
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return fields_from_model(self.spec.model, self.spec.choices, self.spec.values)

    def on_mount(self) -> None:
        super().on_mount()
        for name, loader in self.spec.choices.items():
            self.load_options(name, _pairs(loader), what=self.form_field(name).spec.label.lower())

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        for widget in self.query(FormField):
            spec = widget.spec
            raw = out.get(spec.name)
            listed = get_origin(_unwrap(self.MODEL.model_fields[spec.name].annotation)) is list
            if spec.kind == "text" and listed and isinstance(raw, str):
                # A list typed as one line: "tag1, tag2".
                out[spec.name] = [part.strip() for part in raw.split(",") if part.strip()]
        return out

    def error_field(self, exc: ApiError) -> str | None:
        duplicate = exc.status == 409 or (exc.code or "") in self.spec.conflict_codes
        return self.spec.conflict_field if duplicate else None

    async def submit(self, model: Any) -> ResultT:
        return await self._send_model(model)


def _pairs(loader: Callable[[], Awaitable[Sequence[Any]]]) -> OptionLoader:
    async def load() -> Sequence[tuple[str, str]]:
        return [(choice.label, choice.value) for choice in await loader()]

    return load
