"""The profiles view: every configured and demo profile; `enter` switches to one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.config import ProfileBase
from tui.widgets.header import FleetHeader


class ProfilesScreen(Screen[None]):
    """Lists profiles with their platform and endpoint; the open one is marked with ●."""

    BINDINGS = [Binding("enter", "open_profile", "Open", id="profiles.open")]

    DEFAULT_CSS = """
    ProfilesScreen #profiles-status { height: auto; padding: 1 2; }
    ProfilesScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield FleetHeader()
        yield DataTable(id="profiles-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="profiles-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(" ", "Profile", "Platform", "Endpoint", "Mode")
        self.refresh_rows()

    def refresh_rows(self) -> None:
        from tui.app import FleetApp

        app = self.app
        assert isinstance(app, FleetApp)
        table = self.query_one(DataTable)
        table.clear()
        for name, profile in sorted(app.config.profiles.items()):
            table.add_row(
                "●" if name == app.profile_name else " ",
                name,
                profile.PLATFORM_LABEL or profile.platform,
                _endpoint(profile),
                _mode(profile),
                key=name,
            )
        names = sorted(app.config.profiles)
        if app.profile_name in names:
            table.move_cursor(row=names.index(app.profile_name))
        self.query_one("#profiles-status", Static).update(app.status_line)

    def action_open_profile(self) -> None:
        from tui.app import FleetApp

        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        app = self.app
        assert isinstance(app, FleetApp) and key is not None
        app.switch_profile(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_profile()


def _endpoint(profile: ProfileBase) -> str:
    if profile.simulator:
        return "embedded simulator"
    return profile.base_url


def _mode(profile: ProfileBase) -> str:
    flags = []
    if profile.simulator:
        flags.append("demo")
    if profile.insecure:
        flags.append("INSECURE")
    if profile.readonly:
        flags.append("read-only")
    return ", ".join(flags)
