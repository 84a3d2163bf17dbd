"""What every view shares: the app's open platform, a busy spinner, error reports, reloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.screen import Screen

from tui.api.platform import Platform

if TYPE_CHECKING:
    from tui.app import FleetApp

ResultT = TypeVar("ResultT")


class FleetScreen(Screen[ResultT]):
    """Base of the console's screens.

    A subclass overrides `on_session()` to (re)load its data: it is called once the screen is
    mounted and whenever the user opens another profile. Network calls go in `@work` methods,
    wrapped in `async with self.busy():` so the header spinner shows, and failures go to
    `self.report(exc, "what failed")`, which shows the vendor's code and message.
    """

    #: names the view in the header, the `:` command line and the palette
    VIEW: ClassVar[str] = ""
    #: actions that change a platform, refused on a read-only profile
    DANGEROUS: ClassVar[frozenset[str]] = frozenset()

    @property
    def fleet(self) -> FleetApp:
        return self.app  # type: ignore[return-value]

    @property
    def platform(self) -> Platform | None:
        return self.fleet.platform

    def on_mount(self) -> None:
        self.watch(self.fleet, "session", self._session_changed, init=False)
        if self.fleet.platform is not None or self.fleet.open_error is not None:
            # Once mounted, not after the first paint: the first request overlaps the paint.
            self.call_later(self._session_changed, self.fleet.session)

    def _session_changed(self, _: int) -> None:
        # What the footer offers depends on the platform (check_action): ask it again.
        self.refresh_bindings()
        self.on_session()

    def on_session(self) -> None:
        """The app opened a profile (or failed to): reload what this screen shows."""

    @asynccontextmanager
    async def busy(self) -> AsyncIterator[None]:
        """Show the header spinner while a call runs."""
        self.fleet.busy_count += 1
        try:
            yield
        finally:
            self.fleet.busy_count -= 1

    def report(self, exc: BaseException, title: str) -> str:
        """Notify a failed call with the vendor's code and message; return the one-line text.

        Only an `ApiError` is a platform's answer; anything else is fleet's own fault, which
        the app logs with its traceback (`FleetApp.internal_error`).
        """
        return self.fleet.report(exc, title)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.DANGEROUS and self.fleet.is_readonly)
