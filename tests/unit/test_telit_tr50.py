"""The TR50 client against `httpx.MockTransport`: the envelope, error mapping, re-login after an
expired session, secrets kept out of messages, and every unreadable answer an ApiError."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.tr50 import Tr50Client, is_mutating, parse_error

BASE = "https://portal.example"
PASSWORD = "s3cret/pass+word"
TOKEN = "app-token-0123456789"


class Portal:
    """Scripted TR50 answers: `answer(body)` for requests after the login; logins are counted
    and answered with sessions s1, s2, …"""

    def __init__(self, answer: Callable[[dict[str, Any]], Any]) -> None:
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []
        self.logins = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path == "/api"
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("auth", {}).get("command") == "api.authenticate":
            self.logins += 1
            return httpx.Response(
                200, json={"auth": {"success": True, "params": {"sessionId": f"s{self.logins}"}}}
            )
        said = self.answer(body)
        if isinstance(said, httpx.Response):
            return said
        return httpx.Response(200, json=said)


def client(portal: Portal, **login: str) -> Tr50Client:
    login = login or {"username": "ops@example.com", "password": PASSWORD}
    return Tr50Client(
        "telit",
        BASE,
        transport=httpx.MockTransport(portal.handle),
        retry=RetryPolicy(attempts=1),
        **login,
    )


def ok(body: dict[str, Any], **params: Any) -> dict[str, Any]:
    return {key: {"success": True, "params": params} for key in body if key != "auth"}


async def test_a_call_logs_in_once_and_carries_the_session() -> None:
    portal = Portal(lambda body: ok(body, count=0, result=[]))
    tr50 = client(portal)
    assert await tr50.call("thing.list", {"offset": 0}) == {"count": 0, "result": []}
    await tr50.call("thing.list")
    login, first, second = portal.bodies
    assert login == {
        "auth": {
            "command": "api.authenticate",
            "params": {"username": "ops@example.com", "password": PASSWORD},
        }
    }
    assert first == {
        "auth": {"sessionId": "s1"},
        "1": {"command": "thing.list", "params": {"offset": 0}},
    }
    assert second["auth"] == {"sessionId": "s1"} and tr50.logins == 1


async def test_an_application_logs_in_with_its_id_token_and_thing_key() -> None:
    portal = Portal(lambda body: ok(body))
    tr50 = client(portal, app_id="app-1", app_token=TOKEN, thing_key="gw-1")
    await tr50.call("thing.find", {"key": "gw-1"})
    assert portal.bodies[0]["auth"]["params"] == {
        "appId": "app-1",
        "appToken": TOKEN,
        "thingKey": "gw-1",
    }


async def test_a_batch_is_one_post_with_each_answer_or_refusal() -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "thing": {"success": True, "params": {"key": "k1"}},
            "defs": {"success": False, "errorCodes": [-1, -2], "errorMessages": ["no", "never"]},
        }

    portal = Portal(answer)
    tr50 = client(portal)
    answers = await tr50.batch(
        {"thing": ("thing.find", {"key": "k1"}), "defs": ("thing_def.list", None)}
    )
    assert len(portal.bodies) == 2  # the login, then one POST for both
    assert set(portal.bodies[1]) == {"auth", "thing", "defs"}
    assert answers["thing"] == {"key": "k1"}
    refused = answers["defs"]
    assert isinstance(refused, ApiError)
    assert refused.code == "-1" and refused.message == "no; never"


async def test_a_refused_command_is_an_api_error_with_its_first_code() -> None:
    portal = Portal(
        lambda body: {"1": {"success": False, "errorCodes": [-90006], "errorMessages": ["Bad"]}}
    )
    with pytest.raises(ApiError) as caught:
        await client(portal).call("thing.delete", {"key": "x"})
    assert caught.value.platform == "telit"
    assert caught.value.code == "-90006" and caught.value.message == "Bad"
    assert caught.value.status == 200  # answered, and refused: no network failure


@pytest.mark.parametrize(
    "expired",
    [
        {"1": {"success": False, "errorCodes": [-90008], "errorMessages": ["whatever"]}},
        {"1": {"success": False, "errorCodes": [-1], "errorMessages": ["Session expired"]}},
        {
            "auth": {"success": False, "errorCodes": [-5], "errorMessages": ["no"]},
            "1": {"success": False, "errorCodes": [-5], "errorMessages": ["no"]},
        },
    ],
    ids=["code", "message", "auth-entry"],
)
async def test_an_expired_session_logs_in_once_more_and_retries_once(expired: dict) -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        return expired if body["auth"]["sessionId"] == "s1" else ok(body, done=True)

    portal = Portal(answer)
    tr50 = client(portal)
    assert await tr50.call("thing.delete", {"key": "x"}) == {"done": True}
    assert tr50.logins == 2
    assert [b["auth"].get("sessionId") for b in portal.bodies] == [None, "s1", None, "s2"]


async def test_a_session_that_expires_again_is_not_retried_for_ever() -> None:
    portal = Portal(
        lambda body: {
            "1": {"success": False, "errorCodes": [-90008], "errorMessages": ["Session invalid"]}
        }
    )
    tr50 = client(portal)
    with pytest.raises(ApiError) as caught:
        await tr50.call("thing.list")
    assert caught.value.code == "-90008"
    assert tr50.logins == 2 and len(portal.bodies) == 4


async def test_concurrent_calls_after_an_expiry_share_one_new_login() -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        if body["auth"]["sessionId"] == "s1":
            return {"1": {"success": False, "errorCodes": [-90008], "errorMessages": ["x"]}}
        return ok(body)

    portal = Portal(answer)
    tr50 = client(portal)
    await tr50._session_id()
    await asyncio.gather(*(tr50.call("thing.list") for _ in range(5)))
    assert tr50.logins == 2


async def test_a_refused_login_names_no_password() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "auth": {
                    "success": False,
                    "errorCodes": [-90002],
                    "errorMessages": [f"bad password {PASSWORD} for ops@example.com"],
                }
            },
        )

    tr50 = Tr50Client(
        "telit",
        BASE,
        username="ops@example.com",
        password=PASSWORD,
        transport=httpx.MockTransport(refuse),
    )
    with pytest.raises(ApiError) as caught:
        await tr50.call("thing.list")
    assert caught.value.code == "-90002"
    for text in (str(caught.value), repr(caught.value), repr(tr50)):
        assert PASSWORD not in text
    assert "***" in caught.value.message


async def test_the_session_id_and_the_token_never_reach_a_message() -> None:
    portal = Portal(
        lambda body: {
            "1": {"success": False, "errorCodes": [-3], "errorMessages": [f"{TOKEN} in s1 ?"]}
        }
    )
    tr50 = client(portal, app_id="app-1", app_token=TOKEN, thing_key="gw")
    with pytest.raises(ApiError) as caught:
        await tr50.call("thing.find", {"key": "gw"})
    assert TOKEN not in str(caught.value) and " s1 " not in str(caught.value)
    assert TOKEN not in repr(tr50)


async def test_an_http_error_with_a_tr50_body_keeps_its_code() -> None:
    portal = Portal(
        lambda body: httpx.Response(
            500, json={"1": {"success": False, "errorCodes": [-7], "errorMessages": ["down"]}}
        )
    )
    with pytest.raises(ApiError) as caught:
        await client(portal).call("thing.list")
    assert caught.value.status == 500 and caught.value.code == "-7"


def test_parse_error_reads_the_first_refusal_only() -> None:
    assert parse_error({"a": {"success": True}, "b": {"success": False, "errorCodes": [4]}}) == (
        "4",
        None,
        None,
    )
    assert parse_error(["x"]) == (None, None, None)


def test_reads_are_not_audited_and_changes_are() -> None:
    assert not is_mutating("thing.list") and not is_mutating("cdp.connection.search")
    assert not is_mutating("api.authenticate") and not is_mutating("thing_def.find")
    assert is_mutating("thing.create") and is_mutating("cdp.config.update")


async def test_a_mutating_command_is_recorded_without_secrets() -> None:
    portal = Portal(
        lambda body: {"1": {"success": False, "errorCodes": [-4], "errorMessages": [PASSWORD]}}
    )
    tr50 = client(portal)
    records = []
    tr50.recorder = records.append
    with pytest.raises(ApiError):
        await tr50.call("thing.delete", {"key": "k"})
    (record,) = records
    assert record.path == "/api thing.delete" and not record.ok and record.code == "-4"
    assert record.status == 200
    assert PASSWORD not in (record.message or "")


# ---------------------------------------------------------------- hostile answers

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "success": _JSON | st.booleans(),
        "params": _JSON,
        "errorCodes": _JSON | st.lists(st.integers(), max_size=2),
        "errorMessages": _JSON | st.lists(st.text(max_size=8), max_size=2),
    },
)
_HOSTILE = st.one_of(
    st.binary(max_size=40),
    _JSON.map(json.dumps),
    st.dictionaries(st.sampled_from(["1", "auth", "2"]), _ENTRY | _JSON, max_size=3).map(
        json.dumps
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reply=_HOSTILE)
def test_every_unreadable_answer_is_an_api_error(reply: bytes | str) -> None:
    async def run() -> None:
        tr50 = client(Portal(lambda body: httpx.Response(200, content=reply)))
        try:
            params = await tr50.call("thing.list", {"offset": 0})
        except ApiError as error:
            assert PASSWORD not in str(error)
        else:
            assert isinstance(params, dict)
        finally:
            await tr50.aclose()

    asyncio.run(run())
