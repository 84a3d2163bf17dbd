"""A simulated gateway: the TR50 application login a Telit module or gateway makes when it
connects, which auto-registers it as a thing when its key is new.

It sends exactly what a gateway sends, `{"auth": {"command": "api.authenticate", "params":
{"appId", "appToken", "thingKey"}}}` to `POST {base}/api`, then `thing.find` of its own key with
the session it got, so that the caller sees the thing it now is. `fleet sim-gateway` runs it
against a running `fleet sim` (or any TR50 endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tui.sim.credentials import TELIT_APP_ID, TELIT_APP_TOKEN


class GatewayError(Exception):
    """The login or the find failed: TR50's codes and messages (never the token)."""

    def __init__(self, codes: list[int], messages: list[str]) -> None:
        super().__init__("; ".join(messages) or "TR50 error")
        self.codes = codes
        self.messages = messages


@dataclass(frozen=True)
class Connected:
    """What a gateway's connection made: the thing it is (its TR50 record)."""

    thing: dict[str, Any]


def _ok(answer: dict[str, Any]) -> dict[str, Any]:
    if not answer.get("success"):
        raise GatewayError(answer.get("errorCodes", []), answer.get("errorMessages", []))
    params: dict[str, Any] = answer.get("params", {})
    return params


def connect(
    base_url: str,
    thing_key: str,
    app_id: str = TELIT_APP_ID,
    app_token: str = TELIT_APP_TOKEN,
    timeout: float = 10.0,
) -> Connected:
    """Connect as a gateway with this key: log in with the application's token, then read the
    thing the portal has for the key (created at the login when it was new)."""
    url = base_url.rstrip("/") + "/api"
    auth = {"appId": app_id, "appToken": app_token, "thingKey": thing_key}
    with httpx.Client(timeout=timeout) as client:
        login = client.post(url, json={"auth": {"command": "api.authenticate", "params": auth}})
        login.raise_for_status()
        session = _ok(login.json()["auth"])["sessionId"]
        found = client.post(
            url,
            json={
                "auth": {"sessionId": session},
                "find": {"command": "thing.find", "params": {"key": thing_key}},
            },
        )
        found.raise_for_status()
        return Connected(_ok(found.json()["find"]))
