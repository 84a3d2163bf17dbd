"""Shared fixtures: a session-wide simulator with the demo fleet, and a factory for tuned ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tui.sim import SimConfig, SimServer


@pytest.fixture(scope="session", autouse=True)
def _log_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """fleet's log and its bulk journal go to temporary files during tests, never to the user's
    state directory."""
    path = tmp_path_factory.mktemp("log") / "fleet.log"
    journal = tmp_path_factory.mktemp("journal") / "journal.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLEET_LOG_FILE", str(path))
        patch.setenv("FLEET_JOURNAL", str(journal))
        yield


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
