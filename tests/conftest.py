"""Shared fixtures: a session-wide simulator with the demo fleet, and a factory for tuned ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tui.sim import SimConfig, SimServer


@pytest.fixture(scope="session")
def sim() -> Iterator[SimServer]:
    """A started simulator with the default config (62,804 devices), shared by the session."""
    server = SimServer(SimConfig())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_sim() -> Iterator[Callable[..., SimServer]]:
    """A factory `make_sim(**config_fields)` of started simulators, all stopped at teardown."""
    made: list[SimServer] = []

    def factory(**fields: Any) -> SimServer:
        server = SimServer(SimConfig(**fields))
        server.start()
        made.append(server)
        return server

    yield factory
    for server in made:
        server.stop()
