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

This module holds the contract the actions, the journal, the runner and the screens share.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Action", "ActionKind", "CannotTell", "Plan", "Target", "TargetState", "plan"]


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
