"""Thing definitions (`:definitions`) and application tokens (`:tokens`), for a platform with
those capabilities (Telit).

A thing definition is the template of things: `enter` shows its attributes, properties, alarms
and methods; `n` creates one; `ctrl+d` deletes one after a confirmation. An application's token
lets gateways connect and auto-register as things of its definition: `n` creates one, and the new
token is shown once, masked until revealed (fleet keeps no copy).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from tui.api.forms import FormSpec
from tui.api.models import Application, Created, DetailField, DetailSection, ThingDefinition
from tui.api.platform import ApplicationTokens, ThingDefinitions
from tui.screens.base import FleetScreen
from tui.screens.catalogue import CatalogueScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.device_detail import render_sections
from tui.screens.secret_once import SecretOnceScreen
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain
from tui.widgets.state import LoadState

__all__ = ["DefinitionScreen", "DefinitionsScreen", "TokensScreen", "definition_sections"]


def _count(n: int) -> Text:
    return Text(str(n) if n else "—", justify="right")


def definition_sections(definition: ThingDefinition) -> list[DetailSection]:
    """A definition's identity and its four lists, each item as `name (key)`."""
    identity = [DetailField(label="key", value=definition.key)]
    identity.append(DetailField(label="name", value=definition.name))
    if definition.version:
        identity.append(DetailField(label="version", value=definition.version))
    if definition.id:
        identity.append(DetailField(label="id", value=definition.id))
    sections = [DetailSection(title="Definition", fields=identity)]
    for title, items in (
        ("Attributes", definition.attributes),
        ("Properties", definition.properties),
        ("Alarms", definition.alarms),
        ("Methods", definition.methods),
    ):
        fields = [DetailField(label=key, value=name) for key, name in items.items()]
        sections.append(
            DetailSection(title=title, fields=fields or [DetailField(label="", value="none")])
        )
    return sections


class DefinitionsScreen(CatalogueScreen[ThingDefinition]):
    """Every thing definition; `enter` opens one, `n` creates one, `ctrl+d` deletes one."""

    VIEW = "definitions"
    NOUN = "thing definitions"
    COLUMNS = ("Key", "Name", "Version", "Attributes", "Properties", "Alarms", "Methods")
    CAPABILITY = ThingDefinitions
    DANGEROUS = frozenset({"new_item", "delete_definition"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_definition", "Open", id="definitions.open"),
        Binding("ctrl+d", "delete_definition", "Delete", id="definitions.delete"),
    ]

    async def fetch(self, platform: ThingDefinitions) -> list[ThingDefinition]:
        return await platform.thing_definitions()

    def key_of(self, item: ThingDefinition) -> str:
        return item.key

    def cells(self, item: ThingDefinition) -> Sequence[Text]:
        return (
            plain(item.key, "bold", limit=40),
            plain(item.name, limit=60),
            plain(item.version or "—"),
            _count(len(item.attributes)),
            _count(len(item.properties)),
            _count(len(item.alarms)),
            _count(len(item.methods)),
        )

    def forms(self, platform: ThingDefinitions) -> list[FormSpec]:
        return platform.definition_forms()

    async def create(self, platform: ThingDefinitions, form: str, values: Any) -> str:
        key = await platform.create_definition(form, values)
        self.notify(f"Thing definition {key} created", title="Thing definitions")
        return key

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        if action in ("open_definition", "delete_definition"):
            return self.offered(self.platform) and (self.cursor_item() is not None or None)
        return True

    def on_data_table_row_selected(self, event: Any) -> None:
        event.stop()
        self.action_open_definition()

    def action_open_definition(self) -> None:
        item = self.cursor_item()
        if item is not None:
            self.app.push_screen(DefinitionScreen(item.key))

    def action_delete_definition(self) -> None:
        item = self.cursor_item()
        if item is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(item)

        self.app.push_screen(
            ConfirmScreen(
                "Delete thing definition",
                f"Delete {item.name} ({item.key})? Things made from it must go first.",
                yes="Delete",
            ),
            answered,
        )

    @work(group="definitions-change")
    async def _delete(self, item: ThingDefinition) -> None:
        platform = self.platform
        if not isinstance(platform, ThingDefinitions):
            return
        try:
            async with self.busy():
                await platform.delete_thing_definition(item.key)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, f"Deleting {item.key}")
            return
        self.notify(f"{item.key} deleted", title="Thing definitions")
        self.load()


class DefinitionScreen(FleetScreen[None]):
    """One thing definition in full: its attributes, properties, alarms and methods."""

    VIEW = "definition"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="definition.reload"),
    ]

    DEFAULT_CSS = """
    DefinitionScreen #definition-scroll { height: 1fr; padding: 0 1; }
    DefinitionScreen #definition-body { height: auto; }
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.definition: ThingDefinition | None = None

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        with LoadState(id="definition-state"), VerticalScroll(id="definition-scroll"):
            yield Static(id="definition-body")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(LoadState).loading(f"Loading {self.key}…")

    def on_session(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="definition-load")
    async def load(self) -> None:
        platform = self.platform
        state = self.query_one(LoadState)
        if not isinstance(platform, ThingDefinitions):
            return
        try:
            async with self.busy():
                self.definition = await platform.thing_definition(self.key)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            state.error(self.report(exc, f"Loading {self.key}"), "r tries again · esc goes back")
            return
        body = render_sections(definition_sections(self.definition), label_style="dim")
        self.query_one("#definition-body", Static).update(body)
        state.ready()
        self.query_one("#definition-scroll").focus()


class TokensScreen(CatalogueScreen[Application]):
    """Every application (token); `n` creates one, its token shown once."""

    VIEW = "tokens"
    NOUN = "application tokens"
    COLUMNS = ("Name", "Id", "Auto-registers as", "Auto-registration tags")
    CAPABILITY = ApplicationTokens

    async def fetch(self, platform: ApplicationTokens) -> list[Application]:
        return await platform.applications()

    def key_of(self, item: Application) -> str:
        return item.key

    def cells(self, item: Application) -> Sequence[Text]:
        return (
            plain(item.name, "bold", limit=60),
            plain(item.key, "dim", limit=40),
            plain(item.definition or "—", limit=40),
            plain(", ".join(item.auto_reg_tags) or "—", limit=80),
        )

    def forms(self, platform: ApplicationTokens) -> list[FormSpec]:
        return platform.application_forms()

    async def create(self, platform: ApplicationTokens, form: str, values: Any) -> Created:
        return await platform.create_application(form, values)

    def created(self, made: Any) -> str | None:
        if isinstance(made, Created):
            title = f"Application {made.key} created"
            self.app.push_screen(SecretOnceScreen(title, made.secrets, hint=self._try_it(made)))
            return made.key
        return None

    def _try_it(self, made: Created) -> str:
        """On the simulator, how to watch a gateway auto-register with this token (the token
        goes through an environment variable, never on a command line)."""
        profile = self.fleet.profile
        if profile is None or not profile.simulator or not profile.base_url:
            return ""
        return (
            "Watch a gateway auto-register with it: copy the token (c), then in a shell\n"
            f"  export FLEET_APP_TOKEN=…   # paste it\n"
            f"  fleet sim-gateway my-gateway-1 --url {profile.base_url} --app-id {made.key} "
            "--app-token-env FLEET_APP_TOKEN"
        )
