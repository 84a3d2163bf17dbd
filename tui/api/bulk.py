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
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tui.api.forms import field_of

__all__ = [
    "Action",
    "ActionKind",
    "AdaptiveLimiter",
    "CannotTell",
    "Plan",
    "RunState",
    "Target",
    "TargetState",
    "current_run",
    "plan",
    "secret_fields",
]


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
