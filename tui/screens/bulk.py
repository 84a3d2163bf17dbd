"""The bulk view (`:bulk`): every run in the journal, whichever process runs it, and its report.

`BulkScreen` lists the runs, newest first, with a bar of what is done, failed, uncertain and
left, the rate and the time left; it reads the journal once a second while it is shown, so a
run started here, with `fleet bulk run --detach` or in another console moves on screen. `enter`
opens `RunScreen`: the run's targets (the failed and uncertain ones first) with the platform's
status, vendor code and message, to export, re-run (only the failed ones), or decide (what
became uncertain: send again or skip).

Everything read from the journal comes from a thread (another process may hold its write lock
for a moment); every cell quoting a vendor or a user is plain text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from tui.api.bulk import RunState, TargetState
from tui.api.journal import Journal, JournalError, RunInfo, TargetRow
from tui.api.table_files import write_rows
from tui.config import DEFAULT_TIMEZONE
from tui.screens.base import FleetScreen
from tui.screens.bulk_plan import ActionMenu, MenuEntry
from tui.screens.confirm import ConfirmScreen
from tui.widgets.header import FleetHeader
from tui.widgets.safe import one_line, plain
from tui.widgets.state import LoadState
from tui.widgets.virtual_table import PromptBar

__all__ = ["BulkScreen", "RunEnded", "RunScreen", "progress_bar"]

#: seconds between two reads of the journal while a bulk screen is shown
POLL_SECONDS = 1.0
#: targets a run's report shows (all of them go to an export)
REPORT_ROWS = 2000
#: the order a report lists targets in: what needs the user first
_PROBLEMS = (TargetState.FAILED, TargetState.UNCERTAIN)
#: characters of a target's message in the report's table (the cursor row's is shown whole)
MESSAGE_CELL = 48
#: seconds between two reloads of every target of a run that goes (the problems: at once)
RELOAD_ALL_SECONDS = 5.0
#: cells of the progress bar
BAR_CELLS = 10


class RunEnded(Message):
    """A run of this console ended; `done` holds the keys a delete run deleted (else empty)."""

    def __init__(self, info: RunInfo, done: frozenset[str]) -> None:
        super().__init__()
        self.info = info
        self.done = done


# --------------------------------------------------------------------------- cells


def progress_bar(run: RunInfo, cells: int = BAR_CELLS) -> Text:
    """A bar of done (green), failed (red), uncertain (yellow), skipped (dim) and left (░),
    then the settled percentage."""
    total = max(run.total, 1)
    parts = [
        (run.count(TargetState.DONE), "green"),
        (run.count(TargetState.FAILED), "red"),
        (run.count(TargetState.UNCERTAIN), "yellow"),
        (run.count(TargetState.SKIPPED), "dim"),
    ]
    bar = Text()
    used = 0
    for count, style in parts:
        # Rounded down, but never hidden: one failure in a million still shows a cell.
        width = min(cells - used, max(1 if count else 0, count * cells // total))
        bar.append("█" * width, style=style)
        used += width
    bar.append("░" * (cells - used), style="dim")
    bar.append(f" {run.settled * 100 // total:>3}%")
    return bar


def _state(run: RunInfo, here: bool) -> Text:
    style = {
        RunState.RUNNING: "bold cyan",
        RunState.DONE: "green",
        RunState.INTERRUPTED: "yellow",
        RunState.CANCELLED: "dim",
        RunState.PLANNED: "",
    }[run.state]
    text = run.state.value
    if run.state is RunState.RUNNING and not here:
        text += f" (pid {run.owner_pid})" if run.owner_pid else " (elsewhere)"
    elif run.state is RunState.DONE and (
        run.count(TargetState.FAILED) or run.count(TargetState.UNCERTAIN)
    ):
        style = "yellow"
    return Text(text, style=style)


def _count(n: int, style: str = "") -> Text:
    return Text(f"{n:,}" if n else "·", style=style if n else "dim", justify="right")


def _rate(run: RunInfo) -> Text:
    return Text(f"{run.rate:,.1f}/s" if run.rate else "·", justify="right")


def duration(seconds: float | None) -> str:
    """3s, 4m05s, 2h10m; "·" when unknown."""
    if seconds is None:
        return "·"
    seconds = max(0, int(seconds + 0.5))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _when(stamp: float | None, zone: ZoneInfo, *, short: bool = False) -> str:
    """A journal time in the profile's time zone, to the minute; `short`: the time of day for
    today, else the month and day (as `ls -l` does with the year)."""
    if not stamp:
        return "·"
    when = datetime.fromtimestamp(stamp, zone)
    if not short:
        return when.strftime("%Y-%m-%d %H:%M")
    today = datetime.now(zone).date()
    return when.strftime("%H:%M" if when.date() == today else "%b %d")


def _path_error(text: str) -> str | None:
    return None if text.strip() else "type a file path"


def _report_row(row: TargetRow) -> dict[str, Any]:
    return {
        "index": row.index + 1,
        "key": row.key,
        "label": row.label,
        "state": row.state.value,
        "attempts": row.attempts,
        "status": row.status,
        "code": row.code,
        "message": row.message,
    }


# --------------------------------------------------------------------------- shared actions


class _RunCommands(FleetScreen[None]):
    """What the list of runs and a run's report share: resume, cancel, re-run the failed
    targets, decide the uncertain ones, export the report. `current_run()` says which run."""

    DANGEROUS = frozenset({"resume", "rerun_failed", "decide"})

    def current_run(self) -> RunInfo | None:
        raise NotImplementedError

    @property
    def zone(self) -> ZoneInfo:
        profile = self.fleet.profile
        return ZoneInfo(profile.timezone if profile is not None else DEFAULT_TIMEZONE)

    def report_states(self) -> tuple[TargetState, ...] | None:
        """The targets an export writes (None: every one)."""
        return _PROBLEMS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if not allowed:
            return allowed
        run = self.current_run()
        if action in ("resume", "cancel", "rerun_failed", "decide", "export_report"):
            if run is None:
                return None  # shown, dimmed: nothing under the cursor
            live = self.fleet.runs.is_live(run.id) or run.state is RunState.RUNNING
            if action == "resume":
                return None if live or (run.state is RunState.DONE and not run.remaining) else True
            if action == "cancel":
                return True if live or run.state is RunState.PLANNED else None
            if action == "rerun_failed":
                return True if run.count(TargetState.FAILED) and not live else None
            if action == "decide":
                return True if run.count(TargetState.UNCERTAIN) and not live else None
        return allowed

    def _refresh_run(self) -> None:
        """The run changed (or may have): read it again."""

    def action_resume(self) -> None:
        run = self.current_run()
        if run is not None:
            self.fleet.resume_run(run)
            self.set_timer(0.3, self._refresh_run)

    def action_cancel(self) -> None:
        run = self.current_run()
        if run is not None:
            self.fleet.cancel_run(run)
            self.set_timer(0.3, self._refresh_run)

    def action_rerun_failed(self) -> None:
        run = self.current_run()
        if run is None:
            return
        failed = run.count(TargetState.FAILED)

        def answered(yes: bool | None) -> None:
            if yes:
                self._rerun(run)

        self.app.push_screen(
            ConfirmScreen(
                f"Re-run the failed targets of #{run.id}",
                f"{run.title} again, on the {failed:,} target{'s' if failed != 1 else ''} that "
                f"failed, as a new run on {run.profile}. The others are left alone.",
                yes=f"Run on {failed:,}",
            ),
            answered,
        )

    @work(group="bulk-action")
    async def _rerun(self, run: RunInfo) -> None:
        new = await self.fleet.ask_journal(
            lambda journal: journal.run(journal.rerun_failed(run.id))
        )
        if new is None:
            return
        self.fleet.resume_run(new)
        self._refresh_run()

    def action_decide(self) -> None:
        run = self.current_run()
        if run is None:
            return
        uncertain = run.count(TargetState.UNCERTAIN)
        them = f"the {uncertain:,} uncertain" if uncertain > 1 else "the uncertain one"
        entries = [
            MenuEntry(
                "s",
                f"Send {them} again: each may then arrive twice",
                lambda: self._decide(run, None, True),
            ),
            MenuEntry(
                "k", f"Skip {them}: leave them as they are", lambda: self._decide(run, None, False)
            ),
        ]
        one = self.cursor_target()
        if one is not None and one.state is TargetState.UNCERTAIN and uncertain > 1:
            entries += [
                MenuEntry(
                    "1",
                    f"Send {one_line(one.label or one.key, 40)} again",
                    lambda: self._decide(run, one.index, True),
                ),
                MenuEntry(
                    "2",
                    f"Skip {one_line(one.label or one.key, 40)}",
                    lambda: self._decide(run, one.index, False),
                ),
            ]

        def chosen(entry: MenuEntry | None) -> None:
            if entry is not None:
                entry.choose()

        what = (
            f"{run.title}: the call to {uncertain:,} target{'s' if uncertain != 1 else ''} may "
            "or may not have gone through, and the platform cannot be asked which."
        )
        self.app.push_screen(ActionMenu(f"Uncertain targets of #{run.id}", what, entries), chosen)

    def cursor_target(self) -> TargetRow | None:
        """The target under the cursor, where the screen lists targets."""
        return None

    @work(group="bulk-action")
    async def _decide(self, run: RunInfo, index: int | None, resend: bool) -> None:
        def decide(journal: Journal) -> tuple[int, RunInfo]:
            if index is None:
                indexes = [row.index for row in journal.targets(run.id, [TargetState.UNCERTAIN])]
            else:
                indexes = [index]
            return journal.decide(run.id, indexes, resend), journal.run(run.id)

        decided = await self.fleet.ask_journal(decide)
        if decided is None:
            return
        changed, after = decided
        verb = "to send again" if resend else "skipped"
        self.notify(f"Bulk run #{run.id}: {changed:,} {verb}", title="Bulk")
        if resend and changed:
            self.fleet.resume_run(after)
        self._refresh_run()

    # ---------------------------------------------------------------- export

    @property
    def prompt(self) -> PromptBar:
        return self.query_one("#bulk-prompt", PromptBar)

    def action_export_report(self) -> None:
        run = self.current_run()
        if run is None:
            return
        states = self.report_states()
        which = "failed and uncertain targets" if states else "targets"
        self._export_run = run
        self.prompt.open(
            "export",
            "file",
            f"bulk-run-{run.id}-report.csv",
            f"write the {which} of #{run.id} with the platform's code and message · "
            ".csv or .jsonl · enter writes · esc cancels",
            _path_error,
        )

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, event: PromptBar.Submitted) -> None:
        event.stop()
        self.prompt.close()
        self.focus_main()
        run = getattr(self, "_export_run", None)
        if event.purpose == "export" and run is not None:
            self._export(run, event.value.strip(), self.report_states())

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def action_escape(self) -> None:
        if self.prompt.is_open:
            self.prompt.close()
            self.focus_main()
        else:
            self.fleet.action_back()

    @work(group="bulk-export", exclusive=True)
    async def _export(
        self, run: RunInfo, path: str, states: tuple[TargetState, ...] | None
    ) -> None:
        journal = await self.fleet.bulk_journal()
        if journal is None:
            return
        fmt: Literal["csv", "jsonl"] = "jsonl" if path.lower().endswith(".jsonl") else "csv"

        async def rows() -> AsyncIterator[dict[str, Any]]:
            offset = 0
            while True:
                page = await asyncio.to_thread(journal.targets, run.id, states, offset, 1000)
                for row in page:
                    yield _report_row(row)
                if len(page) < 1000:
                    return
                offset += len(page)

        target = Path(path).expanduser()
        try:
            async with self.busy():
                count = await write_rows(target, rows(), fmt)
        except JournalError as exc:
            self.notify(str(exc), title="Export", severity="error")
            return
        except OSError as exc:
            self.notify(f"{target}: {exc.strerror or exc}", title="Export", severity="error")
            return
        self.notify(f"{count:,} targets of #{run.id} written to {target}", title="Export")


# --------------------------------------------------------------------------- the list


class BulkScreen(_RunCommands):
    """Every bulk run in the journal (see the module docstring)."""

    VIEW = "bulk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_run", "Report", id="bulk.open"),
        Binding("r", "resume", "Run/resume", id="bulk.resume"),
        Binding("c", "cancel", "Cancel run", id="bulk.cancel"),
        Binding("R", "rerun_failed", "Re-run failed", id="bulk.rerun"),
        Binding("u", "decide", "Uncertain…", id="bulk.decide"),
        Binding("e", "export_report", "Export report", id="bulk.export"),
        Binding("escape", "escape", "Back", show=False, id="bulk.escape"),
    ]

    DEFAULT_CSS = """
    BulkScreen DataTable { height: 1fr; }
    BulkScreen #bulk-status {
        height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    COLUMNS = (
        ("#", "id"),
        ("Action", "action"),
        ("State", "state"),
        ("Progress", "progress"),
        ("Done", "done"),
        ("Failed", "failed"),
        ("Uncertain", "uncertain"),
        ("Left", "left"),
        ("Rate", "rate"),
        ("ETA", "eta"),
        ("Started", "started"),
        ("Profile", "profile"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.run_list: list[RunInfo] = []
        self._poller: Timer | None = None

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield LoadState(
            DataTable(id="bulk-table", cursor_type="row", zebra_stripes=True), id="bulk-state"
        )
        yield PromptBar(id="bulk-prompt")
        yield Static("", id="bulk-status")
        yield Footer()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#bulk-table", DataTable)

    def on_mount(self) -> None:
        super().on_mount()
        for label, key in self.COLUMNS:
            self.table.add_column(label, key=key)
        self.query_one(LoadState).loading("Reading the bulk journal…")
        self._poller = self.set_interval(POLL_SECONDS, self._poll)
        self._poll()

    def on_screen_resume(self) -> None:
        if self._poller is not None:
            self._poller.resume()
        self._poll()

    def on_screen_suspend(self) -> None:
        if self._poller is not None:
            self._poller.pause()

    def on_session(self) -> None:
        self._poll()

    def on_run_ended(self, message: RunEnded) -> None:
        message.stop()
        self._poll()

    def _refresh_run(self) -> None:
        self._poll()

    @work(group="bulk-poll", exclusive=True)
    async def _poll(self) -> None:
        journal = await self.fleet.bulk_journal()
        state = self.query_one(LoadState)
        if journal is None:
            state.error(f"No bulk journal: {self.fleet.runs.error}", "bulk runs are off")
            return
        try:
            runs = await asyncio.to_thread(journal.runs)
        except JournalError as exc:
            state.error(str(exc), "it is read again every second")
            return
        self.show_runs(runs)

    def show_runs(self, runs: list[RunInfo]) -> None:
        self.run_list = runs
        table = self.table
        state = self.query_one(LoadState)
        if not runs:
            table.clear()
            state.empty(
                "No bulk runs yet",
                "mark rows in a list with space (A marks all), then b for what to do with them",
            )
            self._status()
            return
        selected = self.current_run()
        keys = [str(run.id) for run in runs]
        if [str(k.value) for k in table.rows] != keys:
            table.clear()
            for run in runs:
                table.add_row(*self._cells(run), key=str(run.id))
            if selected is not None and str(selected.id) in keys:
                table.move_cursor(row=keys.index(str(selected.id)), animate=False)
        else:
            for run in runs:
                for (_, column), cell in zip(self.COLUMNS, self._cells(run), strict=True):
                    table.update_cell(str(run.id), column, cell)
        if state.state != "ready":
            state.ready()
            table.focus()
        self._status()
        self.refresh_bindings()

    def _cells(self, run: RunInfo) -> list[Any]:
        here = self.fleet.runs.is_live(run.id)
        return [
            Text(f"{run.id}", justify="right"),
            plain(run.title, limit=28),
            _state(run, here),
            progress_bar(run),
            _count(run.count(TargetState.DONE), "green"),
            _count(run.count(TargetState.FAILED), "red"),
            _count(run.count(TargetState.UNCERTAIN), "yellow"),
            _count(run.remaining),
            _rate(run),
            Text(duration(run.eta) if run.state is RunState.RUNNING else "·", justify="right"),
            _when(run.started or run.created, self.zone, short=True),
            plain(run.profile, limit=30),
        ]

    def _status(self) -> None:
        runs = self.run_list
        going = sum(1 for run in runs if run.state is RunState.RUNNING)
        here = len(self.fleet.runs.live)
        waiting = sum(1 for run in runs if run.state is RunState.INTERRUPTED)
        parts = [f"{len(runs):,} run{'s' if len(runs) != 1 else ''}"]
        if going:
            parts.append(f"{going} running ({here} in this console)")
        if waiting:
            parts.append(f"{waiting} interrupted (r resumes)")
        if runs:
            parts.append("enter shows a run's report")
        self.query_one("#bulk-status", Static).update(plain(" · ".join(parts), limit=300))

    def current_run(self) -> RunInfo | None:
        table = self.table
        if not self.run_list or table.row_count == 0:
            return None
        row = table.cursor_row
        if 0 <= row < len(self.run_list):
            return self.run_list[row]
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        run = self.current_run()
        if run is not None:
            self.app.push_screen(RunScreen(run))


# --------------------------------------------------------------------------- one run


class RunScreen(_RunCommands):
    """One run: what it is, where it is, and its targets with the platform's words."""

    VIEW = "bulk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_filter", "All/problems", id="run.filter"),
        Binding("r", "resume", "Run/resume", id="run.resume"),
        Binding("c", "cancel", "Cancel run", id="run.cancel"),
        Binding("R", "rerun_failed", "Re-run failed", id="run.rerun"),
        Binding("u", "decide", "Uncertain…", id="run.decide"),
        Binding("e", "export_report", "Export report", id="run.export"),
        Binding("escape", "escape", "Back", id="run.back"),
    ]

    DEFAULT_CSS = """
    RunScreen #run-summary { height: auto; padding: 0 1; border-bottom: solid $panel-lighten-2; }
    RunScreen DataTable { height: 1fr; }
    RunScreen #run-status {
        height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    RunScreen #run-target { height: auto; max-height: 4; padding: 0 1; background: $panel; }
    """

    def __init__(self, run: RunInfo) -> None:
        super().__init__()
        self.run = run
        #: None: every target; else the states listed
        self.states: tuple[TargetState, ...] | None = None
        self.rows: list[TargetRow] = []
        self._poller: Timer | None = None
        self._shown_counts: dict[TargetState, int] | None = None
        self._loaded_at = 0.0

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield Static(id="run-summary")
        yield LoadState(
            DataTable(id="run-table", cursor_type="row", zebra_stripes=True), id="run-state"
        )
        yield Static("", id="run-target")
        yield PromptBar(id="bulk-prompt")
        yield Static("", id="run-status")
        yield Footer()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#run-table", DataTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.table.add_columns("#", "Target", "Name", "State", "Tries", "HTTP", "Code", "Message")
        # The problems first when there are any; a run that went well shows every target.
        run = self.run
        self.states = _PROBLEMS if any(run.count(s) for s in _PROBLEMS) else None
        self._summary()
        self.query_one(LoadState).loading("Reading the run's targets…")
        self._poller = self.set_interval(POLL_SECONDS, self._refresh_run)
        self._load()

    def on_screen_resume(self) -> None:
        if self._poller is not None:
            self._poller.resume()
        self._refresh_run()

    def on_screen_suspend(self) -> None:
        if self._poller is not None:
            self._poller.pause()

    def current_run(self) -> RunInfo | None:
        return self.run

    def report_states(self) -> tuple[TargetState, ...] | None:
        return self.states

    def cursor_target(self) -> TargetRow | None:
        row = self.table.cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def on_run_ended(self, message: RunEnded) -> None:
        message.stop()
        self._refresh_run()

    @work(group="run-poll", exclusive=True)
    async def _refresh_run(self) -> None:
        journal = await self.fleet.bulk_journal()
        if journal is None:
            return
        try:
            self.run = await asyncio.to_thread(journal.run, self.run.id)
        except JournalError as exc:
            self.query_one(LoadState).error(str(exc), "esc goes back")
            return
        self._summary()
        self.refresh_bindings()
        if self._stale():
            self._load()

    def _stale(self) -> bool:
        """Whether the targets shown are behind the journal: the problems as soon as their
        counts change; every target at most every `RELOAD_ALL_SECONDS` while the run goes."""
        counts, shown = dict(self.run.counts), self._shown_counts
        if shown is None or counts == shown:
            return shown is None
        if self.states:
            return any(counts.get(s, 0) != shown.get(s, 0) for s in self.states)
        return time.monotonic() - self._loaded_at >= RELOAD_ALL_SECONDS or (
            self.run.state is not RunState.RUNNING
        )

    def _summary(self) -> None:
        run = self.run
        here = self.fleet.runs.is_live(run.id)
        text = Text()
        text.append(f"#{run.id} ", style="bold")
        text.append(one_line(run.title, 80), style="bold")
        text.append(f" on {one_line(run.profile, 40)} ({one_line(run.platform, 20)}) · ")
        text.append_text(_state(run, here))
        text.append("\n")
        text.append_text(progress_bar(run, 30))
        text.append(f"  {run.settled:,}/{run.total:,} settled: ")
        for state, style in (
            (TargetState.DONE, "green"),
            (TargetState.FAILED, "red"),
            (TargetState.UNCERTAIN, "yellow"),
            (TargetState.SKIPPED, "dim"),
        ):
            if run.count(state) or state is not TargetState.SKIPPED:
                text.append(f"{run.count(state):,} {state.value}", style=style)
                text.append(" · ")
        text.append(f"{run.remaining:,} left")
        if run.state is RunState.RUNNING:
            text.append(f" · {run.rate:,.1f}/s · ETA {duration(run.eta)}")
        text.append("\n")
        text.append(f"planned {_when(run.created, self.zone)}", style="dim")
        if run.started:
            text.append(f" · started {_when(run.started, self.zone)}", style="dim")
        if run.finished and run.state is not RunState.RUNNING:
            text.append(f" · stopped {_when(run.finished, self.zone)}", style="dim")
        if run.rate_limit:
            text.append(f" · rate limit {run.rate_limit:g}/s", style="dim")
        if run.parent:
            text.append(f" · the failed targets of #{run.parent}", style="dim")
        if run.message:
            text.append("\n")
            text.append(one_line(run.message, 300), style="yellow")
        if run.count(TargetState.UNCERTAIN) and run.state is not RunState.RUNNING:
            text.append("\n")
            text.append(
                "Uncertain: a call that may or may not have gone through and cannot be looked "
                "up (a downlink). u decides: send again or skip.",
                style="yellow",
            )
        self.query_one("#run-summary", Static).update(text)

    def action_toggle_filter(self) -> None:
        self.states = None if self.states else _PROBLEMS
        self._load()

    @work(group="run-load", exclusive=True)
    async def _load(self) -> None:
        journal = await self.fleet.bulk_journal()
        if journal is None:
            return
        counts = dict(self.run.counts)
        try:
            rows = await asyncio.to_thread(
                journal.targets, self.run.id, self.states, 0, REPORT_ROWS
            )
        except JournalError as exc:
            self.query_one(LoadState).error(str(exc), "esc goes back")
            return
        self._shown_counts = counts
        self._loaded_at = time.monotonic()
        self.rows = rows
        table = self.table
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                Text(f"{row.index + 1:,}", justify="right"),
                plain(row.key or "(new)", limit=40),
                plain(row.label, limit=40),
                _target_state(row.state),
                Text(f"{row.attempts}", justify="right"),
                Text(f"{row.status}" if row.status else "·", justify="right"),
                plain(row.code or "·", limit=30),
                plain(row.message or "", limit=MESSAGE_CELL),
            )
        state = self.query_one(LoadState)
        if not rows:
            what = "failed or uncertain targets" if self.states else "targets"
            state.empty(f"No {what}", "f shows every target" if self.states else "")
        else:
            state.ready()
            table.focus()
            if 0 <= cursor < len(rows):
                table.move_cursor(row=cursor, animate=False)
        self._status(len(rows))
        self._show_target()

    def _status(self, shown: int) -> None:
        run = self.run
        if self.states:
            total = sum(run.count(s) for s in self.states)
            what = "failed and uncertain"
        else:
            total = run.total
            what = "all"
        text = f"{what}: {shown:,} of {total:,} shown"
        if shown < total:
            text += f" (the first {REPORT_ROWS:,}: e exports every one)"
        text += " · f switches all/problems"
        self.query_one("#run-status", Static).update(plain(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.refresh_bindings()
        self._show_target()

    def _show_target(self) -> None:
        """The cursor row's target whole: what the platform said of it, on up to 4 lines."""
        row = self.cursor_target()
        widget = self.query_one("#run-target", Static)
        widget.display = row is not None and bool(row.message or row.code)
        if row is None:
            return
        text = Text()
        text.append(one_line(row.label or row.key or "(new)", 60), style="bold")
        text.append(f" {row.state.value}")
        if row.status:
            text.append(f" · HTTP {row.status}")
        if row.code:
            text.append(f" · {one_line(row.code, 40)}")
        if row.message:
            text.append(": ")
            text.append(one_line(row.message, 400))
        widget.update(text)


def _target_state(state: TargetState) -> Text:
    style = {
        TargetState.DONE: "green",
        TargetState.FAILED: "red",
        TargetState.UNCERTAIN: "yellow",
        TargetState.SKIPPED: "dim",
        TargetState.SENDING: "cyan",
    }.get(state, "")
    return Text(state.value, style=style)
