"""The connections view: where the platform sends device data (ThingPark's application servers
and IoT Flow connections…), in one list, and new ones from the platform's own forms."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from tui.api.models import Connection
from tui.api.platform import (
    CONNECTION_FIELDS,
    ConnectionEditing,
    Connections,
    ConnectionSwitching,
    ConnectionThings,
)
from tui.screens.base import FleetScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.form_menu import open_form
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain, visible
from tui.widgets.state import LoadState

#: states and health values that mean "working"; anything else is worth a look
GOOD = frozenset({"ACTIVE", "OPENED", "OK", "CONNECTED", "RUNNING"})
BAD = frozenset(
    {"ERROR", "FAILED", "FAILURE", "CLOSED", "DOWN", "KO", "DEACTIVATED", "DISCONNECTED"}
)
#: every column a connection can fill (the console's and `fleet connections list`'s)
FIELDS = CONNECTION_FIELDS
#: the default columns' titles, in order (a platform that renames none shows these)
COLUMNS = tuple(title for _, title in FIELDS if title)
#: from this width on, every column fits
WIDE = 100


def status_text(value: str | None) -> Text:
    """A state or health value coloured: green when working, red when broken, yellow otherwise."""
    if not value:
        return Text("—", style="dim")
    upper = value.upper()
    style = "green" if upper in GOOD else "red" if upper in BAD else "yellow"
    return plain(value, style)


def columns_for(labels: dict[str, str | None]) -> list[tuple[str, str]]:
    """(field, title) of the columns a platform's connections show, in order."""
    shown = []
    for name, title in FIELDS:
        title = labels.get(name, title)
        if title:
            shown.append((name, title))
    return shown


def cell(connection: Connection, name: str, kinds: dict[str, str]) -> Text:
    """One connection's cell of the column `name`."""
    if name == "name":
        return plain(connection.name, "bold")
    if name == "kind":
        return plain(kinds.get(connection.kind, connection.kind))
    if name in ("state", "health"):
        return status_text(getattr(connection, name))
    if name == "device_count":
        count = connection.device_count
        return Text(f"{count:,}" if count is not None and count >= 0 else "—", justify="right")
    if name == "key":
        return plain(connection.key, "dim")
    return plain(getattr(connection, name) or "—")


def connection_row(
    connection: Connection, kinds: dict[str, str], labels: dict[str, str | None] | None = None
) -> tuple[Text, ...]:
    return tuple(cell(connection, name, kinds) for name, _ in columns_for(labels or {}))


