"""The audit log over real loopback HTTP: every mutating call is recorded, GETs are not, and no
secret reaches a record, in any spelling a hostile server echoes it in."""

from __future__ import annotations

import html
import json
from base64 import b64encode
from collections.abc import Iterator

import pytest

from tests.hostile import HostileServer, Received, Reply
from tests.unit.test_http import spellings
from tui.api.errors import ApiError
from tui.api.http import CallRecord, RetryPolicy
from tui.api.models import Downlink, LoRaWanDeviceCreate
from tui.api.platforms.thingpark import TOKEN_PATH, ThingPark

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
CLIENT_ID = "sub-199983788/fleet-console"
SECRET = "Pa55+w0rd/+&=X9-пароль"
TOKEN = "eyJhbGciOi.tok-" + "k3" * 20
APP_KEY = "0123456789ABCDEF0123456789ABCDEF"
EUI = "70B3D5E75E00AA01"


def every_spelling(secret: str) -> dict[str, str]:
    found = spellings(secret, CLIENT_ID)
    found["html"] = html.escape(secret)
    return found


def _echoing(request: Received) -> str:
    """Every spelling of the profile's secret and token (and of the AppKey, to the request that
    carries it), and the whole request as it arrived."""
    secrets = (SECRET, TOKEN, APP_KEY) if APP_KEY.encode() in request.body else (SECRET, TOKEN)
    said = [spelled for secret in secrets for spelled in every_spelling(secret).values()]
    headers = " ".join(f"{k}: {v}" for k, v in request.headers.items())
    return " ".join([*said, request.body.decode(errors="replace"), request.target, headers])


def hostile(request: Received) -> Reply:
    if request.path == TOKEN_PATH:
        return Reply.json({"access_token": TOKEN, "expires_in": 3600})
    echo = _echoing(request)
    request_id = b64encode(SECRET.encode()).decode()
    if request.method == "GET":
        return Reply.json({"code": 500, "message": echo}, 500)
    if request.method == "DELETE":
        body = {"code": SECRET, "message": echo, "errorId": TOKEN}
        return Reply.json(body, 500, **{"X-Request-Id": request_id})
    if request.method == "PUT":
        return Reply.json({"code": 409, "message": "x" * 20_000 + echo}, 409)
    if "downlink" in request.path:
        return Reply.json({"status": "QUEUED"}, 200, **{"X-Request-Id": f"{TOKEN} {request_id}"})
    return Reply.json({"code": 400, "message": echo}, 400)


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer(hostile) as running:
        yield running


def _assert_no_secret(records: list[CallRecord]) -> None:
    shown = " ".join(f"{record!r} {json.dumps(record.__dict__)}" for record in records)
    for secret in (SECRET, TOKEN, APP_KEY):
        for how, spelled in every_spelling(secret).items():
            assert spelled not in shown, (secret, how)


async def _mutate_everything(tp: ThingPark) -> None:
    with pytest.raises(ApiError):
        await tp.get_device(EUI)
    with pytest.raises(ApiError):
        await tp.delete_device(EUI)
    row = LoRaWanDeviceCreate(
        name="new", eui=EUI, app_key=APP_KEY, model_key="m", connection_keys=["as"]
    )
    with pytest.raises(ApiError):
        await tp.create_device("lorawan", row)
    with pytest.raises(ApiError):
        await tp.edit_device(EUI, "name", tp.device_edit_forms()[0].model(name="renamed"))
    await tp.send_downlink(EUI, Downlink(payload_hex="0A1B", fport=2))


async def test_every_mutating_call_is_recorded_and_no_get(server: HostileServer) -> None:
    records: list[CallRecord] = []
    async with ThingPark(server.base_url, CLIENT_ID, SECRET, retry=FAST) as tp:
        tp.set_recorder(records.append)
        await _mutate_everything(tp)
    assert [(r.method, r.ok, r.status) for r in records] == [
        ("DELETE", False, 500),
        ("POST", False, 400),
        ("PUT", False, 409),
        ("POST", True, 200),
    ]
    delete, create, edit, downlink = records
    assert delete.path.endswith(f"/subscriptions/mine/devices/e{EUI}")
    assert delete.target == f"e{EUI}" and delete.platform == "thingpark"
    assert create.target is None  # a create posts to the collection: no key in its path
    assert downlink.path.endswith(f"/devices/e{EUI}/admins/downlink")  # no query string
    assert "?" not in downlink.path and "0A1B" not in repr(downlink)
    assert downlink.target == f"e{EUI}"
    assert edit.message is not None and len(edit.message) <= 300 and "\n" not in edit.message


async def test_no_secret_reaches_a_record_in_any_spelling(server: HostileServer) -> None:
    records: list[CallRecord] = []
    async with ThingPark(server.base_url, CLIENT_ID, SECRET, retry=FAST) as tp:
        tp.set_recorder(records.append)
        await _mutate_everything(tp)
    assert len(records) == 4
    assert records[0].code == "***" and records[0].request_id == "***"
    _assert_no_secret(records)


async def test_a_failing_recorder_does_not_fail_the_call(server: HostileServer) -> None:
    def broken(_: CallRecord) -> None:
        raise RuntimeError("recorder bug")

    async with ThingPark(server.base_url, CLIENT_ID, SECRET, retry=FAST) as tp:
        tp.set_recorder(broken)
        await tp.send_downlink(EUI, Downlink(payload_hex="0A1B", fport=2))
        tp.set_recorder(None)
        await tp.send_downlink(EUI, Downlink(payload_hex="0A1B", fport=2))
