"""Fixtures of the simulator's tests: EnOS's simulator and its demo gateway, logged in; the
Telit simulator and a bare TR50 caller logged in as the demo user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.sim.enos_gateway import Gateway
from tui.sim import SimServer
from tui.sim.credentials import TELIT_PASSWORD, TELIT_USERNAME


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


class Tr50:
    """A bare TR50 caller over httpx (no client adapter): one user session, and `call`/`batch`
    that send commands under correlation keys and answer the replies by key."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url + "/api"
        self.session: str | None = None

    def post(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        got = httpx.post(self.url, json=body, headers=headers)
        assert got.status_code == 200, got.text
        answer: dict[str, Any] = got.json()
        return answer

    def login(self, **params: Any) -> dict[str, Any]:
        """`api.authenticate` (the demo user when no params); keeps the session on success."""
        params = params or {"username": TELIT_USERNAME, "password": TELIT_PASSWORD}
        answer = self.post({"auth": {"command": "api.authenticate", "params": params}})["auth"]
        if answer["success"]:
            self.session = answer["params"]["sessionId"]
        return answer

    def batch(self, commands: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        body: dict[str, Any] = {"auth": {"sessionId": self.session}}
        body.update({k: {"command": c, "params": p} for k, (c, p) in commands.items()})
        return self.post(body)

    def call(self, command: str, **params: Any) -> dict[str, Any]:
        """One command's reply (`{"success", "params"}` or the failure)."""
        reply: dict[str, Any] = self.batch({"1": (command, params)})["1"]
        return reply

    def ok(self, command: str, **params: Any) -> Any:
        """One command's reply params, asserting it succeeded."""
        reply = self.call(command, **params)
        assert reply["success"], reply
        return reply.get("params")


@pytest.fixture
def telit_sim(make_sim: Callable[..., SimServer]) -> SimServer:
    """A simulator with the Telit demo (3,000 things) and small fleets elsewhere."""
    return make_sim(devices=None, alarms=0)


@pytest.fixture
def tr50(telit_sim: SimServer) -> Tr50:
    """The demo user logged in to `telit_sim`'s TR50 endpoint."""
    client = Tr50(telit_sim.base_url)
    assert client.login()["success"]
    return client
