"""The Textual app: the open profile and its platform, the views, and the global bindings.

Each view (devices, alarms, connections, profiles) is a Textual mode with its own screen stack,
so `:alarms` and back keeps each view where the user left it; `esc` pops a detail off the
current view's stack and `-` returns to the previous view. Opening a profile runs in a thread
worker; when it is done the `session` counter changes and every view reloads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import importlib
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.filter import LineFilter
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import WorkerFailed

from tui.api.bulk import Action, Plan, RunClaimed, RunState, TargetState
from tui.api.errors import ApiError
from tui.api.journal import Journal, JournalError, RunInfo
from tui.api.models import PlatformHealth
from tui.api.platform import Platform, PlatformStatus
from tui.config import FleetConfig, ProfileBase
from tui.log import LOGGER as log
from tui.log import log_path, open_log, register_scrubber
from tui.runs import ConsoleRuns
from tui.secrets import SecretError, SecretResolver
from tui.session import (
    EmbeddedSimulator,
    ProfileOpening,
    UnsupportedPlatform,
    end_startup,
    open_platform,
)
from tui.themes import choose_theme, load_themes, theme_folders
from tui.widgets.safe import MESSAGE_LIMIT, ControlFilter, one_line

T = TypeVar("T")

#: notifications kept for `!` (the messages screen), newest last
MESSAGES_KEPT = 200
#: how long quitting waits for the bulk runs' calls in flight to finish
RUNS_STOP_SECONDS = 10.0
#: seconds between two questions to a platform about its own state (the header's badge)
STATUS_SECONDS = 60.0
#: a second `q` within this many seconds quits while bulk runs are going
QUIT_AGAIN_SECONDS = 5.0


@dataclass(frozen=True)
class Note:
    """One notification as it was raised: its whole text, before it was shortened for the toast."""

    at: float
    severity: str
    title: str
    text: str


#: view name → (module, screen class); imported when the view is first shown
VIEWS: dict[str, tuple[str, str, str]] = {
    "overview": (
        "tui.screens.overview",
        "OverviewScreen",
        "every profile side by side, and a device search across them",
    ),
    "devices": ("tui.screens.devices", "DevicesScreen", "the device list"),
    "alarms": ("tui.screens.alarms", "AlarmsScreen", "device alarms"),
    "connections": (
        "tui.screens.connections",
        "ConnectionsScreen",
        "application servers and IoT Flow connections",
    ),
    "products": ("tui.screens.products", "ProductsScreen", "IoTDA products and capabilities"),
    "basestations": (
        "tui.screens.base_stations",
        "BaseStationsScreen",
        "the network's base stations: state and location",
    ),
    "definitions": (
        "tui.screens.definitions",
        "DefinitionsScreen",
        "thing definitions: attributes, properties, alarms, methods",
    ),
    "tokens": (
        "tui.screens.definitions",
        "TokensScreen",
        "application tokens that let gateways connect and auto-register",
    ),
    "bulk": ("tui.screens.bulk", "BulkScreen", "bulk runs: progress, reports, resume"),
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
        Binding("exclamation_mark", "messages", "Messages", show=False, id="app.messages"),
    ]

    session: reactive[int] = reactive(0)
    # No repaint: the header watches it, and a whole-screen repaint per call is a stall per page.
    busy_count: reactive[int] = reactive(0, repaint=False)
    #: bulk runs this console runs now (the header shows them)
    runs_live: reactive[int] = reactive(0, repaint=False)
    #: what the open platform says of its own state, where it says (the header shows it)
    platform_health: reactive[PlatformHealth | None] = reactive(None, repaint=False)

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
        log_file: Path | None = None,
        clock: Callable[[], float] = time.time,
        handle_signals: bool = False,
        opening: ProfileOpening | None = None,
    ) -> None:
        """`opening` is the start-up profile's opening, started before the app was made (`fleet`
        does, so that it overlaps Textual's start): the app adopts it, with its resolver and
        simulator, instead of opening the profile again."""
        if initial_view in VIEWS:
            # Textual starts in its default mode: the first view's screen is then the only one
            # built (with one CSS pass, not one for a blank screen and another for the view).
            self.DEFAULT_MODE = initial_view
        super().__init__()
        self.config = config
        self.profile_name = profile_name or config.default_profile
        self.readonly = readonly
        self.resolver = resolver or (opening.resolver if opening else None) or SecretResolver()
        self.simulator = (
            simulator or (opening.simulator if opening else None) or EmbeddedSimulator()
        )
        self._owns_simulator = simulator is None
        #: adopted by the first `switch_profile` to the same profile (see `__init__`'s docstring)
        self._pending_opening = opening
        #: where internal errors and whole messages are logged (None: the file could not be opened)
        self.log_file = open_log(log_file or log_path())
        #: every notification's whole text, for `!` (stamped by `clock`: tests freeze it)
        self.messages: deque[Note] = deque(maxlen=MESSAGES_KEPT)
        #: the time of the console's own stamps (tests freeze it)
        self.clock = clock
        #: unexpected exceptions caught at the app's edge (tests fail when any is here)
        self.internal_errors: list[BaseException] = []
        self._control_filter = ControlFilter()
        #: (profile, device key): the device whose detail opens once that profile is open
        self._device_after_open: tuple[str, str] | None = None
        #: the newest profile opening; an older one that finishes later is discarded
        self._opening = 0
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
        #: the bulk runs this process runs, and the journal they share with every fleet process
        self.runs = ConsoleRuns()
        self._journal_warned = False
        self._quit_asked = 0.0
        #: SIGHUP and SIGTERM stop the runs cleanly before exiting (the console on a terminal)
        self._handle_signals = handle_signals
        for name in VIEWS:
            self.add_mode(name, _view_factory(name))
        # fleet's themes and the user's, registered before the first screen is styled; the
        # start-up profile's theme is set now, so that the first paint is in it.
        loaded = load_themes(theme_folders(config.path))
        for theme in loaded.themes:
            self.register_theme(theme)
        #: theme files that could not be loaded and theme names that are no theme, to be said
        self._theme_notes = list(loaded.problems)
        self._theme_notes_said: set[str] = set()
        self._apply_theme(config.profiles.get(self.profile_name))
        self.set_keymap(config.keymap)
        if initial_view in VIEWS:
            # The first view's module now, before the event loop runs: imported while mounting,
            # it would hold every key and frame up for tens of milliseconds.
            importlib.import_module(VIEWS[initial_view][0])

    @property
    def is_readonly(self) -> bool:
        return self.readonly or bool(self.profile and self.profile.readonly)

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self._say_theme_notes()
        if self.config.keymap:
            self.run_worker(self._check_keymap(), group="keymap")
        if self._pending_opening is not None:
            # Adopted first: its thread opens the journal while the first view is imported.
            self.switch_profile(self.profile_name)
            self.switch_mode(self.initial_view)
        else:
            self.switch_mode(self.initial_view)
            self.switch_profile(self.profile_name)
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self._signalled, sig.name)

    def _apply_theme(self, profile: ProfileBase | None) -> None:
        """The open profile's theme (production looks different), else the config's."""
        name, warnings = choose_theme(
            profile.name if profile else None,
            profile.theme if profile else None,
            self.config.theme,
            self.available_themes,
        )
        self._theme_notes += warnings
        if self.theme != name:
            self.theme = name
        if self.is_running:
            self._say_theme_notes()

    def _say_theme_notes(self) -> None:
        """Each broken theme file and unknown theme name in a notification, once."""
        for note in self._theme_notes:
            if note not in self._theme_notes_said:
                self._theme_notes_said.add(note)
                self.notify(note, title="Theme", severity="warning", timeout=10)
        self._theme_notes = []

    async def _check_keymap(self) -> None:
        """Warn about [keymap] ids that are none of fleet's bindings (a typo remaps nothing) and
        keys it gives a binding that another of the same screen already has (one never runs).
        The screens' modules are imported in a thread: the first view must not wait for them."""
        from tui.keymap import binding_ids, clashes

        known = await asyncio.to_thread(binding_ids)
        clashing = await asyncio.to_thread(clashes, dict(self.config.keymap))
        if clashing:
            self.notify(
                f"{self.config.path}: [keymap] gives a key two bindings, one of which never "
                f"runs: {'; '.join(clashing[:5])}" + (" …" if len(clashing) > 5 else ""),
                title="Keymap",
                severity="warning",
                timeout=15,
            )
        unknown = sorted(set(self.config.keymap) - known)
        if unknown:
            self.notify(
                f"{self.config.path}: [keymap] names no binding {', '.join(map(repr, unknown))}: "
                "it remaps nothing (ids look like list.reload or app.help)",
                title="Keymap",
                severity="warning",
                timeout=15,
            )

    def _signalled(self, name: str) -> None:
        """SIGHUP (the terminal or the SSH session went away) or SIGTERM: the runs stop cleanly
        (the calls in flight finish, each run is left interrupted, resumable) and fleet exits."""
        log.info("%s: stopping the bulk runs and exiting", name)
        self.runs.interrupt_all(f"stopped by {name}")
        self.exit()

    async def action_quit(self) -> None:
        """Quit; while bulk runs are going, a first `q` says what quitting does to them."""
        live = self.runs.live
        now = time.monotonic()
        if live and now - self._quit_asked > QUIT_AGAIN_SECONDS:
            self._quit_asked = now
            runs = ", ".join(f"#{n}" for n in sorted(live))
            self.notify(
                f"Bulk run{'s' if len(live) > 1 else ''} {runs} going: q again stops "
                f"{'them' if len(live) > 1 else 'it'} once the calls in flight finish, and quits. "
                "fleet resumes interrupted runs when it next opens their profile.",
                title="Quit?",
                severity="warning",
            )
            return
        self.exit()

    async def on_unmount(self) -> None:
        # A secret_command or keyring that still hangs must not hold the exit up.
        self.resolver.cancel()
        # The runs first: their calls in flight finish and are journalled before anything closes.
        await self.runs.close(RUNS_STOP_SECONDS)
        if self.platform is not None:
            await self.platform.aclose()
        if self._owns_simulator:
            self.simulator.stop()

    def get_line_filters(self) -> Sequence[LineFilter]:
        # Last line of defence: no control character a widget forgot to make visible is drawn.
        return [*super().get_line_filters(), self._control_filter]

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

    def action_messages(self) -> None:
        from tui.screens.messages import MessagesScreen

        if not isinstance(self.screen, MessagesScreen):
            self.push_screen(MessagesScreen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        screen = self.screen
        self.push_screen(HelpScreen(self.help_rows(), getattr(screen, "VIEW", "") or self.view))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(key, what it does, where) for each of fleet's bindings in force, each once.

        fleet's bindings carry an id (Textual's own, such as its copy key, do not); a binding
        with several keys shows its first, and the same action twice (q and ctrl+c) shows once.
        """
        screen = self.screen
        view = getattr(screen, "VIEW", "") or "screen"
        rows: list[tuple[str, str, str]] = []
        seen: set[object] = set()

        def add(binding: Binding, node: object, enabled: bool) -> None:
            if not binding.id or not binding.description:
                return
            where = "app" if node is self else getattr(node, "VIEW", "") or _node_kind(node, view)
            # A binding the [keymap] remaps has the keymap's keys instead of its own.
            remapped = self._keymap.get(binding.id)
            spec = remapped or binding.key
            keys = [k.strip() for k in spec.split(",") if k.strip() not in _KEY_ALIASES]
            key = " ".join(self.get_key_display(binding.with_key(k)) for k in keys)
            if {binding.id, (where, binding.action), (key, binding.description)} & seen:
                return
            seen.update((binding.id, (where, binding.action), (key, binding.description)))
            text = binding.description if enabled else f"{binding.description} (not here)"
            if remapped:
                text += " (keymap)"
            rows.append((key, text, where))

        for active in screen.active_bindings.values():
            # An active binding is one key of its declaration: show the declaration's keys.
            declared = _declared(active.node, active.binding.id)
            add(declared or active.binding, active.node, active.enabled)
        # The screen's own bindings, even where a focused widget takes the same key first.
        for cls in type(screen).__mro__:
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    add(binding, screen, True)
        rows.append(("^p", "Command palette: every view and action", "app"))
        rows.sort(key=lambda r: 0 if r[2] == view else 1 if r[2] == "app" else 2)
        return rows

    def open_device(self, key: str) -> None:
        """Push the detail of one device on the current view."""
        from tui.screens.device_detail import DeviceDetailScreen

        self.push_screen(DeviceDetailScreen(key))

    # ------------------------------------------------------------------ profiles

    def open_profile(self, name: str, device_key: str | None = None) -> None:
        """The overview's `enter`: the profile's device list, and one device's detail on it once
        the profile is open (at once when it is the open one already)."""
        self.goto("devices")
        if name == self.profile_name and self.platform is not None:
            if device_key:
                self.open_device(device_key)
            return
        self._device_after_open = (name, device_key) if device_key else None
        self.switch_profile(name)

    def switch_profile(self, name: str) -> None:
        """Open the named profile in the background; every view reloads once it is connected.

        The opening runs in a daemon thread (a keyring may hang up to its time-box, a
        secret_command up to its timeout, the simulator takes a moment to start), so neither
        the keys nor quitting wait for it. Only the newest opening counts: a profile chosen
        while another is still opening replaces it, and the older one's client is closed.
        """
        if name not in self.config.profiles:
            self.notify(f"no profile named {name!r}", severity="error")
            return
        self._opening += 1
        self.busy_count += 1
        profile = self.config.profiles[name]
        pending, self._pending_opening = self._pending_opening, None
        if pending is not None and pending.profile is not profile:
            # Another profile than the one opened ahead: that one is closed once it is open.
            self.run_worker(self._discard(pending), group="discard")
            pending = None
        threading.Thread(
            target=self._open_profile,
            args=(self._opening, profile, pending),
            name=f"fleet-open-{name}",
            daemon=True,
        ).start()

    async def _discard(self, opening: ProfileOpening) -> None:
        """Close the platform of an opening nobody will use, once it is open."""
        try:
            _, platform = await opening.opened()
        except Exception:
            return  # it did not open: nothing to close (the chosen profile says its own errors)
        await platform.aclose()

    def _open_profile(
        self, opening: int, profile: ProfileBase, pending: ProfileOpening | None = None
    ) -> None:
        try:
            if pending is not None:
                # Opened ahead (see `__init__`): the journal opens while the opening finishes.
                journal = self.runs.journal()
                resolved, platform = pending.result()
            else:
                resolved, platform = open_platform(profile, self.resolver, self.simulator)
                journal = self.runs.journal()
            if journal is not None:
                # Every mutating call this platform makes, bulk or not, goes to the audit log.
                platform.set_recorder(journal.recorder(resolved.name))
        except (UnsupportedPlatform, SecretError, ValueError) as exc:
            self._from_thread(self._profile_failed, opening, profile, str(exc))
        except Exception as exc:
            self._from_thread(self._profile_failed, opening, profile, exc)
        else:
            self._from_thread(self._profile_opened, opening, resolved, platform)

    def _from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        """Hand a result to the event loop; after exit there is nobody left to hand it to: a
        loop that has closed refuses it (RuntimeError), one closing cancels it."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # (asking would leave Textual's coroutine for it never awaited)
        with contextlib.suppress(RuntimeError, concurrent.futures.CancelledError):
            self.call_from_thread(callback, *args)

    def _profile_failed(self, opening: int, profile: ProfileBase, error: str | Exception) -> None:
        self.busy_count -= 1
        end_startup()
        if opening != self._opening:
            return  # another profile was chosen meanwhile
        if isinstance(error, Exception):
            self.internal_error(error)
            message = "internal error while opening the profile"
        else:
            message = error
            self.notify(message, title=f"Cannot open {profile.name}", severity="error", timeout=10)
        if self.platform is not None:
            return  # keep working on the profile that is open
        self.profile_name = profile.name
        self.profile = profile
        self._apply_theme(profile)
        self.open_error = f"Cannot open {profile.name}: {message}"
        self.session += 1

    async def _profile_opened(self, opening: int, profile: ProfileBase, platform: Platform) -> None:
        self.busy_count -= 1
        if opening != self._opening:
            await platform.aclose()  # superseded by a newer choice: its client is never used
            return
        if not self._startup_frozen:
            # What start-up made (modules, classes, CSS, the simulator) lives as long as the app:
            # out of the collector's sight, full collections no longer stall paging for 70-100 ms.
            self._startup_frozen = True
            gc.freeze()
            end_startup()
        register_scrubber(platform.scrub)  # nothing of this account's secrets in the log
        old = self.platform
        self.profile_name = profile.name
        self.profile = profile
        self.platform = platform
        self._apply_theme(profile)
        self.open_error = None
        await self._reset_views()
        self.session += 1
        after, self._device_after_open = self._device_after_open, None
        if after is not None and after[0] == profile.name:
            self.open_device(after[1])
        if old is not None and not self.runs.retire(old):
            await old.aclose()  # (one a run still uses is closed when its last run ends)
        self.run_worker(self._resume_interrupted(profile, platform), group="bulk-resume")
        self.platform_health = None
        if isinstance(platform, PlatformStatus):
            self.run_worker(self._follow_status(platform), group="status", exclusive=True)

    async def _follow_status(self, platform: PlatformStatus) -> None:
        """Ask the platform how it is, now and every `STATUS_SECONDS`, while it is the open one."""
        while self.platform is platform:
            try:
                self.platform_health = await platform.status()
            except ApiError as exc:
                self.platform_health = PlatformHealth(up=False, text=exc.summary)
            await asyncio.sleep(STATUS_SECONDS)

    async def _reset_views(self) -> None:
        """Drop every view's details (they belong to the old platform); views rebuild lazily."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        for name in VIEWS:
            if name not in (self.current_mode, "overview"):  # (the overview is every profile's)
                await self.remove_mode(name)
                self.add_mode(name, _view_factory(name))

    def broadcast(self, make: Callable[[], Message]) -> None:
        """Post a fresh `make()` message to every screen of every view (e.g. DeviceDeleted):
        the device list may sit in another view's stack than the screen that changed the device."""
        for stack in self._screen_stacks.values():
            for screen in stack:
                screen.post_message(make())

    # ------------------------------------------------------------------ bulk runs

    async def bulk_journal(self) -> Journal | None:
        """The bulk journal (opened in a thread on first use); None, said once, when it cannot
        be opened: bulk runs and the audit log are then off."""
        journal = await asyncio.to_thread(self.runs.journal)
        if journal is None and not self._journal_warned:
            self._journal_warned = True
            self.notify(
                f"Bulk runs and the audit log are off: {self.runs.error}",
                title="Bulk",
                severity="error",
                timeout=15,
            )
        return journal

    def start_run(self, made: Plan, *, run: bool = True) -> None:
        """Journal the plan as a run of the open profile and run it in the background (`run`),
        or keep it planned for `fleet bulk run N [--detach]` or `r` in `:bulk`."""
        profile, platform = self.profile, self.platform
        if self.is_readonly:
            self.notify("Read-only: no bulk run changes the platform", severity="warning")
            return
        if profile is None or platform is None or not made.count:
            self.notify("Nothing to run", title="Bulk", severity="warning")
            return
        self.run_worker(self._start_run(made, profile, platform, run), group="bulk-start")

    async def _start_run(
        self, made: Plan, profile: ProfileBase, platform: Platform, run_now: bool
    ) -> None:
        journal = await self.bulk_journal()
        if journal is None:
            return
        try:
            run_id = await asyncio.to_thread(
                journal.create_run,
                profile.name,
                platform.name,
                made.action,
                made.targets,
                None,
                profile.effective_rate_limit,
            )
            run = await asyncio.to_thread(journal.run, run_id)
        except JournalError as exc:
            self.notify(f"The run was not started: {exc}", title="Bulk", severity="error")
            return
        if not run_now:
            detach = "" if profile.simulator else " --detach"
            self.notify(
                f"Bulk run #{run_id} planned: {made.action.title} on {made.count:,}. "
                f"`fleet bulk run {run_id}{detach}` runs it, or r in :bulk",
                title="Bulk",
            )
            return
        self.launch_run(journal, run, made.action, platform, profile)
        self.notify(
            f"Bulk run #{run_id} started: {made.action.title} on {made.count:,} · :bulk follows it",
            title="Bulk",
        )

    def launch_run(
        self,
        journal: Journal,
        run: RunInfo,
        action: Action,
        platform: Platform,
        profile: ProfileBase,
    ) -> None:
        """Run a journalled run of this console in the background (the header counts it)."""
        self.runs.launch(journal, run, action, platform, profile, self._run_ended)
        self.runs_live = len(self.runs.live)

    def resume_run(self, run: RunInfo) -> None:
        """Run a planned, interrupted or cancelled run of the open profile in this process."""
        if self.is_readonly:
            self.notify("Read-only: no bulk run changes the platform", severity="warning")
            return
        profile, platform = self.profile, self.platform
        if profile is None or platform is None or run.profile != profile.name:
            self.notify(
                f"Bulk run #{run.id} is of profile {run.profile}: open it (:profiles) to resume "
                f"it here, or run `fleet bulk resume {run.id}`",
                title="Bulk",
                severity="warning",
            )
            return
        if self.runs.is_live(run.id):
            self.notify(f"Bulk run #{run.id} is running already", title="Bulk")
            return
        self.run_worker(self._resume(run, profile, platform), group="bulk-start")

    async def _resume(self, run: RunInfo, profile: ProfileBase, platform: Platform) -> bool:
        journal = await self.bulk_journal()
        if journal is None:
            return False
        from tui.api.actions import make_action

        try:
            params = await asyncio.to_thread(journal.params, run.id)
            action = make_action(platform, run.action_id, params)
        except (JournalError, ValueError) as exc:
            self.notify(f"Bulk run #{run.id} cannot run: {exc}", title="Bulk", severity="error")
            return False
        self.launch_run(journal, run, action, platform, profile)
        left = run.remaining or run.total - run.settled
        self.notify(
            f"Bulk run #{run.id} resumed: {run.title}, {left:,} left · :bulk follows it",
            title="Bulk",
        )
        return True

    async def ask_journal(self, work: Callable[[Journal], T]) -> T | None:
        """`work(journal)` in a thread; None, said in a notification, when the journal cannot
        be opened or refuses."""
        journal = await self.bulk_journal()
        if journal is None:
            return None
        try:
            return await asyncio.to_thread(work, journal)
        except JournalError as exc:
            self.notify(str(exc), title="Bulk", severity="error")
            return None

    async def _resume_interrupted(self, profile: ProfileBase, platform: Platform) -> None:
        """A profile just opened: resume its runs that a dead process or a signal interrupted."""
        runs = await self.ask_journal(lambda journal: journal.interrupted(profile.name))
        if not runs:
            return
        runs = [
            run
            for run in reversed(runs)  # oldest first
            if run.platform == platform.name and not self.runs.is_live(run.id)
        ]
        if not runs:
            return
        if self.is_readonly:
            self.notify(
                f"{len(runs)} interrupted bulk run{'s' if len(runs) > 1 else ''} of "
                f"{profile.name} not resumed: read-only. :bulk lists them",
                title="Bulk",
                severity="warning",
            )
            return
        for run in runs:
            if self.platform is not platform:
                return  # another profile was opened meanwhile
            await self._resume(run, profile, platform)

    def cancel_run(self, run: RunInfo) -> None:
        """Stop a run, whichever process runs it: the calls in flight finish, the rest stays
        pending (resumable)."""
        self.runs.cancel(run.id)
        self.run_worker(self._cancel(run), group="bulk-cancel")

    async def _cancel(self, run: RunInfo) -> None:
        state = await self.ask_journal(lambda journal: journal.request_cancel(run.id))
        if state is None:
            return
        if state is RunState.RUNNING:
            self.notify(
                f"Bulk run #{run.id}: stopping once the calls in flight finish", title="Bulk"
            )
        elif state is RunState.DONE:
            self.notify(f"Bulk run #{run.id} is done: nothing to cancel", title="Bulk")
        else:
            self.notify(f"Bulk run #{run.id} cancelled", title="Bulk")

    def _run_ended(self, run_id: int, info: RunInfo | None, error: BaseException | None) -> None:
        self.runs_live = len(self.runs.live)
        if isinstance(error, RunClaimed):
            self.notify(str(error), title="Bulk", severity="warning")
        elif isinstance(error, JournalError):
            self.notify(f"Bulk run #{run_id}: {error}", title="Bulk", severity="error")
        elif error is not None:
            self.internal_error(error)
        if info is None:
            return
        trouble = info.count(TargetState.FAILED) + info.count(TargetState.UNCERTAIN)
        counts = ", ".join(
            f"{info.count(state):,} {state.value}"
            for state in (TargetState.DONE, TargetState.FAILED, TargetState.UNCERTAIN)
            if info.count(state) or state is TargetState.DONE
        )
        text = f"Bulk run #{run_id} {info.state.value}: {info.title}: {counts}"
        if info.message and info.state is not RunState.DONE:
            text += f" ({info.message})"
        if trouble:
            text += " · :bulk shows the report"
        severity: SeverityLevel = "information"
        if info.state is not RunState.DONE or trouble:
            severity = "warning"
        self.notify(text, title="Bulk", severity=severity, timeout=10)
        self.run_worker(self._announce(info), group="bulk-ended")

    async def _announce(self, info: RunInfo) -> None:
        """Tell the views a run ended; a delete run with the keys it deleted (a list drops them)."""
        from tui.screens.bulk import RunEnded

        journal = self.runs.opened
        done: frozenset[str] = frozenset()
        if journal is not None and info.action_id == "delete" and info.count(TargetState.DONE):
            with contextlib.suppress(JournalError):
                rows = await asyncio.to_thread(journal.targets, info.id, [TargetState.DONE])
                done = frozenset(row.key for row in rows if row.key)
        self.broadcast(lambda: RunEnded(info, done))

    # ------------------------------------------------------------------ errors

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification: kept whole for `!`, shown as one safe, shortened line.

        Messages quote vendors and users, so they are never markup (`markup` is ignored) and
        their control characters are made visible; a long one ends with "… (! shows all)".
        """
        self.messages.append(Note(self.clock(), severity, title, message))
        short = one_line(message, MESSAGE_LIMIT)
        shortened = short != one_line(message, None)
        if shortened:
            short += " (! shows all)"
        if shortened or severity == "error":
            log.info("%s: %s", title or severity, message)
        super().notify(
            short,
            title=one_line(title, 80),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def report(self, exc: BaseException, title: str) -> str:
        """Notify a failed call with the vendor's code and message; never a traceback on screen.

        An `ApiError` is a platform's answer; anything else is a fault of fleet's own and goes to
        `internal_error`. Returns the message (whole: whoever shows it again shortens it).
        """
        if isinstance(exc, ApiError):
            self.notify(exc.summary, title=title, severity="error", timeout=10)
            return exc.summary  # whole: an error state shortens it and says where the rest is
        return self.internal_error(exc)

    def internal_error(self, exc: BaseException) -> str:
        """The guard at the app's edge: log the traceback, say where it is, keep running."""
        self.internal_errors.append(exc)
        log.error("internal error", exc_info=(type(exc), exc, exc.__traceback__))
        where = f"details in {self.log_file}" if self.log_file else "the log could not be written"
        message = f"internal error ({type(exc).__name__}): {where}"
        # Once per kind of fault: a failing render would otherwise notify on every frame.
        if not any(n.text == message for n in list(self.messages)[-5:]):
            self.notify(message, title="fleet", severity="error", timeout=15)
        return message

    def _handle_exception(self, error: Exception) -> None:
        # Textual's default prints a traceback (with local variables) and exits; a console on
        # an ops host logs it instead, says where, and keeps answering keys.
        self.internal_error(error.error if isinstance(error, WorkerFailed) else error)


def _node_kind(node: object, view: str) -> str:
    """Where a binding of a widget applies: the widget's own `HELP_GROUP` ("list" for the
    tables), else the view."""
    return str(getattr(node, "HELP_GROUP", "") or view)


#: keys that are another name of a key already listed (ctrl+@ is what many terminals send for
#: ctrl+space), left out of the help
_KEY_ALIASES = frozenset({"ctrl+@"})


def _declared(node: object, binding_id: str | None) -> Binding | None:
    """The Binding with this id as its class declares it (all its keys), if there is one."""
    if binding_id is None:
        return None
    for cls in type(node).__mro__:
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id == binding_id:
                return binding
    return None
