"""The Textual app: holds the open profile and its platform, the screens and the global bindings."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import get_current_worker

from tui.api.errors import ApiError
from tui.api.platform import DeviceDirectory, Platform
from tui.config import FleetConfig, ProfileBase
from tui.screens.profiles import ProfilesScreen
from tui.secrets import SecretError, SecretResolver
from tui.session import EmbeddedSimulator, UnsupportedPlatform, open_platform
from tui.widgets.header import FleetHeader


class FleetApp(App[None]):
    """The fleet console."""

    TITLE = "fleet"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
    ]

    def __init__(
        self,
        config: FleetConfig,
        *,
        profile_name: str | None = None,
        readonly: bool = False,
        resolver: SecretResolver | None = None,
        simulator: EmbeddedSimulator | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.profile_name = profile_name or config.default_profile
        self.readonly = readonly
        self.resolver = resolver or SecretResolver()
        self.simulator = simulator or EmbeddedSimulator()
        self._owns_simulator = simulator is None
        self.profile: ProfileBase | None = None
        self.platform: Platform | None = None
        self.device_total: int | None = None
        self.status_line = "Connecting…"

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.push_screen(ProfilesScreen())
        self.switch_profile(self.profile_name)

    async def on_unmount(self) -> None:
        if self.platform is not None:
            await self.platform.aclose()
        if self._owns_simulator:
            self.simulator.stop()

    # ------------------------------------------------------------------ profiles

    def switch_profile(self, name: str) -> None:
        """Open the named profile in the background; the screens follow when it is connected."""
        self.profile_name = name
        self.device_total = None
        self._set_status(f"Connecting to {name}…")
        self._busy(+1)
        self._open_profile(self.config.profiles[name])

    @work(thread=True, exclusive=True, group="profile")
    def _open_profile(self, profile: ProfileBase) -> None:
        # Thread worker: resolving a secret may wait on a keyring, starting the simulator takes a moment.
        try:
            resolved, platform = open_platform(profile, self.resolver, self.simulator)
        except (UnsupportedPlatform, SecretError) as exc:
            self.call_from_thread(self._profile_failed, profile, str(exc))
            return
        if get_current_worker().is_cancelled:
            return
        self.call_from_thread(self._profile_opened, resolved, platform)

    def _profile_failed(self, profile: ProfileBase, message: str) -> None:
        self._busy(-1)
        self.profile = profile
        self._update_header()
        self._set_status(f"{profile.name}: {message}")
        self.notify(message, title=f"Cannot open {profile.name}", severity="error", timeout=8)

    async def _profile_opened(self, profile: ProfileBase, platform: Platform) -> None:
        self._busy(-1)
        if self.platform is not None:
            await self.platform.aclose()
        self.profile = profile
        self.platform = platform
        self._update_header()
        self._set_status(f"{profile.name}: connected to {platform.title}")
        self._load_device_total()

    @work(exclusive=True, group="device-total")
    async def _load_device_total(self) -> None:
        platform = self.platform
        if not isinstance(platform, DeviceDirectory):
            return
        self._busy(+1)
        try:
            page = await platform.list_devices()
        except ApiError as exc:
            self._set_status(f"{self.profile_name}: {exc.summary}")
            self.notify(exc.summary, title="Device list failed", severity="error", timeout=8)
            return
        finally:
            self._busy(-1)
        self.device_total = page.total
        total = f"{page.total:,}" if page.total is not None else f"{len(page.items):,}+"
        assert self.platform is not None
        self._set_status(f"{self.profile_name}: {self.platform.title}, {total} devices")

    # ------------------------------------------------------------------ header and status

    def _busy(self, delta: int) -> None:
        for header in self.screen.query(FleetHeader):
            header.busy = max(0, header.busy + delta)

    def _update_header(self) -> None:
        profile = self.profile
        for header in self.screen.query(FleetHeader):
            header.profile = self.profile_name
            header.platform = profile.PLATFORM_LABEL if profile else ""
            header.demo = bool(profile and profile.simulator)
            header.insecure = bool(profile and profile.insecure)
            header.readonly = self.readonly or bool(profile and profile.readonly)

    def _set_status(self, text: str) -> None:
        self.status_line = text
        screen = self.screen
        if isinstance(screen, ProfilesScreen) and screen.is_mounted:
            screen.refresh_rows()
