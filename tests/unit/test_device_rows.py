"""The device list as plain rows (`ThingPark.list_device_rows`), which `fleet devices list`
writes as JSON and CSV without a model per row: the rows are exactly the summaries'
`model_dump()`, and every output format writes the same bytes from rows as from models."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from tui.api.http import RetryPolicy
from tui.api.models import DeviceSummary
from tui.api.platform import DeviceRows
from tui.api.platforms.thingpark import ThingPark
from tui.scripting import Csv, JsonArray, JsonLines, Output, safe_json

DEVICES = "/thingpark/wireless/rest/subscriptions/mine/devices"

BRIEFS: list[dict[str, Any]] = [
    {  # as the simulator sends it: the last uplink as an object
        "name": "RN2483-Lyon-000001",
        "model": {"ID": "MCHP/RN2483A.1_EU", "commercialName": "RN2483 Class A EU"},
        "connectivity": "LORAWAN",
        "activation": "OTAA",
        "EUI": "0004A30B0000011E",
        "appServers": [{"ID": "TWA_1.AS", "name": "my MQTT application"}],
        "healthState": "ACTIVE",
        "lastUplink": {"timestamp": 1796070128000, "fPort": 3},
    },
    {  # the OSS resource's own field, with milliseconds; two application servers
        "name": "",
        "model": "a bare model name",
        "EUI": "70B3D5E756000999",
        "appServers": [{"ID": 1972}, "Building HTTPS", {"name": ""}],
        "lastUpTimestamp": 1556274000123,
        "lastUplink": {"timestamp": 1},
    },
    {  # next to nothing: no EUI, no time, empty lists
        "model": {"ID": 42},
        "appServers": [],
        "lastUplink": None,
    },
    {  # outside text that a terminal would act on, and quotes
        "name": 'a "quoted"\x1b[31m\x7f\u202ename\u2028',
        "EUI": "0004A30B00000001",
        "connectivity": "CELLULAR",
        "healthState": "ERROR",
        "lastUpTimestamp": 1.5e12,
    },
]


def page(briefs: list[dict[str, Any]], *, more: bool) -> dict[str, Any]:
    return {"briefs": briefs, "more": more, "count": 4, "cursors": {"last": "c2"}}


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/token"):
        return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
    assert request.url.path == DEVICES
    if "pageAfter" in request.url.params:
        return httpx.Response(200, json=page(BRIEFS[2:], more=False))
    return httpx.Response(200, json=page(BRIEFS[:2], more=True))


def thingpark() -> ThingPark:
    return ThingPark(
        "https://tp.example.com",
        "sub-1/fleet",
        "s3cr3t",
        transport=httpx.MockTransport(answer),
        retry=RetryPolicy(attempts=1, base_delay=0.0),
    )


async def test_rows_are_the_summaries_model_dump() -> None:
    async with thingpark() as tp:
        assert isinstance(tp, DeviceRows)
        models = [await tp.list_devices(None), await tp.list_devices("c2")]
        rows = [await tp.list_device_rows(None), await tp.list_device_rows("c2")]
    for model_page, row_page in zip(models, rows, strict=True):
        assert row_page.cursor == model_page.cursor
        assert row_page.total == model_page.total
        dumped = [summary.model_dump() for summary in model_page.items]
        assert row_page.items == dumped
        # the same keys in the same order: JSON output keeps DeviceSummary's order
        assert [list(row) for row in row_page.items] == [list(d) for d in dumped]
    assert len(rows[0].items) + len(rows[1].items) == len(BRIEFS)
    assert rows[0].items[1]["connection"] == "1972, Building HTTPS"


def written(output: type[Output], items: list[Any]) -> bytes:
    stream = io.BytesIO()
    out = Csv(stream, list(DeviceSummary.model_fields)) if output is Csv else output(stream)
    out.page(items[:2])
    out.page([])
    out.page(items[2:])
    out.close()
    return stream.getvalue()


@pytest.mark.parametrize("output", [JsonLines, JsonArray, Csv])
async def test_every_format_writes_rows_as_it_writes_models(output: type[Output]) -> None:
    async with thingpark() as tp:
        models = [*(await tp.list_devices(None)).items, *(await tp.list_devices("c2")).items]
        rows = [*(await tp.list_device_rows(None)).items, *(await tp.list_device_rows("c2")).items]
    from_models = written(output, models)
    assert written(output, rows) == from_models
    assert b"\x1b" not in from_models and b"\x7f" not in from_models
    assert "\u202e".encode() not in from_models


def test_safe_json_fast_path_keeps_ascii_and_still_escapes() -> None:
    plain = b'{"name":"plain ascii \\u001b"}'
    assert safe_json(plain) is plain
    assert safe_json(b'{"name":"del\x7f"}') == b'{"name":"del\\u007f"}'
    assert safe_json('{"n":"é\u202e"}'.encode()) == '{"n":"é\\u202e"}'.encode()
