"""The Telit simulator's TR50 endpoint over loopback with plain httpx: logins, several commands in
one request, session ids in the body or the header, session expiry, malformed requests."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tests.sim.conftest import Tr50
from tui.sim import SimServer
from tui.sim.credentials import (
    TELIT_APP_ID,
    TELIT_APP_TOKEN,
    TELIT_PASSWORD,
    TELIT_USERNAME,
    banner,
)
from tui.sim.telit.errors import (
    AUTH_FAILED,
    GENERAL,
    NOT_AUTHORIZED,
    PARAM_MISSING,
    SESSION_INVALID,
    UNKNOWN_COMMAND,
)

MakeSim = Callable[..., SimServer]


def test_the_demo_user_logs_in_and_a_wrong_password_is_refused(telit_sim: SimServer) -> None:
    client = Tr50(telit_sim.base_url)
    bad = client.login(username=TELIT_USERNAME, password="wrong")
    assert bad["success"] is False
    assert bad["errorCodes"] == [AUTH_FAILED]
    assert "wrong" not in str(bad)
    missing = client.login(username=TELIT_USERNAME)
    assert missing["errorCodes"] == [PARAM_MISSING]
    good = client.login(username=TELIT_USERNAME, password=TELIT_PASSWORD)
    assert good["success"] is True
    assert len(good["params"]["sessionId"]) == 32


def test_several_commands_are_answered_under_their_keys_in_order(tr50: Tr50) -> None:
    body = {
        "auth": {"sessionId": tr50.session},
        "z": {"command": "thing.list", "params": {"limit": 1}},
        "a": {"command": "thing_def.find", "params": {"key": "gateway"}},
        "m": {"command": "thing.find", "params": {"key": "no-such-thing"}},
        "b": {"command": "no.such.command", "params": {}},
        "c": "not a command",
    }
    answer = tr50.post(body)
    assert list(answer) == ["z", "a", "m", "b", "c"]
    assert answer["z"]["success"] and len(answer["z"]["params"]["result"]) == 1
    assert answer["a"]["params"]["key"] == "gateway"
    assert answer["m"]["success"] is False and answer["m"]["errorCodes"] == [-90005]
    assert answer["b"]["errorCodes"] == [UNKNOWN_COMMAND]
    assert answer["c"]["errorCodes"] == [GENERAL]


def test_a_login_and_commands_in_one_request(telit_sim: SimServer) -> None:
    client = Tr50(telit_sim.base_url)
    login = {"username": TELIT_USERNAME, "password": TELIT_PASSWORD}
    answer = client.post(
        {
            "auth": {"command": "api.authenticate", "params": login},
            "1": {"command": "thing.list", "params": {"limit": 2, "showCount": True}},
        }
    )
    assert list(answer) == ["auth", "1"]
    assert answer["auth"]["success"]
    assert answer["1"]["params"]["count"] == 3000
    refused = client.post(
        {
            "auth": {"command": "api.authenticate", "params": {**login, "password": "x"}},
            "1": {"command": "thing.list", "params": {}},
        }
    )
    assert refused["auth"]["errorCodes"] == [AUTH_FAILED]
    assert refused["1"]["errorCodes"] == [SESSION_INVALID]


def test_without_a_session_or_with_an_unknown_one_commands_answer_the_session_error(
    telit_sim: SimServer,
) -> None:
    client = Tr50(telit_sim.base_url)
    none = client.post({"1": {"command": "thing.list", "params": {}}})
    assert none["1"]["errorCodes"] == [SESSION_INVALID]
    client.session = "0" * 32
    assert client.call("thing.list")["errorCodes"] == [SESSION_INVALID]


def test_the_session_id_may_come_in_the_header(tr50: Tr50) -> None:
    assert tr50.session is not None
    answer = tr50.post(
        {"1": {"command": "thing_def.list", "params": {"showCount": True}}},
        headers={"sessionId": tr50.session},
    )
    assert answer["1"]["params"]["count"] == 12


def test_sessions_expire_and_a_new_login_works(make_sim: MakeSim) -> None:
    server = make_sim(devices=10, alarms=0, telit_session_ttl=1)
    client = Tr50(server.base_url)
    assert client.login()["success"]
    assert client.call("thing.list")["success"]
    time.sleep(1.1)
    expired = client.call("thing.list")
    assert expired["success"] is False
    assert expired["errorCodes"] == [SESSION_INVALID]
    assert client.login()["success"]
    assert client.ok("thing.list", showCount=True)["count"] == 10


def test_a_body_that_is_not_a_json_object_is_refused(telit_sim: SimServer) -> None:
    for content in (b"not json", b"[1, 2]"):
        got = httpx.post(telit_sim.base_url + "/api", content=content)
        assert got.status_code == 200
        assert got.json()["success"] is False
        assert got.json()["errorCodes"] == [GENERAL]


def test_an_application_session_cannot_run_administrator_commands(telit_sim: SimServer) -> None:
    client = Tr50(telit_sim.base_url)
    login = client.login(appId=TELIT_APP_ID, appToken=TELIT_APP_TOKEN, thingKey="gw-limited")
    assert login["success"]
    assert client.call("app.list")["errorCodes"] == [NOT_AUTHORIZED]
    assert client.call("thing.delete", key="gw-limited")["errorCodes"] == [NOT_AUTHORIZED]
    # it sees its own thing only
    assert client.ok("thing.find", key="gw-limited")["key"] == "gw-limited"
    assert client.call("thing.find", key="gateway-00000")["errorCodes"] == [-90005]
    assert client.ok("thing.list", showCount=True)["count"] == 1


def test_the_introspection_shows_counts_and_never_a_secret(
    tr50: Tr50, telit_sim: SimServer
) -> None:
    got = httpx.get(telit_sim.base_url + "/_sim/telit").json()
    assert got["things"] == 3000
    assert got["thingDefs"] == 12
    assert got["connections"] == 500
    assert got["cdp"]["autoCreateThings"] is False
    text = str(got)
    assert tr50.session is not None and tr50.session not in text
    assert TELIT_APP_TOKEN not in text and TELIT_PASSWORD not in text


def test_the_banner_names_the_telit_demo() -> None:
    text = banner("http://127.0.0.1:8480")
    assert "http://127.0.0.1:8480/api" in text
    assert TELIT_USERNAME in text and TELIT_APP_ID in text
    assert "fleet sim-gateway" in text


def test_faults_answer_with_the_tr50_failure_body(make_sim: MakeSim) -> None:
    server = make_sim(devices=0, alarms=0, fail_rate=1)
    got = httpx.post(server.base_url + "/api", json={})
    assert got.status_code in (500, 503)
    assert got.json()["success"] is False
    assert got.json()["errorCodes"] == [GENERAL]
