"""The profiles view: every configured and demo profile; `enter` opens one."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from tui.config import ProfileBase
from tui.screens.base import FleetScreen
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain


class ProfilesScreen(FleetScreen[None]):
    """Lists profiles with their platform and endpoint; the open one is marked with ●."""

    VIEW = "profiles"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_profile", "Open profile", id="profiles.open"),
    ]

    DEFAULT_CSS = """
    ProfilesScreen #profiles-status { height: auto; padding: 0 1; color: $text-muted; }
    ProfilesScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield DataTable(id="profiles-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="profiles-status")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns(" ", "Profile", "Platform", "Endpoint", "Mode")
        self.refresh_rows()

    def on_session(self) -> None:
        self.refresh_rows()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        app = self.fleet
        table = self.query_one(DataTable)
        table.clear()
        names = sorted(app.config.profiles)
        for name in names:
            profile = app.config.profiles[name]
            table.add_row(
                "●" if name == app.profile_name else " ",
                plain(name),
                plain(profile.PLATFORM_LABEL or profile.platform),
                plain(_endpoint(profile)),  # an IPv6 URL's [::1] is not markup
                plain(_mode(profile)),
                key=name,
            )
        if app.profile_name in names:
            table.move_cursor(row=names.index(app.profile_name))
        if app.open_error:
            status = app.open_error
        elif app.platform is not None:
            status = (
                f"Open: {app.profile_name} ({app.platform.title}). Enter opens another profile."
            )
        else:
            status = f"Opening {app.profile_name}…"
        self.query_one("#profiles-status", Static).update(plain(status, limit=400))

    def action_open_profile(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self.fleet.switch_profile(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_profile()


def _endpoint(profile: ProfileBase) -> str:
    return "embedded simulator" if profile.simulator else profile.base_url


def _mode(profile: ProfileBase) -> str:
    flags = []
    if profile.simulator:
        flags.append("demo")
    if profile.insecure:
        flags.append("INSECURE")
    if profile.readonly:
        flags.append("read-only")
    return ", ".join(flags)
