"""The console's bulk runs: started, resumed and stopped on the app's event loop.

No Textual here: the app drives it and the `:bulk` view reads the journal. One `ConsoleRuns` per
console process:

- the journal (tui/api/journal.py) is opened once, from a thread, when the first profile opens;
  when it cannot be opened, bulk runs and the audit log are off and `error` says why;
- each run is a `Runner` task on the app's event loop, on the platform of the profile it was
  started for: runs go on while the user browses, and after another profile is opened, since a
  platform is closed only once no run uses it (`retire`);
- `interrupt_all` stops every run cleanly (the calls in flight finish; the run is interrupted,
  resumable), for quit, SIGHUP and SIGTERM; `wait` awaits them, bounded.

Which process runs a run is the journal's business (a claim with a lease): a run that another
process owns (`fleet bulk run --detach`) is shown, never run here as well (`RunClaimed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from tui.api.bulk import Action, Runner
from tui.api.journal import Journal, JournalError, RunInfo
from tui.api.platform import Platform
from tui.config import ProfileBase

__all__ = ["ConsoleRuns", "LiveRun", "RunEnd"]

#: (run id, the run as it ended, or the exception that stopped it before it could run)
RunEnd = Callable[[int, "RunInfo | None", "BaseException | None"], None]


@dataclass
class LiveRun:
    """A run this process is running."""

    run_id: int
    platform: Platform
    runner: Runner
    task: asyncio.Task[None]


class ConsoleRuns:
    """The runs of one console process (see the module docstring)."""

    #: calls in flight at once, per run
    CONCURRENCY = 8

    def __init__(self) -> None:
        self._journal: Journal | None = None
        #: why the journal could not be opened (bulk runs and the audit log are then off)
        self.error: str | None = None
        self._lock = threading.Lock()
        self.live: dict[int, LiveRun] = {}
        self._retired: list[Platform] = []

    # ---------------------------------------------------------------- the journal

    def journal(self) -> Journal | None:
        """The journal, opened on first use (blocking: call it from a thread); None when it
        cannot be opened (`error` says why)."""
        with self._lock:
            if self._journal is None and self.error is None:
                try:
                    self._journal = Journal()
                except JournalError as exc:
                    self.error = str(exc)
            return self._journal

    @property
    def opened(self) -> Journal | None:
        """The journal if it is open already (no blocking)."""
        return self._journal

    # ---------------------------------------------------------------- runs

    def launch(
        self,
        journal: Journal,
        run: RunInfo,
        action: Action,
        platform: Platform,
        profile: ProfileBase,
        ended: RunEnd,
    ) -> LiveRun:
        """Run `run` in a task on the running loop; `ended` is called when it stops."""
        rate = profile.effective_rate_limit
        if run.rate_limit:
            rate = min(run.rate_limit, rate)
        runner = Runner(
            journal, platform, action, run.id, rate_limit=rate, concurrency=self.CONCURRENCY
        )
        task = asyncio.get_running_loop().create_task(self._drive(runner, ended))
        live = LiveRun(run.id, platform, runner, task)
        self.live[run.id] = live
        return live

    async def _drive(self, runner: Runner, ended: RunEnd) -> None:
        info: RunInfo | None = None
        error: BaseException | None = None
        try:
            info = await runner.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # RunClaimed, JournalError, or a fault the app logs
            error = exc
        finally:
            self.live.pop(runner.run_id, None)
            await self._close_retired()
        ended(runner.run_id, info, error)

    def is_live(self, run_id: int) -> bool:
        return run_id in self.live

    def cancel(self, run_id: int) -> bool:
        """Stop a run of this process (the calls in flight finish); False if it runs elsewhere."""
        live = self.live.get(run_id)
        if live is None:
            return False
        live.runner.cancel()
        return True

    def interrupt_all(self, why: str) -> int:
        """Stop every run of this process cleanly, resumable; how many were running."""
        for live in self.live.values():
            live.runner.interrupt(why)
        return len(self.live)

    async def wait(self, timeout: float) -> None:
        """Await the runs of this process (after `interrupt_all`); what is still going after
        `timeout` seconds is cancelled (its targets in flight stay `sending`: a resume settles
        them as the journal says)."""
        tasks = [live.task for live in self.live.values()]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # ---------------------------------------------------------------- platforms

    def uses(self, platform: Platform) -> bool:
        return any(live.platform is platform for live in self.live.values())

    def retire(self, platform: Platform) -> bool:
        """The app is done with `platform`: True when a run still uses it (it is then closed
        when its last run ends), False when the caller may close it now."""
        if self.uses(platform):
            self._retired.append(platform)
            return True
        return False

    async def _close_retired(self) -> None:
        for platform in [p for p in self._retired if not self.uses(p)]:
            self._retired.remove(platform)
            await platform.aclose()

    async def close(self, timeout: float) -> None:
        """At exit: stop and await the runs, close the platforms they held, close the journal."""
        self.interrupt_all("stopped: fleet quit")
        await self.wait(timeout)
        for platform in self._retired:
            await platform.aclose()
        self._retired.clear()
        journal = self._journal
        if journal is not None:
            await asyncio.to_thread(journal.close)
