"""A list of what a platform keeps besides its devices (Telit's thing definitions and application
tokens): rows from one call, `n` creates one from the platform's forms, `r` reloads.

A subclass names its view, its noun, its columns and the capability it needs, reads the rows
(`fetch`) and makes each row's cells (`cells`); `created` says what to do with what a form made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from tui.api.forms import FormSpec
from tui.api.platform import Platform
from tui.screens.base import FleetScreen
from tui.screens.form_menu import open_form
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain
from tui.widgets.state import LoadState

__all__ = ["CatalogueScreen"]

ItemT = TypeVar("ItemT")


class CatalogueScreen(FleetScreen[None], Generic[ItemT]):
    """Rows of one kind the platform keeps (see the module docstring)."""

    #: what the rows are, in the plural ("thing definitions")
    NOUN: ClassVar[str] = "items"
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    #: the capability a platform needs for this view
    CAPABILITY: ClassVar[type]
    DANGEROUS: ClassVar[frozenset[str]] = frozenset({"new_item"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="catalogue.reload"),
        Binding("n", "new_item", "New", id="catalogue.new"),
    ]

    DEFAULT_CSS = """
    CatalogueScreen #catalogue-table { height: 1fr; }
    CatalogueScreen #catalogue-info {
        height: 1; padding: 0 1; color: $text-muted; background: $panel;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ItemT] = []

    # ------------------------------------------------------------------ what a subclass gives

    async def fetch(self, platform: Any) -> list[ItemT]:
        raise NotImplementedError

    def key_of(self, item: ItemT) -> str:
        raise NotImplementedError

    def cells(self, item: ItemT) -> Sequence[Text]:
        raise NotImplementedError

    def forms(self, platform: Any) -> list[FormSpec]:
        return []

    async def create(self, platform: Any, form: str, values: Any) -> Any:
        raise NotImplementedError

    def created(self, made: Any) -> str | None:
        """What the screen does with what a form made; answers the new row's key."""
        return str(made) if made else None

    def summary(self, items: list[ItemT]) -> str:
        """The line under the table."""
        return f"{len(items):,} {self.NOUN}"

    # ------------------------------------------------------------------ layout and loading

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield LoadState(
            DataTable(id="catalogue-table", cursor_type="row", zebra_stripes=True),
            Static("", id="catalogue-info"),
            id="catalogue-state",
        )
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#catalogue-table", DataTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.table.add_columns(*self.COLUMNS)
        self.query_one(LoadState).loading(f"Loading {self.NOUN}…")

    def offered(self, platform: Platform | None) -> bool:
        return isinstance(platform, self.CAPABILITY)

    def on_session(self) -> None:
        state = self.query_one(LoadState)
        if self.fleet.open_error:
            state.error(self.fleet.open_error, "open another profile with :profiles")
            return
        platform = self.platform
        if platform is None:
            return
        if not self.offered(platform):
            self.table.clear()
            self.items = []
            state.empty(f"{platform.title} has no {self.NOUN}", ": jumps to a view")
            return
        state.loading(f"Loading {self.NOUN}…")
        self.load()

    def action_reload(self) -> None:
        self.on_session()

    @work(exclusive=True, group="catalogue-load")
    async def load(self, select: str | None = None) -> None:
        platform = self.platform
        if not self.offered(platform):
            return
        state = self.query_one(LoadState)
        try:
            async with self.busy():
                items = await self.fetch(platform)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            state.error(f"Could not load {self.NOUN}: {self.report(exc, self.NOUN.capitalize())}")
            return
        if platform is not self.platform:
            return  # another profile was opened meanwhile
        self._show(items, select)

    def _show(self, items: list[ItemT], select: str | None) -> None:
        self.items = items
        table = self.table
        table.clear()
        for item in items:
            table.add_row(*self.cells(item), key=self.key_of(item))
        self.query_one("#catalogue-info", Static).update(plain(self.summary(items)))
        state = self.query_one(LoadState)
        if items:
            state.ready()
            table.focus()
            keys = [self.key_of(i) for i in items]
            if select in keys:
                table.move_cursor(row=keys.index(select), animate=False)
        else:
            hint = "n creates one · r reloads" if self.forms(self.platform) else "r reloads"
            state.empty(f"No {self.NOUN}", hint)
        self.refresh_bindings()

    def cursor_item(self) -> ItemT | None:
        row = self.table.cursor_row
        return self.items[row] if self.items and 0 <= row < len(self.items) else None

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        if action == "new_item":
            platform = self.platform
            return self.offered(platform) and bool(self.forms(platform))
        return True

    def action_new_item(self) -> None:
        platform = self.platform
        if not self.offered(platform):
            return

        async def send(form: str, values: Any) -> Any:
            return await self.create(platform, form, values)

        def done(made: Any) -> None:
            if made is not None:
                self.load(select=self.created(made))

        open_form(self.app, "New", self.forms(platform), send, done)
