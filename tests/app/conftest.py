"""Shared helpers for app tests: a config with only the demo profiles, and waiting on workers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.config import FleetConfig, load_config


@pytest.fixture
def config(tmp_path: Path) -> FleetConfig:
    return load_config(tmp_path / "absent.toml")


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `predicate()` holds (workers finish on their own schedule)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