class ConnectionsScreen(FleetScreen[None]):
    """Every connection of the open platform; `n` and `m` create new ones."""

    VIEW = "connections"
    DANGEROUS: ClassVar[frozenset[str]] = frozenset(
        {
            "new_connection",
            "edit_connection",
            "toggle_active",
            "delete_connection",
            "thing_from_connection",
            "toggle_auto_create",
            "sync_connections",
        }
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="connections.reload"),
        Binding("n", "new_connection", "New", id="connections.new"),
        Binding("e", "edit_connection", "Edit", id="connections.edit"),
        Binding("a", "toggle_active", "On/off", id="connections.toggle"),
        Binding("ctrl+d", "delete_connection", "Delete", id="connections.delete"),
        Binding("t", "thing_from_connection", "Thing from it", id="connections.thing"),
        Binding("A", "toggle_auto_create", "Auto-create things", id="connections.auto_create"),
        Binding("s", "sync_connections", "Sync carriers", id="connections.sync"),
        Binding("escape", "escape", "Cancel / back", show=False, id="connections.escape"),
    ]

    DEFAULT_CSS = """
    ConnectionsScreen #connections-table { height: 1fr; }
    ConnectionsScreen #connections-info {
        height: 1; padding: 0 1; color: $text-muted; background: $panel;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.connections: list[Connection] = []
        self._width = 0
        #: whether a new connection makes a thing by itself (ConnectionThings); None: unknown
        self.auto_create: bool | None = None

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield LoadState(
            DataTable(id="connections-table", cursor_type="row", zebra_stripes=True),
            Static("", id="connections-info"),
            id="connections-state",
        )
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(LoadState).loading("Loading connections…")

    def on_resize(self) -> None:
        if self.connections and self.size.width != self._width:
            self._show(self.connections)

    # ------------------------------------------------------------------ loading

    def on_session(self) -> None:
        state = self.query_one(LoadState)
        if self.fleet.open_error:
            state.error(self.fleet.open_error, "open another profile with :profiles")
            return
        if self.platform is None:
            return
        if not isinstance(self.platform, Connections):
            self._show([])
            state.empty(
                f"{self.platform.title} has no connections to list",
                "this platform keeps no list of where its data goes",
            )
            return
        self.connections = []
        self.query_one("#connections-table", DataTable).clear()
        state.loading("Loading connections…")
        self.load()

    def action_reload(self) -> None:
        if self.platform is None and not self.fleet.open_error:
            return
        if isinstance(self.platform, Connections):
            self.load()
        else:
            self.on_session()

    @work(exclusive=True, group="connections-load")
    async def load(self, select: str | None = None) -> None:
        """(Re)load the list; `select` puts the cursor on that connection once it is shown."""
        platform = self.platform
        if not isinstance(platform, Connections):
            return
        state = self.query_one(LoadState)
        try:
            async with self.busy():
                connections = await platform.list_connections()
        except Exception as exc:  # the vendor's words, or an internal error with its log
            state.error(f"Could not load connections: {self.report(exc, 'Loading connections')}")
            return
        if platform is not self.platform:
            return  # the user opened another profile meanwhile; its own load is running
        self._show(connections, select)
        if isinstance(platform, ConnectionThings):
            self._read_auto_create(platform)
        if connections:
            state.ready()
        else:
            state.empty("No connections yet", "n creates one")

    def _kinds(self) -> dict[str, tuple[str, str]]:
        platform = self.platform
        return platform.CONNECTION_KINDS if isinstance(platform, Connections) else {}

    def _labels(self) -> dict[str, str]:
        return {kind: one for kind, (one, _) in self._kinds().items()}

    def action_escape(self) -> None:
        """Stop waiting for a platform that does not answer; else back."""
        loading = [w for w in self.workers if w.node is self and w.group == "connections-load"]
        if any(w.is_running for w in loading):
            self.workers.cancel_group(self, "connections-load")
            self.query_one(LoadState).error("Loading connections cancelled", "r tries again")
        else:
            self.fleet.action_back()

    def _connection_labels(self) -> dict[str, str | None]:
        platform = self.platform
        return platform.CONNECTION_LABELS if isinstance(platform, Connections) else {}

    def _columns(self, connections: list[Connection]) -> tuple[list[tuple[str, str]], int | None]:
        """The columns that fit, and a Name width when names must be shortened to fit.

        On a narrow terminal the ID column goes (the line below the table shows it), so that
        the state columns stay on screen without scrolling sideways.
        """
        columns = columns_for(self._connection_labels())
        width = self.size.width or 80
        if width >= WIDE or not connections:
            return columns, None
        columns = [c for c in columns if c[0] != "key"]
        kinds = self._labels()
        natural = [
            max(len(title), *(cell(c, name, kinds).cell_len for c in connections))
            for name, title in columns
        ]
        # 2 cells of padding per column, and room for a vertical scrollbar
        room = width - 2 - sum(w + 2 for w in natural[1:]) - 2
        return columns, (None if natural[0] <= room else max(12, room))

    def _show(self, connections: list[Connection], select: str | None = None) -> None:
        table = self.query_one("#connections-table", DataTable)
        current = select or self._cursor_key()
        self.connections = connections
        self._width = self.size.width
        table.clear(columns=True)
        columns, name_width = self._columns(connections)
        for name, title in columns:
            table.add_column(title, key=name)
        kinds = self._labels()
        for connection in connections:
            cells = [cell(connection, name, kinds) for name, _ in columns]
            if name_width is not None:
                cells[0].truncate(name_width, overflow="ellipsis")
            table.add_row(*cells, key=connection.key)
        keys = [c.key for c in connections]
        if current in keys:
            table.move_cursor(row=keys.index(current))
        self._update_info()

    def _cursor_key(self) -> str | None:
        table = self.query_one("#connections-table", DataTable)
        if table.row_count == 0:
            return None
        row = min(table.cursor_row, len(self.connections) - 1)
        return self.connections[row].key if row >= 0 else None

    def _update_info(self) -> None:
        counts: dict[str, int] = {}
        for connection in self.connections:
            counts[connection.kind] = counts.get(connection.kind, 0) + 1
        names = self._kinds()
        text = Text()
        for n, (kind, count) in enumerate(counts.items()):
            one, many = names.get(kind, (kind, kind))
            text.append(f"{' · ' if n else ''}{count} {visible(one if count == 1 else many)}")
        if self.auto_create is not None:
            text.append("  │  auto-create things ", style="dim")
            text.append("on" if self.auto_create else "off", style="bold")
        key = self._cursor_key()
        if key:
            text.append("  │  ID ", style="dim")
            text.append(visible(key))
        self.query_one("#connections-info", Static).update(text)

    @on(DataTable.RowHighlighted, "#connections-table")
    def _highlighted(self) -> None:
        self._update_info()

    # ------------------------------------------------------------------ creating

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        platform = self.platform
        if (
            allowed
            and action == "new_connection"
            and not (isinstance(platform, Connections) and platform.connection_forms())
        ):
            return None  # shown, greyed out: this platform cannot create connections
        if allowed and action in ("toggle_auto_create", "sync_connections"):
            return isinstance(platform, ConnectionThings)
        if allowed and action == "thing_from_connection":
            if not isinstance(platform, ConnectionThings):
                return False
            connection = self._cursor_connection()
            return True if connection is not None and not connection.device_key else None
        if allowed and action == "edit_connection":
            if not isinstance(platform, ConnectionEditing):
                return False
            return True if self._cursor_key() else None
        if allowed and action in ("toggle_active", "delete_connection"):
            if not isinstance(platform, ConnectionSwitching):
                return False
            return True if self._cursor_key() else None
        return allowed

    def _cursor_connection(self) -> Connection | None:
        key = self._cursor_key()
        return next((c for c in self.connections if c.key == key), None)

    def action_toggle_active(self) -> None:
        """`a`: turn the connection under the cursor on, or off (kept, nothing sent)."""
        connection = self._cursor_connection()
        if connection is not None:
            self._switch(connection, (connection.state or "").lower() != "active")

    @work(group="connections-change")
    async def _switch(self, connection: Connection, active: bool) -> None:
        platform = self.platform
        if not isinstance(platform, ConnectionSwitching):
            return
        try:
            async with self.busy():
                await platform.set_connection_active(connection.key, active)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, f"Turning {connection.name} {'on' if active else 'off'}")
            return
        self.notify(f"{connection.name}: {'active' if active else 'inactive'}", title="Connection")
        self.load(select=connection.key)

    # ------------------------------------------------------------------ things from connections

    @work(exclusive=True, group="connections-auto-create")
    async def _read_auto_create(self, platform: ConnectionThings) -> None:
        try:
            self.auto_create = await platform.auto_create_things()
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, "Reading the auto-create setting")
            return
        self._update_info()

    def action_thing_from_connection(self) -> None:
        """`t`: a thing with the connection's identifiers, linked to it (the platform's form)."""
        platform = self.platform
        connection = self._cursor_connection()
        if not isinstance(platform, ConnectionThings) or connection is None:
            return

        async def make(form: str, values: Any) -> str:
            return await platform.create_thing_from_connection(connection.key, values)

        def made(key: str | None) -> None:
            if key:
                self.notify(f"Thing {key} made from {connection.name}", title="Connections")
                self.load(select=connection.key)

        open_form(
            self.app,
            "Thing",
            [platform.thing_from_connection_form()],
            make,
            made,
            form_title=lambda _: f"A thing from {connection.name}",
        )

    @work(group="connections-change")
    async def action_toggle_auto_create(self) -> None:
        """`A`: turn "auto create things for connections" on or off."""
        platform = self.platform
        if not isinstance(platform, ConnectionThings):
            return
        try:
            async with self.busy():
                current = await platform.auto_create_things()
                self.auto_create = await platform.set_auto_create_things(not current)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, "Changing the auto-create setting")
            return
        state = "on: each new connection makes a thing" if self.auto_create else "off"
        self.notify(f"Auto-create things {state}", title="Connections")
        self._update_info()

    @work(group="connections-change")
    async def action_sync_connections(self) -> None:
        """`s`: ask the carriers for new connections now (the portal also does on its own)."""
        platform = self.platform
        if not isinstance(platform, ConnectionThings):
            return
        try:
            async with self.busy():
                added = await platform.sync_connections()
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, "Syncing with the carriers")
            return
        self.notify(f"{len(added)} new connection(s)", title="Connections")
        self.load(select=added[0] if added else None)

    def action_edit_connection(self) -> None:
        """`e`: the platform's form for the connection under the cursor, filled as it is now."""
        connection = self._cursor_connection()
        if connection is not None:
            self._edit(connection)

    @work(exclusive=True, group="connections-edit")
    async def _edit(self, connection: Connection) -> None:
        platform = self.platform
        if not isinstance(platform, ConnectionEditing):
            return
        try:
            async with self.busy():
                spec = await platform.connection_edit_form(connection.key)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, f"Reading {connection.name}")
            return

        async def save(form: str, values: Any) -> bool:
            await platform.edit_connection(connection.key, form, values)
            return True

        def saved(done: bool | None) -> None:
            if done:
                self.notify(f"{connection.name} changed", title="Connection")
                self.load(select=connection.key)

        open_form(self.app, "Edit", [spec], save, saved, form_title=lambda s: f"Edit {s.title}")

    def action_delete_connection(self) -> None:
        connection = self._cursor_connection()
        if connection is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(connection)

        self.app.push_screen(
            ConfirmScreen(
                "Delete connection",
                f"Delete {connection.name} ({connection.key})? Its data stops flowing.",
                yes="Delete",
            ),
            answered,
        )

    @work(group="connections-change")
    async def _delete(self, connection: Connection) -> None:
        platform = self.platform
        if not isinstance(platform, ConnectionSwitching):
            return
        try:
            async with self.busy():
                await platform.delete_connection(connection.key)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, f"Deleting {connection.name}")
            return
        self.notify(f"{connection.name} deleted", title="Connection")
        self.load()

    def action_new_connection(self) -> None:
        platform = self.platform
        if not isinstance(platform, Connections):
            return

        forms = platform.connection_forms()
        open_form(self.app, "New connection", forms, platform.create_connection, self._created)

    def _created(self, connection: Connection | None) -> None:
        if connection is None:
            return
        self.notify(f"{connection.name} ({connection.key})", title="Connection created")
        self.load(select=connection.key)
