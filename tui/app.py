"""The Textual app: the open profile and its platform, the views, and the global bindings.

Each view (devices, alarms, connections, profiles) is a Textual mode with its own screen stack,
so `:alarms` and back keeps each view where the user left it; `esc` pops a detail off the
current view's stack and `-` returns to the previous view. Opening a profile runs in a thread
worker; when it is done the `session` counter changes and every view reloads.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import get_current_worker

from tui.api.errors import ApiError
from tui.api.platform import Platform
from tui.config import FleetConfig, ProfileBase
from tui.secrets import SecretError, SecretResolver
from tui.session import EmbeddedSimulator, UnsupportedPlatform, open_platform

log = logging.getLogger("fleet")

#: view name → (module, screen class); imported when the view is first shown
VIEWS: dict[str, tuple[str, str, str]] = {
    "devices": ("tui.screens.devices", "DevicesScreen", "the device list"),
    "alarms": ("tui.screens.alarms", "AlarmsScreen", "device alarms"),
    "connections": (
        "tui.screens.connections",
        "ConnectionsScreen",
        "application servers and IoT Flow connections",
    ),
    "products": ("tui.screens.products", "ProductsScreen", "IoTDA products and capabilities"),
    "profiles": ("tui.screens.profiles", "ProfilesScreen", "switch profile"),
}


def _view_factory(name: str) -> Callable[[], Screen[Any]]:
    module, cls, _ = VIEWS[name]

    def make() -> Screen[Any]:
        return getattr(importlib.import_module(module), cls)()

    return make


class FleetCommands(Provider):
    """Command palette entries: every view, every profile, and the current screen's actions."""

    def _entries(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        assert isinstance(app, FleetApp)
        entries: list[tuple[str, Callable[[], Any], str]] = []
        for name, (_, _, help_text) in VIEWS.items():
            entries.append((f"View: {name}", partial(app.goto, name), f":{name} · {help_text}"))
        for name in sorted(app.config.profiles):
            entries.append(
                (f"Profile: {name}", partial(app.switch_profile, name), "open this profile")
            )
        screen = app.screen_stack[-1] if app.screen_stack else None
        if screen is not None:
            for binding in getattr(screen, "BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if screen.check_action(binding.action, ()) is False:
                    continue
                key = app.get_key_display(binding)
                entries.append(
                    (
                        f"{getattr(screen, 'VIEW', '') or 'screen'}: {binding.description}",
                        partial(screen.run_action, binding.action),
                        f"key {key}",
                    )
                )
        return entries

    async def discover(self) -> Hits:
        for text, command, help_text in self._entries():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)


class FleetApp(App[None]):
    """The fleet console."""

    TITLE = "fleet"
    COMMANDS = App.COMMANDS | {FleetCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("colon", "command_line", "Jump", id="app.command"),
        Binding("minus", "previous_view", "Previous view", show=False, id="app.previous"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    session: reactive[int] = reactive(0)
    # No repaint: the header watches it, and a whole-screen repaint per call is a stall per page.
    busy_count: reactive[int] = reactive(0, repaint=False)

    def __init__(
        self,
        config: FleetConfig,
        *,
        profile_name: str | None = None,
        readonly: bool = False,
        resolver: SecretResolver | None = None,
        simulator: EmbeddedSimulator | None = None,
        initial_view: str = "devices",
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.profile_name = profile_name or config.default_profile
        self.readonly = readonly
        self.resolver = resolver or SecretResolver()
        self.simulator = simulator or EmbeddedSimulator()
        self._owns_simulator = simulator is None
        self.initial_view = initial_view
        #: off in snapshot tests, so that a text cursor is always drawn the same
        self.cursor_blink = cursor_blink
        self.profile: ProfileBase | None = None
        self.platform: Platform | None = None
        #: why the current profile could not be opened (screens show it in their error state)
        self.open_error: str | None = None
        self.view = initial_view
        self._previous_view: str | None = None
        self._startup_frozen = False
        for name in VIEWS:
            self.add_mode(name, _view_factory(name))

    @property
    def is_readonly(self) -> bool:
        return self.readonly or bool(self.profile and self.profile.readonly)

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        if self.config.theme:
            try:
                self.theme = self.config.theme
            except Exception:  # an unknown theme name must not stop the console
                self.notify(f"unknown theme {self.config.theme!r}", severity="warning")
        self.switch_mode(self.initial_view)
        self.switch_profile(self.profile_name)

    async def on_unmount(self) -> None:
        if self.platform is not None:
            await self.platform.aclose()
        if self._owns_simulator:
            self.simulator.stop()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    # ------------------------------------------------------------------ views

    def goto(self, view: str) -> None:
        """Show a view by name (`:devices`); unknown names are reported, not fatal."""
        view = view.strip().lower()
        matches = [name for name in VIEWS if name.startswith(view)] if view else []
        if view in VIEWS:
            matches = [view]
        if len(matches) != 1:
            known = ", ".join(VIEWS)
            self.notify(f"no view {view!r}: try {known}", severity="warning")
            return
        target = matches[0]
        if target != self.view:
            self._previous_view = self.view
            self.view = target
            self.switch_mode(target)

    def action_previous_view(self) -> None:
        if self._previous_view:
            self.goto(self._previous_view)

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_command_line(self) -> None:
        from tui.widgets.command_line import CommandLine

        def run(command: str | None) -> None:
            if command:
                self.goto(command)

        self.push_screen(CommandLine(list(VIEWS)), run)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        screen = self.screen
        rows: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description:
                continue
            where = (
                "app"
                if active.node is self
                else (getattr(active.node, "VIEW", "") or type(active.node).__name__)
            )
            row = (self.get_key_display(binding), binding.description, where)
            if (row[0], row[1]) in seen:
                continue
            seen.add((row[0], row[1]))
            rows.append(row if active.enabled else (row[0], row[1] + " (not here)", where))
        # The screen's own bindings, even where a focused widget uses the same key first.
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                key_display = self.get_key_display(binding)
                if (key_display, binding.description) not in seen:
                    seen.add((key_display, binding.description))
                    rows.append(
                        (key_display, binding.description, getattr(screen, "VIEW", "") or "screen")
                    )
        rows.append(("ctrl+p", "Command palette: every view and action", "app"))
        view = getattr(screen, "VIEW", "")
        rows.sort(key=lambda r: (0 if r[2] == view else 1 if r[2] == "app" else 2, r[0]))
        self.push_screen(HelpScreen(rows, getattr(screen, "VIEW", "") or self.view))

    def open_device(self, key: str) -> None:
        """Push the detail of one device on the current view."""
        from tui.screens.device_detail import DeviceDetailScreen

        self.push_screen(DeviceDetailScreen(key))

    # ------------------------------------------------------------------ profiles

    def switch_profile(self, name: str) -> None:
        """Open the named profile in the background; every view reloads once it is connected."""
        if name not in self.config.profiles:
            self.notify(f"no profile named {name!r}", severity="error")
            return
        self.busy_count += 1
        self._open_profile(self.config.profiles[name])

    @work(thread=True, exclusive=True, group="profile")
    def _open_profile(self, profile: ProfileBase) -> None:
        # Thread worker: a keyring may hang up to its time-box; the simulator takes a moment to start.
        try:
            resolved, platform = open_platform(profile, self.resolver, self.simulator)
        except (UnsupportedPlatform, SecretError, ValueError) as exc:
            self.call_from_thread(self._profile_failed, profile, str(exc))
            return
        except Exception as exc:
            log.exception("opening profile %s", profile.name)
            self.call_from_thread(self._profile_failed, profile, f"{type(exc).__name__}: {exc}")
            return
        if get_current_worker().is_cancelled:
            return
        self.call_from_thread(self._profile_opened, resolved, platform)

    def _profile_failed(self, profile: ProfileBase, message: str) -> None:
        self.busy_count -= 1
        self.notify(message, title=f"Cannot open {profile.name}", severity="error", timeout=10)
        if self.platform is not None:
            return  # keep working on the profile that is open
        self.profile_name = profile.name
        self.profile = profile
        self.open_error = f"Cannot open {profile.name}: {message}"
        self.session += 1

    async def _profile_opened(self, profile: ProfileBase, platform: Platform) -> None:
        self.busy_count -= 1
        if not self._startup_frozen:
            # What start-up made (modules, classes, CSS, the simulator) lives as long as the app:
            # out of the collector's sight, full collections no longer stall paging for 70-100 ms.
            self._startup_frozen = True
            gc.freeze()
        old = self.platform
        self.profile_name = profile.name
        self.profile = profile
        self.platform = platform
        self.open_error = None
        await self._reset_views()
        self.session += 1
        if old is not None:
            await old.aclose()

    async def _reset_views(self) -> None:
        """Drop every view's details (they belong to the old platform); views rebuild lazily."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        for name in VIEWS:
            if name != self.current_mode:
                await self.remove_mode(name)
                self.add_mode(name, _view_factory(name))

    def broadcast(self, make: Callable[[], Message]) -> None:
        """Post a fresh `make()` message to every screen of every view (e.g. DeviceDeleted):
        the device list may sit in another view's stack than the screen that changed the device."""
        for stack in self._screen_stacks.values():
            for screen in stack:
                screen.post_message(make())

    # ------------------------------------------------------------------ errors

    def report(self, exc: BaseException, title: str) -> str:
        """Notify a failure with the vendor's code and message; never a traceback on screen."""
        if isinstance(exc, ApiError):
            message = exc.summary
        else:
            log.error("%s", title, exc_info=exc)
            message = f"{type(exc).__name__}: {exc}"
        self.notify(message, title=title, severity="error", timeout=10)
        return message
