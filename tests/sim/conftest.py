"""Fixtures of the EnOS simulator's tests: a simulator and its demo gateway, logged in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tests.sim.enos_gateway import Gateway
from tui.sim import SimServer


@pytest.fixture
def enos(make_sim: Callable[..., SimServer]) -> SimServer:
    """A simulator with empty fleets on the other platforms (EnOS's demo is always the same)."""
    return make_sim(devices=0, alarms=0)


@pytest.fixture
async def gateway(enos: SimServer) -> AsyncIterator[Gateway]:
    """The demo gateway logged in to `enos`, subscribed to its own topics."""
    gateway = await Gateway.login(enos.mqtt_address)
    yield gateway
    await gateway.close()
