"""Before a bulk run: a menu of what can be done to the marked rows, and the plan to confirm.

`ActionMenu` lists the actions a list offers (from the platform's capabilities) and calls the
chosen one. `PlanScreen` shows what a run would change, on how many targets, the first rows,
what cannot be done and why, and how many of the marks the current filter hides; a destructive
plan asks the user to type the count. It dismisses with "run" (run it now, in this console),
"later" (keep it planned in the journal: `fleet bulk run N --detach` runs it in a background
process that outlives the terminal) or None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.bulk import Plan
from tui.widgets.safe import plain, visible

__all__ = ["ActionMenu", "MenuEntry", "PlanScreen"]

#: rows of the plan shown before the run (the rest are counted)
FIRST_ROWS = 8


@dataclass(frozen=True)
class MenuEntry:
    """One thing to do: its accelerator key, what it says, and what choosing it does."""

    key: str
    label: str
    choose: Callable[[], None]


class ActionMenu(ModalScreen["MenuEntry | None"]):
    """The actions on offer, each with its key; dismisses with the chosen entry (None on esc),
    which the caller then runs, once the menu is gone."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="action-menu.cancel"),
    ]

    DEFAULT_CSS = """
    ActionMenu { align: center middle; }
    ActionMenu > Vertical {
        width: 60; max-width: 100%; height: auto; border: thick $primary; background: $surface;
        border-title-style: bold; border-title-color: $text; border-subtitle-color: $text-muted;
    }
    ActionMenu OptionList, ActionMenu OptionList:focus {
        height: auto; max-height: 18; border: none; padding: 1 0; background: $surface;
    }
    ActionMenu #action-menu-what { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, title: str, what: str, entries: Sequence[MenuEntry]) -> None:
        super().__init__()
        self._title = title
        self._what = what
        self._entries = {f"entry-{n}": entry for n, entry in enumerate(entries)}
        self._keys = {e.key: name for name, e in self._entries.items() if e.key}

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self._title)
            box.border_subtitle = "enter choose · esc cancel"
            yield Static(plain(self._what), id="action-menu-what")
            yield OptionList(
                *(
                    Option(plain(f" {entry.key or ' '}  {entry.label}"), id=name)
                    for name, entry in self._entries.items()
                ),
                id="action-menu-choices",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: object) -> None:
        name = self._keys.get(getattr(event, "character", None) or "")
        if name is not None:
            event.stop()  # type: ignore[attr-defined]
            self._choose(name)

    def _choose(self, name: str) -> None:
        self.dismiss(self._entries[name])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._choose(event.option.id)


class PlanScreen(ModalScreen["str | None"]):
    """The plan of a bulk run, to confirm (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="plan.cancel"),
        Binding("ctrl+s", "run", "Run", id="plan.run"),
        Binding("ctrl+l", "run('later')", "Plan only", id="plan.later"),
    ]

    DEFAULT_CSS = """
    PlanScreen { align: center middle; }
    PlanScreen > Vertical {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
        border-title-style: bold; border-title-color: $text; border-subtitle-color: $text-muted;
    }
    PlanScreen.-safe > Vertical { border: thick $primary; }
    PlanScreen #plan-body { height: auto; max-height: 24; }
    PlanScreen #plan-confirm { height: auto; margin-top: 1; }
    PlanScreen #plan-confirm Input { width: 16; }
    PlanScreen #plan-confirm Static { width: 1fr; padding: 1 1 0 0; }
    PlanScreen #plan-buttons { height: 1; align-horizontal: right; margin-top: 1; }
    PlanScreen #plan-buttons Button { margin-left: 2; }
    PlanScreen #plan-hint { color: $error; height: auto; }
    """

    def __init__(self, plan: Plan, where: str, noun: str) -> None:
        super().__init__()
        self.plan = plan
        self._where = where
        self._noun = noun

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical() as box:
            box.border_title = plain(f"{plan.action.title}: the plan", limit=80)
            box.border_subtitle = "ctrl+s runs · ctrl+l plans only · esc cancels"
            with VerticalScroll(id="plan-body"):
                yield Static(self._summary(), id="plan-summary")
                yield Static(self._rows(), id="plan-rows")
                if plan.refused:
                    yield Static(self._refused(), id="plan-refused")
            if plan.destructive and plan.count:
                with Horizontal(id="plan-confirm"):
                    yield Static(plain(f"This cannot be undone. Type {plan.count} to confirm:"))
                    yield Input(placeholder=str(plan.count), id="plan-count")
            yield Static("", id="plan-hint")
            with Horizontal(id="plan-buttons"):
                yield Button("Cancel", id="plan-no", compact=True)
                yield Button(
                    f"Run on {plan.count:,}",
                    id="plan-yes",
                    variant="error" if plan.destructive else "primary",
                    compact=True,
                    disabled=plan.count == 0,
                )

    def on_mount(self) -> None:
        self.set_class(not self.plan.destructive, "-safe")
        if self.plan.destructive and self.plan.count:
            self.query_one("#plan-count", Input).focus()
        else:
            self.query_one("#plan-yes", Button).focus()

    def _summary(self) -> Text:
        plan = self.plan
        text = Text()
        text.append(f"{plan.action.title}: ", style="bold")
        text.append(f"{plan.count:,} {self._noun}", style="bold")
        text.append(f" on {visible(self._where)}\n")
        if plan.hidden_by_filter:
            text.append(
                f"{plan.hidden_by_filter:,} of them are marked but hidden by the current filter: "
                "they are in the plan.\n",
                style="bold yellow",
            )
        if plan.refused:
            text.append(f"{len(plan.refused):,} cannot be done (below).\n", style="yellow")
        if plan.action.kind == "unverifiable":
            text.append(
                "Sent once each: should the run stop half-way, what cannot be checked is listed "
                "for you to decide, never sent twice.\n",
                style="dim",
            )
        return text

    def _rows(self) -> Table:
        plan = self.plan
        grid = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
        grid.add_column("Key", style="dim", no_wrap=True, overflow="ellipsis", max_width=26)
        grid.add_column("Name", no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column("Change", no_wrap=True, overflow="ellipsis", ratio=1)
        for target in plan.targets[:FIRST_ROWS]:
            grid.add_row(
                plain(target.key or "(new)"),
                plain(target.label or "—"),
                plain(plan.action.describe(target)),
            )
        if plan.count > FIRST_ROWS:
            grid.add_row("", Text(f"… and {plan.count - FIRST_ROWS:,} more", style="dim"), "")
        return grid

    def _refused(self) -> Text:
        text = Text("Cannot be done:\n", style="bold yellow")
        for target, reason in self.plan.refused[:FIRST_ROWS]:
            text.append(f"  {visible(target.key or target.label)}: ", style="dim")
            text.append(f"{visible(reason)}\n")
        if len(self.plan.refused) > FIRST_ROWS:
            text.append(f"  … and {len(self.plan.refused) - FIRST_ROWS:,} more\n", style="dim")
        return text

    def _confirmed(self) -> bool:
        if not (self.plan.destructive and self.plan.count):
            return True
        return self.query_one("#plan-count", Input).value.strip() == str(self.plan.count)

    def action_run(self, when: str = "run") -> None:
        if self.plan.count == 0:
            return
        if not self._confirmed():
            self.query_one("#plan-hint", Static).update(
                plain(f"Type {self.plan.count} (the number of {self._noun}) to run.")
            )
            self.app.bell()
            return
        self.dismiss(when)

    @on(Input.Submitted, "#plan-count")
    def _typed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#plan-yes")
    def _yes(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#plan-no")
    def _no(self) -> None:
        self.dismiss(None)
