"""The bulk-job engine: plan an action over many targets, run it, journal it, resume it.

No Textual here. A bulk run applies one `Action` (delete devices, send each a downlink, create
devices from CSV rows…) to a list of `Target`s. The plan says what will change, on how many
targets, and what cannot be done and why; the run goes through the journal (tui/api/journal.py)
so that whatever fails (the network, the platform, the terminal, the process) nothing is lost
and nothing is done twice:

- before a call the target is `sending`, committed; after it, `done` or `failed`, committed;
- on resume, a target found `sending` is sent again when its action is idempotent (a PUT, a
  DELETE, an acknowledgement), looked up on the platform first when it is a create (sent again
  only when it is not there), and marked `uncertain` when its effect cannot be looked up (a
  downlink): the user decides, it is never sent twice silently.

This module holds the contract the actions, the journal, the runner and the screens share,
the runner (`Runner`), and the rate limiter each profile's runs go through (`AdaptiveLimiter`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tui.api.errors import ApiError
from tui.api.forms import field_of

if TYPE_CHECKING:
    from tui.api.journal import Journal, RunInfo
    from tui.api.platform import Platform

__all__ = [
    "Action",
    "ActionKind",
    "AdaptiveLimiter",
    "CannotTell",
    "Plan",
    "RunClaimed",
    "RunState",
    "Runner",
    "Target",
    "TargetState",
    "current_run",
    "current_target",
    "limiter_for",
    "plan",
    "secret_fields",
]

_LOG = logging.getLogger("fleet")


class ActionKind(StrEnum):
    """How a call that may have gone through is handled on resume (see the module docstring)."""

    IDEMPOTENT = "idempotent"
    CREATE = "create"
    UNVERIFIABLE = "unverifiable"


class TargetState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"


#: A target in one of these states is finished with: a run never sends it again by itself.
SETTLED = frozenset(
    {TargetState.DONE, TargetState.FAILED, TargetState.UNCERTAIN, TargetState.SKIPPED}
)


class RunState(StrEnum):
    """Where a run is (see `Runner` for how it moves).

    - planned: created, never started;
    - running: a live process owns it (its lease is renewed every second);
    - cancelled: the user stopped it; its pending targets are left, resumable;
    - interrupted: it stopped with work left (a signal, the platform gone silent, the journal
      unwritable), or its owner died: resumable;
    - done: every target settled (done, failed, uncertain or skipped: the counts say which).
    """

    PLANNED = "planned"
    RUNNING = "running"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    DONE = "done"


#: The id of the run whose target a call is made for, while the runner makes it (the audit log
#: names the run with it); None outside a run.
current_run: ContextVar[int | None] = ContextVar("fleet_bulk_run", default=None)
#: The key of the target a call is made for, while the runner makes it (the audit log names
#: the device by it rather than by the vendor's reference in the path); None for a new one.
current_target: ContextVar[str | None] = ContextVar("fleet_bulk_target", default=None)


@dataclass(frozen=True)
class Target:
    """One thing a run acts on: a device or alarm `key` (empty for a create whose key the
    platform assigns), what the user reads (`label`), its own input (`values`, a CSV row as the
    action's input model takes it; JSON-serialisable), and what its list row says of it
    (`facts`, such as its connectivity: the plan's checks read them, nothing sends them)."""

    key: str
    label: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)


class CannotTell(Exception):
    """`Action.exists()` cannot say whether a create went through (the platform assigns the
    key): the target is `uncertain`, for the user to decide."""


class Action(ABC):
    """What a bulk run does to each target, on one open platform.

    `id` is stable and stored in the journal with `params`; `tui.api.actions.make_action`
    rebuilds the action from them in any process (a detached run, a resume after a crash).
    """

    #: the action's id in the journal ("delete", "command:downlink", "create:lorawan", …)
    id: str
    #: what the plan and the bulk view call it ("Delete devices")
    title: str
    kind: ActionKind
    #: a destructive plan asks the user to type the count to confirm
    destructive: bool = False
    #: how many targets one call takes: 1 (`apply`), or more where the platform takes a list
    #: in one request (EnOS registers up to 1000 sub-devices at once: `apply_batch`)
    BATCH: int = 1

    @property
    def params(self) -> dict[str, Any]:
        """What the action needs besides its targets (a downlink's payload…), JSON-serialisable."""
        return {}

    def cannot(self, target: Target) -> str | None:
        """Why this target cannot be done (shown in the plan), or None."""
        return None

    def describe(self, target: Target) -> str:
        """What will change for this target, in a few words (the plan's first rows)."""
        return self.title

    @abstractmethod
    async def apply(self, target: Target) -> str:
        """Make the call (raise ApiError when the platform refuses); answer the key acted upon
        (for a create, the new device's key)."""

    async def apply_batch(self, targets: Sequence[Target]) -> list[str | ApiError]:
        """BATCH > 1: one call for these targets (at most BATCH); per target, in order, the key
        acted upon or the platform's refusal of that one. Raises ApiError when the call as a
        whole failed (no answer, a refusal of the whole request). By default, one target by
        `apply`: its refusal is the call's."""
        if len(targets) != 1:
            raise NotImplementedError(f"{self.id} acts on one target per call")
        return [await self.apply(targets[0])]

    async def exists(self, target: Target) -> bool:
        """CREATE actions: whether the target is already on the platform (resume asks this
        before sending a create again); raises CannotTell when the platform cannot say."""
        raise CannotTell(self.id)


def secret_fields(action: Action) -> frozenset[str]:
    """The fields of the action's form that hold a secret (its model marks them
    `ui(secret=True)`): the journal seals them, messages mask them."""
    spec = getattr(action, "spec", None)
    model = getattr(spec, "model", None)
    if model is None:
        return frozenset()
    return frozenset(name for name in model.model_fields if field_of(model, name).get("secret"))


@dataclass(frozen=True)
class Plan:
    """What a run would do: the targets it will act on, those it cannot (with why), and how
    many of the user's marks the current filter hides (the confirmation says so)."""

    action: Action
    targets: tuple[Target, ...]
    refused: tuple[tuple[Target, str], ...] = ()
    hidden_by_filter: int = 0

    @property
    def count(self) -> int:
        return len(self.targets)

    @property
    def destructive(self) -> bool:
        return self.action.destructive


def plan(action: Action, targets: Sequence[Target], *, hidden_by_filter: int = 0) -> Plan:
    """Split `targets` into those the action can do and those it cannot, each once."""
    doable: list[Target] = []
    refused: list[tuple[Target, str]] = []
    seen: set[tuple[str, str]] = set()
    for target in targets:
        identity = (target.key, repr(sorted(target.values.items())))
        if identity in seen:
            continue
        seen.add(identity)
        reason = action.cannot(target)
        if reason is None:
            doable.append(target)
        else:
            refused.append((target, reason))
    return Plan(action, tuple(doable), tuple(refused), hidden_by_filter)


# ---------------------------------------------------------------------------------------------
# The rate limiter
# ---------------------------------------------------------------------------------------------


class AdaptiveLimiter:
    """A token bucket whose rate adapts to the platform's 429s, as AWS's adaptive retry mode
    does (botocore's `retries/adaptive.py`, `bucket.py` and `throttling.py`).

    - It starts at `rate` (the profile's `rate_limit`, requests per second) and never goes above
      it: the profile's figure is what the user allows fleet to send.
    - A 429 (`on_throttle`, which the HTTP layer calls) is a congestion event, CUBIC style: the
      rate drops to β = 0.7 of the rate actually measured (or of the bucket's rate, whichever is
      lower), and that measured rate becomes the curve's last maximum W_max. The 429s of calls
      already in flight when the first came back (within the Retry-After, or a second) are the
      same event: they do not cut the rate again. Nothing is sent before the Retry-After ends.
    - Then it recovers along the cubic curve `C·(t − K)³ + W_max` (C = 0.4, K = ∛(W_max·(1−β)/C),
      t the seconds since the event): fast at first, flat near W_max, probing above it, capped
      at `rate`; and, like botocore, at most twice the measured rate, so that a run held back by
      its concurrency does not build up a rate it never used.
    - The bucket holds at most one second of requests (at least one), and starts empty: a run
      starts at its rate, not with a burst.

    `clock` (monotonic seconds) and `sleep` are injectable; `delay()` and the event methods are
    the maths, `acquire()` waits. It lives on one event loop (the platform's).
    """

    BETA = 0.7
    SCALE = 0.4
    #: the slowest it goes (botocore's 0.5 a second), unless the profile asks for slower
    MIN_RATE = 0.5
    #: how often the measured send rate is updated, and how much a new measure weighs
    MEASURE_EVERY = 0.5
    SMOOTHING = 0.8

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(
                f"a rate limit is a number of requests per second above 0, not {rate!r}"
            )
        self._clock = clock
        self._sleep = sleep
        self._ceiling = float(rate)
        self._floor = min(self.MIN_RATE, self._ceiling)
        now = clock()
        # the bucket
        self._rate = self._ceiling
        self._tokens = 0.0
        self._stamp = now
        self._blocked_until = now
        # the cubic curve, used once the platform has throttled
        self._throttled = False
        self._w_max = self._ceiling
        self._k = 0.0
        self._last_event = now
        self._event_ends = now
        # the measured send rate
        self._measured = 0.0
        self._count = 0
        self._bucket_start = math.floor(now / self.MEASURE_EVERY) * self.MEASURE_EVERY

    # -------------------------------------------------------------------- what it says

    @property
    def ceiling(self) -> float:
        """The profile's rate: the most it ever lets through."""
        return self._ceiling

    @ceiling.setter
    def ceiling(self, rate: float) -> None:
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(
                f"a rate limit is a number of requests per second above 0, not {rate!r}"
            )
        self._ceiling = float(rate)
        self._floor = min(self.MIN_RATE, self._ceiling)
        self._set_rate(self._rate if self._throttled else self._ceiling, self._clock())

    @property
    def rate(self) -> float:
        """The requests per second it lets through now."""
        return self._rate

    @property
    def measured_rate(self) -> float:
        """The requests per second actually sent lately (smoothed)."""
        return self._measured

    @property
    def blocked_for(self) -> float:
        """Seconds left of a Retry-After (0 when none is running)."""
        return max(0.0, self._blocked_until - self._clock())

    # -------------------------------------------------------------------- the bucket

    def _refill(self, now: float) -> None:
        capacity = max(1.0, self._rate)
        self._tokens = min(capacity, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def _set_rate(self, rate: float, now: float) -> None:
        self._refill(now)  # what accrued so far accrued at the old rate
        self._rate = max(self._floor, min(self._ceiling, rate))
        self._tokens = min(self._tokens, max(1.0, self._rate))

    def delay(self) -> float:
        """Take a token if one is there (answer 0), else the seconds until one could be taken
        (nothing is taken)."""
        now = self._clock()
        if now < self._blocked_until:
            return self._blocked_until - now
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self._sent(now)
            return 0.0
        return (1.0 - self._tokens) / self._rate

    async def acquire(self) -> None:
        """Wait for a token; cancelling the caller cancels the wait."""
        while (wait := self.delay()) > 0:
            await self._sleep(wait)

    def _sent(self, now: float) -> None:
        """botocore's RateClocker: the send rate, measured in half-second buckets, smoothed."""
        self._count += 1
        bucket = math.floor(now / self.MEASURE_EVERY) * self.MEASURE_EVERY
        if bucket > self._bucket_start:
            current = self._count / (bucket - self._bucket_start)
            self._measured = current * self.SMOOTHING + self._measured * (1 - self.SMOOTHING)
            self._count = 0
            self._bucket_start = bucket

    # -------------------------------------------------------------------- what the platform says

    def cubic(self, now: float) -> float:
        """The curve's rate `now` since the last congestion event."""
        return self.SCALE * (now - self._last_event - self._k) ** 3 + self._w_max

    def on_success(self) -> None:
        """An answer that was no 429: climb back along the curve (nothing to do before the
        first 429: the rate is the ceiling)."""
        if not self._throttled:
            return
        now = self._clock()
        rate = self.cubic(now)
        if self._measured > 0:
            rate = min(rate, 2 * self._measured)
        self._set_rate(rate, now)

    def on_throttle(self, retry_after: float | None) -> None:
        """A 429, with the seconds of its Retry-After (None when it gave none)."""
        now = self._clock()
        wait = retry_after if retry_after is not None and retry_after > 0 else 0.0
        self._blocked_until = max(self._blocked_until, now + wait)
        if now < self._event_ends:
            return  # an answer to a request sent before the event was known: the same event
        used = self._rate if self._measured <= 0 else min(self._measured, self._rate)
        self._throttled = True
        self._w_max = used
        self._k = (self._w_max * (1 - self.BETA) / self.SCALE) ** (1 / 3)
        self._last_event = now
        self._event_ends = now + max(wait, 1.0)
        self._set_rate(used * self.BETA, now)


_LIMITERS: weakref.WeakKeyDictionary[Any, AdaptiveLimiter] = weakref.WeakKeyDictionary()


def limiter_for(platform: Platform, rate: float) -> AdaptiveLimiter:
    """The one limiter of an open platform (a profile's account), at the profile's `rate`: every
    run on it goes through it, and it hears the platform's 429s (`Platform.on_throttle`)."""
    limiter = _LIMITERS.get(platform)
    if limiter is None:
        limiter = AdaptiveLimiter(rate)
        _LIMITERS[platform] = limiter
        platform.on_throttle(limiter.on_throttle)
    elif limiter.ceiling != rate:
        limiter.ceiling = rate
    return limiter


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------


class RunClaimed(Exception):
    """Another live process runs this run: two processes never run the same one."""


@dataclass(frozen=True)
class _Outcome:
    """How one target's call ended, as the journal keeps it."""

    state: TargetState
    key: str | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None
    sends: int = 1
    answered: bool = True  # the platform said something (the breaker counts the silences)

    @classmethod
    def of(cls, state: TargetState, error: ApiError, sends: int, why: str = "") -> _Outcome:
        message = _line(f"{why}{error.message}" if why else error.message)
        return cls(state, None, error.status, error.code, message, sends, error.status is not None)


#: The longest message the journal keeps for a target, on one line.
MESSAGE_CHARS = 1000


def _targets(n: int) -> str:
    return f"{n} target{'s' if n != 1 else ''}"


def _line(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Found(StrEnum):
    YES = "yes"
    NO = "no"
    CANNOT_TELL = "cannot tell"
    UNKNOWN = "unknown"  # the look-up itself failed


class Runner:
    """Runs one journalled run to its end, or until it is cancelled or interrupted.

    `run()` claims the run (RunClaimed when a live process owns it), renews the claim every
    second (and sees a cancel asked through the journal by any process), resumes, then sends
    the pending targets in order, `concurrency` at a time, each call through the platform's
    `AdaptiveLimiter`:

    - resume: a target found `sending` (its call may have gone through before the process
      died) is sent again when the action is idempotent; a create is looked up first and sent
      again only when it is not there (`CannotTell`: uncertain); an unverifiable call (a
      downlink) is `uncertain`, for the user to decide, never sent twice silently;
    - each target is `sending`, committed, before its call, and then `done`, `failed` (a clear
      refusal: the platform's status, vendor code and message) or `uncertain` (an unverifiable
      call that may have gone through: no answer, or a 5xx);
    - an idempotent call that gets no answer, a 429 or a 5xx is sent again, at most 3 times; a
      create is looked up before each new try; a call that never got an answer is left
      pending (a create: sending) for a resume, and the run ends `interrupted`; when 2 ×
      `concurrency` targets in a row get no answer, the platform is taken to be gone and the
      run stops, `interrupted`;
    - `cancel()` lets the calls in flight finish and sends nothing more (`cancelled`, its
      pending targets resumable); `interrupt(why)` does the same for a signal (`interrupted`).

    The run ends `done` when every target is settled. While a target's call runs,
    `current_run` holds the run's id (the audit log names it).
    """

    ATTEMPTS = 3
    HEARTBEAT_SECONDS = 1.0
    PAGE = 256
    BACKOFF_SECONDS = 0.5

    def __init__(
        self,
        journal: Journal,
        platform: Platform,
        action: Action,
        run_id: int,
        *,
        rate_limit: float,
        concurrency: int = 8,
        owner: str | None = None,
    ) -> None:
        from tui.api.journal import new_owner

        if concurrency < 1:
            raise ValueError("a run sends at least one call at a time")
        self.journal = journal
        self.platform = platform
        self.action = action
        self.run_id = run_id
        self.concurrency = concurrency
        self.limiter = limiter_for(platform, rate_limit)
        self.owner = owner or new_owner()
        self._stop = asyncio.Event()
        self._ending: tuple[RunState, str] | None = None
        self._lost = False
        self._journal_error: Exception | None = None
        self._silences = 0
        self._secrets = secret_fields(action)

    # ---------------------------------------------------------------- stopping

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        """Let the calls in flight finish, send nothing more: the run ends `cancelled`."""
        self._halt(RunState.CANCELLED, "cancelled")

    def interrupt(self, why: str = "interrupted") -> None:
        """The same as cancel, for a signal or a shutdown: the run ends `interrupted`."""
        self._halt(RunState.INTERRUPTED, why)

    def _halt(self, state: RunState, why: str) -> None:
        if self._ending is None:
            self._ending = (state, why)
        self._stop.set()

    # ---------------------------------------------------------------- the run

    async def run(self) -> RunInfo:
        """Run it (see the class docstring); answers the run as the journal has it at the end."""
        journal, run_id = self.journal, self.run_id
        info = await asyncio.to_thread(journal.run, run_id)
        if info.state is RunState.DONE and info.remaining == 0:
            return info
        if not await asyncio.to_thread(journal.claim, run_id, self.owner):
            info = await asyncio.to_thread(journal.run, run_id)
            pid = info.owner_pid
            who = f"process {pid}" if pid else f"{(info.owner or '?').split('/')[0]}"
            raise RunClaimed(f"bulk run {run_id} is being run by {who}: it cannot run twice")
        heartbeat = asyncio.create_task(self._heartbeat())
        ending: tuple[RunState, str | None] = (RunState.INTERRUPTED, "stopped")
        try:
            await self._resume()
            if not self.stopping:
                await self._dispatch()
            ending = await self._ending_state()
        except asyncio.CancelledError:
            ending = (RunState.INTERRUPTED, "stopped: the program running it quit")
            self._release(*ending)  # no await: the task is being cancelled
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        await asyncio.to_thread(self._release, *ending)
        return await asyncio.to_thread(journal.run, run_id)

    def _release(self, state: RunState, message: str | None) -> None:
        if self._lost:
            return  # another process claimed it: its state is that one's to say
        try:
            self.journal.release(self.run_id, self.owner, state, message)
        except Exception as exc:  # a full disk: the run reads `interrupted` once we are gone
            _LOG.warning("bulk run %s: cannot record how it ended: %s", self.run_id, exc)

    async def _ending_state(self) -> tuple[RunState, str | None]:
        if self._journal_error is not None:
            return RunState.INTERRUPTED, _line(f"stopped: {self._journal_error}")
        counts = await asyncio.to_thread(self.journal.counts, self.run_id)
        left = counts.get(TargetState.PENDING, 0) + counts.get(TargetState.SENDING, 0)
        if not left:
            return RunState.DONE, None
        if self._ending is not None:
            state, why = self._ending
            return state, f"{why}: {_targets(left)} left"
        return RunState.INTERRUPTED, f"{_targets(left)} left to resume"

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.HEARTBEAT_SECONDS)
            try:
                lease = await self.journal.heartbeat(self.run_id, self.owner)
            except Exception as exc:
                self._journal_failed(exc)
                return
            if not lease.owned:
                self._lost = True
                self.interrupt("another process took the run over")
                return
            if lease.cancel_requested:
                self.cancel()

    def _journal_failed(self, exc: Exception) -> None:
        if self._journal_error is None:
            self._journal_error = exc
            _LOG.warning("bulk run %s: the journal failed: %s", self.run_id, exc)
        self._stop.set()

    # ---------------------------------------------------------------- resuming

    async def _resume(self) -> None:
        """Settle the targets a dead owner left `sending` (see the class docstring)."""
        after = -1
        while not self.stopping:
            page = await asyncio.to_thread(
                self.journal.work, self.run_id, TargetState.SENDING, after=after, limit=self.PAGE
            )
            if not page:
                return
            for index, target in page:
                after = index
                outcome = await self._resumed(target)
                if not await self._settle(index, outcome):
                    return

    async def _resumed(self, target: Target) -> _Outcome:
        kind = self.action.kind
        if kind is ActionKind.IDEMPOTENT:
            return _Outcome(
                TargetState.PENDING, message="sent again after an interruption", sends=0
            )
        if kind is ActionKind.UNVERIFIABLE:
            return _Outcome(
                TargetState.UNCERTAIN,
                message="it may have been sent before the run was interrupted: send it again "
                "or skip it",
                sends=0,
            )
        token = current_run.set(self.run_id)
        named = current_target.set(target.key or None)
        try:
            found, why = await self._look_up(target)
        finally:
            current_target.reset(named)
            current_run.reset(token)
        if found is _Found.YES:
            return _Outcome(TargetState.DONE, message="created before the interruption", sends=0)
        if found is _Found.NO:
            return _Outcome(TargetState.PENDING, message="not created: sent again", sends=0)
        if found is _Found.CANNOT_TELL:
            return _Outcome(TargetState.UNCERTAIN, message=_line(why), sends=0)
        return _Outcome(
            TargetState.SENDING,
            message=_line(f"could not look it up ({why}): resuming tries again"),
            sends=0,
        )

    # ---------------------------------------------------------------- dispatching

    async def _pending(self) -> AsyncIterator[tuple[int, Target]]:
        """The pending targets in order, read a journal page at a time while the run goes on."""
        after = -1
        while not self.stopping:
            try:
                page = await asyncio.to_thread(
                    self.journal.work,
                    self.run_id,
                    TargetState.PENDING,
                    after=after,
                    limit=self.PAGE,
                )
            except Exception as exc:
                self._journal_failed(exc)
                return
            if not page:
                return
            for index, target in page:
                after = index
                yield index, target

    async def _dispatch(self) -> None:
        """The pending targets in order, `concurrency` calls at a time: one target a call, or
        BATCH of them where the action takes many (`_batch`)."""
        slots = asyncio.Semaphore(self.concurrency)
        size = max(1, self.action.BATCH)
        chunk: list[tuple[int, Target]] = []
        async with asyncio.TaskGroup() as group:

            async def send() -> bool:
                nonlocal chunk
                await slots.acquire()
                if self.stopping:
                    slots.release()
                    return False
                items, chunk = chunk, []
                if size == 1:
                    group.create_task(self._target(*items[0], slots))
                else:
                    group.create_task(self._batch(items, slots))
                return True

            async with contextlib.aclosing(self._pending()) as pending:
                async for item in pending:
                    chunk.append(item)
                    if len(chunk) >= size and not await send():
                        break
            if chunk and not self.stopping:
                await send()

    async def _batch(self, items: list[tuple[int, Target]], slots: asyncio.Semaphore) -> None:
        """One call for several targets: each `sending`, committed, before it; then each its
        own outcome (the same rules as one target's, `_call_batch`)."""
        try:
            if not await self._acquire():
                return
            begun: list[tuple[int, Target]] = []
            for index, target in items:
                if not await self._begin(index):
                    break
                if not target.key.strip() and self.action.kind is not ActionKind.CREATE:
                    await self._settle(
                        index, _Outcome(TargetState.FAILED, message="no key", sends=0)
                    )
                else:
                    begun.append((index, target))
            if not begun:
                return
            token = current_run.set(self.run_id)
            try:
                outcomes = await self._call_batch([target for _, target in begun])
            finally:
                current_run.reset(token)
            for (index, _), outcome in zip(begun, outcomes, strict=True):
                if not await self._settle(index, outcome):
                    return
            answered = any(o.answered for o in outcomes)
            self._silences = 0 if answered else self._silences + 1
            if self._silences >= 2 * self.concurrency:
                self.interrupt(
                    f"stopped: the platform did not answer {self._silences} calls in a row "
                    f"({outcomes[0].message})"
                )
        except Exception:  # a fault of fleet's own: the targets stay as the journal has them
            _LOG.exception("bulk run %s: a batch from target %s", self.run_id, items[0][0])
            self.interrupt("stopped by an internal error (details in the log file)")
        finally:
            slots.release()

    async def _target(self, index: int, target: Target, slots: asyncio.Semaphore) -> None:
        """One target: a token, `sending` committed, the call, its outcome committed."""
        try:
            if not target.key.strip() and self.action.kind is not ActionKind.CREATE:
                if await self._begin(index):
                    await self._settle(
                        index, _Outcome(TargetState.FAILED, message="no key", sends=0)
                    )
                return
            if not await self._acquire() or not await self._begin(index):
                return
            token = current_run.set(self.run_id)
            named = current_target.set(target.key or None)
            try:
                outcome = await self._call(target)
            finally:
                current_target.reset(named)
                current_run.reset(token)
            await self._settle(index, outcome)
            self._silences = 0 if outcome.answered else self._silences + 1
            if self._silences >= 2 * self.concurrency:
                self.interrupt(
                    f"stopped: the platform did not answer {self._silences} calls in a row "
                    f"({outcome.message})"
                )
        except Exception:  # a fault of fleet's own: the target stays as the journal has it
            _LOG.exception("bulk run %s: target %s", self.run_id, index)
            self.interrupt("stopped by an internal error (details in the log file)")
        finally:
            slots.release()

    async def _begin(self, index: int) -> bool:
        try:
            started = await self.journal.begin(self.run_id, index, self.owner)
        except Exception as exc:
            self._journal_failed(exc)
            return False
        if not started and not self.stopping:
            self._lost = await asyncio.to_thread(self._claim_lost)
            if self._lost:
                self.interrupt("another process took the run over")
        return started

    def _claim_lost(self) -> bool:
        return self.journal.run(self.run_id).owner != self.owner

    async def _settle(self, index: int, outcome: _Outcome) -> bool:
        try:
            return await self.journal.settle(
                self.run_id,
                index,
                self.owner,
                outcome.state,
                key=outcome.key,
                status=outcome.status,
                code=outcome.code,
                message=outcome.message,
                sends=max(0, outcome.sends - 1),
            )
        except Exception as exc:
            self._journal_failed(exc)
            return False

    async def _acquire(self) -> bool:
        """A token from the limiter, or False when the run is stopping (a long Retry-After
        does not hold a cancel up)."""
        if self.stopping:
            return False
        if self.limiter.delay() == 0:
            return True
        waiting = asyncio.ensure_future(self.limiter.acquire())
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({waiting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
            stopped.cancel()
        return waiting.done() and not waiting.cancelled() and not self.stopping

    async def _pause(self, attempt: int) -> None:
        await asyncio.sleep(random.uniform(0, self.BACKOFF_SECONDS * 2 ** (attempt - 1)))

    # ---------------------------------------------------------------- one call

    async def _call(self, target: Target) -> _Outcome:
        """One target's call: a call that carries just it (`_call_batch`)."""
        [outcome] = await self._call_batch([target])
        return outcome

    async def _call_batch(self, targets: list[Target]) -> list[_Outcome]:
        """`_call` for one call that carries several targets: a refusal of one target is that
        target's; a failure of the whole call is each one's, and when the call may have gone
        through, a create's targets are looked up one by one before any is sent again."""
        kind = self.action.kind
        outcomes: dict[int, _Outcome] = {}
        waiting = list(range(len(targets)))
        error: ApiError | None = None
        sends = 0

        def done(more: dict[int, _Outcome]) -> list[_Outcome]:
            outcomes.update(more)
            return [outcomes[i] for i in range(len(targets))]

        for attempt in range(self.ATTEMPTS):
            if attempt:
                await self._pause(attempt)
                if not await self._acquire():
                    stopped = _Outcome(
                        TargetState.PENDING,
                        message="stopped before it was sent again",
                        sends=sends,
                        answered=error is not None and error.status is not None,
                    )
                    return done(dict.fromkeys(waiting, stopped))
            sends += 1
            try:
                answers = await self.action.apply_batch([targets[i] for i in waiting])
                if len(answers) != len(waiting):
                    raise ValueError(f"{len(answers)} answers to {len(waiting)} targets")
            except ApiError as exc:
                error = exc
            except Exception as exc:  # the input, or a fault of fleet's: nothing the platform said
                return done(
                    {
                        i: _Outcome(
                            TargetState.FAILED, message=self._describe(exc, targets[i]), sends=sends
                        )
                        for i in waiting
                    }
                )
            else:
                self.limiter.on_success()
                return done(
                    {
                        i: _Outcome.of(TargetState.FAILED, answer, sends)
                        if isinstance(answer, ApiError)
                        else _Outcome(TargetState.DONE, key=answer or None, sends=sends)
                        for i, answer in zip(waiting, answers, strict=True)
                    }
                )
            if error.status is not None and error.status != 429:
                self.limiter.on_success()
            if error.status == 429:
                continue
            if error.status is not None and error.status < 500:
                return done(dict.fromkeys(waiting, _Outcome.of(TargetState.FAILED, error, sends)))
            if kind is ActionKind.UNVERIFIABLE:
                maybe = _Outcome.of(
                    TargetState.UNCERTAIN, error, sends, "it may have gone through: "
                )
                return done(dict.fromkeys(waiting, maybe))
            if kind is ActionKind.CREATE:
                still = []
                for i in waiting:
                    found, why = await self._look_up(targets[i])
                    if found is _Found.YES:
                        message = _line(f"created (found on the platform after: {error.message})")
                        outcomes[i] = _Outcome(
                            TargetState.DONE, status=error.status, message=message, sends=sends
                        )
                    elif found is _Found.CANNOT_TELL:
                        outcomes[i] = _Outcome.of(TargetState.UNCERTAIN, error, sends, f"{why}; ")
                    elif found is _Found.UNKNOWN:
                        outcomes[i] = _Outcome.of(
                            TargetState.SENDING, error, sends, f"could not look it up ({why}): "
                        )
                    else:
                        still.append(i)
                waiting = still
                if not waiting:
                    return done({})
        assert error is not None
        if error.status is None or error.status == 429:
            why = f"not done after {sends} tries: "
            return done(dict.fromkeys(waiting, _Outcome.of(TargetState.PENDING, error, sends, why)))
        return done(dict.fromkeys(waiting, _Outcome.of(TargetState.FAILED, error, sends)))

    async def _look_up(self, target: Target) -> tuple[_Found, str]:
        """Whether a create's device is on the platform, asked up to ATTEMPTS times."""
        why = ""
        for attempt in range(self.ATTEMPTS):
            if attempt:
                await self._pause(attempt)
            if not await self._acquire():
                return _Found.UNKNOWN, "stopped"
            try:
                found = await self.action.exists(target)
            except CannotTell as exc:
                return _Found.CANNOT_TELL, str(
                    exc
                ) or "the platform cannot say whether it was created"
            except ApiError as exc:
                why = exc.message
                if exc.status is not None and exc.status not in (429,) and exc.status < 500:
                    return _Found.UNKNOWN, why
                continue
            except Exception as exc:
                return _Found.UNKNOWN, self._describe(exc, target)
            self.limiter.on_success()
            return (_Found.YES if found else _Found.NO), ""
        return _Found.UNKNOWN, why

    def _describe(self, exc: Exception, target: Target) -> str:
        """One line on a failure that is not the platform's, with no secret in it."""
        if isinstance(exc, ValidationError):
            error = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in error.get("loc") or ()) or "row"
            text = f"{where}: {str(error['msg']).removeprefix('Value error, ')}"
        else:
            text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        hidden = [
            str(v) for k, v in {**self.action.params, **target.values}.items() if k in self._secrets
        ]
        from tui.api.http import Scrubber  # (httpx: not on the console's start-up path)

        return _line(Scrubber(hidden)(self.platform.scrub(text)))
