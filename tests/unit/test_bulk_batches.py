"""The bulk runner with an action that takes many targets per call (`Action.BATCH`, as EnOS's
register request takes up to 1000 sub-devices): targets split into calls of at most BATCH in
order, a refusal of one target is that target's, a lost answer is looked up target by target
and nothing is made twice. The platform here is a ledger in memory: the runner is the unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from tui.api.bulk import Action, ActionKind, Runner, RunState, Target, TargetState
from tui.api.errors import ApiError
from tui.api.journal import Journal
from tui.api.platform import Platform


class Ledger(Platform):
    """What was made, and how many times each key was asked for."""

    name: ClassVar[str] = "ledger"
    title: ClassVar[str] = "Ledger"

    def __init__(self) -> None:
        self.made: set[str] = set()
        self.asked: Counter[str] = Counter()
        self.calls: list[int] = []

    async def aclose(self) -> None:
        return


class Register(Action):
    """Makes each target's key; refuses keys that start with "dup" (code 702), and loses the
    answer of the calls listed in `lose` (the call went through: a reply that never came)."""

    id = "create:register"
    title = "Register sub-devices"
    kind = ActionKind.CREATE
    BATCH: ClassVar[int] = 4

    def __init__(self, ledger: Ledger, lose: Sequence[int] = ()) -> None:
        self.ledger = ledger
        self.lose = set(lose)

    async def apply(self, target: Target) -> str:
        raise AssertionError("a batch action is applied by batches")

    async def apply_batch(self, targets: Sequence[Target]) -> list[str | ApiError]:
        ledger = self.ledger
        ledger.calls.append(len(targets))
        answers: list[str | ApiError] = []
        for target in targets:
            key = target.values["key"]
            ledger.asked[key] += 1
            if key.startswith("dup") or key in ledger.made:
                answers.append(ApiError("ledger", "DeviceKey existed", code="702"))
            else:
                ledger.made.add(key)
                answers.append(key)
        if len(ledger.calls) in self.lose:
            raise ApiError("ledger", "no reply to thing.device.register within 10 s")
        return answers

    async def exists(self, target: Target) -> bool:
        return target.values["key"] in self.ledger.made


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.db") as opened:
        yield opened


def targets(keys: Sequence[str]) -> list[Target]:
    return [Target("", key, {"key": key}) for key in keys]


async def run(journal: Journal, action: Action, keys: Sequence[str], **kwargs: object) -> int:
    run_id = journal.create_run("p", "ledger", action, targets(keys))
    ledger = action.ledger  # type: ignore[attr-defined]
    info = await Runner(journal, ledger, action, run_id, rate_limit=1000, **kwargs).run()
    assert info.state is RunState.DONE
    return run_id


async def test_targets_go_in_calls_of_at_most_batch_each_with_its_own_result(
    journal: Journal,
) -> None:
    ledger = Ledger()
    keys = [f"dev-{i:02}" for i in range(9)] + ["dup-1"]
    run_id = await run(journal, Register(ledger), keys, concurrency=1)
    assert ledger.calls == [4, 4, 2]
    rows = journal.targets(run_id)
    assert [r.key for r in rows if r.state is TargetState.DONE] == keys[:9]
    [refused] = [r for r in rows if r.state is TargetState.FAILED]
    assert (refused.label, refused.code, refused.message) == ("dup-1", "702", "DeviceKey existed")
    assert set(ledger.asked.values()) == {1}


async def test_a_lost_answer_is_looked_up_and_nothing_is_made_twice(journal: Journal) -> None:
    ledger = Ledger()
    keys = [f"dev-{i:02}" for i in range(8)]
    run_id = await run(journal, Register(ledger, lose=[1]), keys, concurrency=1)
    rows = journal.targets(run_id)
    assert all(r.state is TargetState.DONE for r in rows)
    first = [r for r in rows if r.label in keys[:4]]
    assert all("created (found on the platform after: no reply" in (r.message or "") for r in first)
    assert set(ledger.asked.values()) == {1}  # each asked for once: found, never sent again


async def test_many_calls_at_once_still_cover_each_target_once(journal: Journal) -> None:
    ledger = Ledger()
    keys = [f"dev-{i:03}" for i in range(101)]
    run_id = await run(journal, Register(ledger), keys, concurrency=4)
    assert sorted(ledger.calls) == [1] + [4] * 25
    assert ledger.made == set(keys) and set(ledger.asked.values()) == {1}
    assert journal.counts(run_id) == {TargetState.DONE: 101}
