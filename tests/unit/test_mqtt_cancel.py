"""A cancel that aiomqtt's publish loses (Python 3.11's wait_for, as the PUBACK comes) still
cancels the request: its wait for the reply must not outlive the caller."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tui.api.enos_login import MqttLogin
from tui.api.mqtt import MqttSession


class _SwallowingClient:
    """A connected client whose publish loses a cancel that lands while it waits."""

    async def publish(self, *args: object, **kwargs: object) -> None:
        # (as wait_for does in 3.11 when the awaited future completes meanwhile)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.05)


async def test_a_cancel_lost_in_publish_still_cancels_the_request() -> None:
    session = MqttSession(
        "enos",
        "127.0.0.1",
        1,
        lambda: MqttLogin("client", "user", "password"),
        [],
        reply_timeout=30,
    )
    session._client = _SwallowingClient()  # type: ignore[assignment]
    task = asyncio.create_task(session.request("/sys/a/b/thing/topo/get", "thing.topo.get", {}))
    while not session._pending:
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)  # not the 30 s reply timeout
    assert not session._pending
