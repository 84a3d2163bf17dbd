"""The Telit adapter's reading of TR50 answers (`httpx.MockTransport`): offset paging, rows of the
shared list, a thing's detail, and answers it cannot read, each an ApiError."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_telit_tr50 import _JSON, Portal, ok
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.platforms.telit import (
    PAGE_SIZE,
    Telit,
    ThingDefinition,
    _next_offset,
    device_detail_from_thing,
    device_summary_from_thing,
)
from tui.api.platforms.telit_forms import ApplicationCreate

THING = {
    "id": "t1",
    "key": "pump-1",
    "name": "Pump 1",
    "defKey": "pump",
    "tags": ["a", "b"],
    "imei": "490154203237518",
    "connected": True,
    "lastSeen": "2026-11-30T10:00:00Z",
    "attrs": {"serial": {"value": "SN1", "ts": "2026-11-01T00:00:00Z"}},
    "properties": {"temp": {"value": 21.5}},
    "alarms": {"hot": {"state": 1}},
}


def telit(portal: Portal) -> Telit:
    return Telit(
        "https://portal.example",
        username="u",
        password="p4ssw0rd!",
        transport=httpx.MockTransport(portal.handle),
        retry=RetryPolicy(attempts=1),
    )


@pytest.mark.parametrize(
    ("offset", "got", "count", "after"),
    [
        (0, 500, 3000, "500"),
        (2500, 500, 3000, None),
        (0, 40, 40, None),
        (0, 500, None, "500"),
        (500, 499, None, None),
        (0, 0, 10, None),  # an empty page never leads on
    ],
)
def test_the_next_offset(offset: int, got: int, count: int | None, after: str | None) -> None:
    assert _next_offset(offset, got, PAGE_SIZE, count) == after


def test_a_thing_is_a_row_in_telits_words() -> None:
    row = device_summary_from_thing(THING)
    assert (row.key, row.name, row.model) == ("pump-1", "Pump 1", "pump")
    assert row.eui == "IMEI 490154203237518" and row.connection == "a, b"
    assert row.connectivity == "yes" and row.last_activity is not None
    assert Telit.DEVICE_LABELS["eui"] == "Identifier"
    assert Telit.DEVICE_LABELS["model"] == "Definition"


def test_the_detail_names_values_as_the_definition_does() -> None:
    definition = ThingDefinition(
        key="pump", name="Pump", attributes={"serial": "Serial number", "site": "Site"}
    )
    detail = device_detail_from_thing(THING, definition)
    sections = {s.title: {f.label: f.value for f in s.fields} for s in detail.sections}
    assert sections["Identity"]["definition"] == "Pump (pump)"
    assert sections["Attributes"] == {
        "Serial number": "SN1 (2026-11-01T00:00:00Z)",
        "Site": "—",
    }
    assert sections["Identifiers"] == {"IMEI": "490154203237518"}
    assert sections["Properties"] == {"temp": "21.5"} and sections["Alarms"] == {"hot": "1"}


async def test_a_page_sends_offset_limit_and_show_count() -> None:
    portal = Portal(lambda body: ok(body, count=501, result=[THING] * PAGE_SIZE))
    page = await telit(portal).list_devices("500", query=" pump-1 ")
    sent = portal.bodies[-1]["1"]
    assert sent == {
        "command": "thing.list",
        "params": {"offset": 500, "limit": PAGE_SIZE, "showCount": True, "keys": ["pump-1"]},
    }
    assert page.cursor is None and page.total == 501


async def test_a_cursor_that_is_no_offset_sends_nothing() -> None:
    portal = Portal(lambda body: ok(body))
    with pytest.raises(ApiError, match="not an offset"):
        await telit(portal).list_devices("abc")
    assert portal.bodies == []


@pytest.mark.parametrize(
    "params",
    [
        {"result": "nope"},
        {"result": [{"name": "no key"}]},
        {"result": [{"key": 7}]},
        {"result": [{"key": "k", "tags": "a,b"}]},
    ],
)
async def test_a_list_it_cannot_read_is_an_api_error(params: dict[str, Any]) -> None:
    portal = Portal(lambda body: {"1": {"success": True, "params": params}})
    with pytest.raises(ApiError, match=r"unexpected answer to thing\.list"):
        await telit(portal).list_devices()


async def test_an_application_token_is_shown_once_and_masked_after() -> None:
    portal = Portal(lambda body: ok(body, id="app-9", token="tok-0123456789abcdef"))
    platform = telit(portal)
    created = await platform.create_app(ApplicationCreate(name="A", definition="d"))
    assert created.key == "app-9"
    assert created.secrets["token"].get_secret_value() == "tok-0123456789abcdef"
    assert "tok-0123456789abcdef" not in repr(created)
    assert platform.scrub("a tok-0123456789abcdef b") == "a *** b"


@settings(max_examples=150, deadline=None)
@given(
    thing=_JSON | st.fixed_dictionaries({"key": _JSON}, optional={"tags": _JSON, "attrs": _JSON})
)
def test_every_thing_it_cannot_read_is_an_api_error(thing: Any) -> None:
    async def run() -> None:
        portal = Portal(
            lambda body: {
                "thing": {"success": True, "params": thing},
                "defs": {"success": True, "params": {"result": []}},
            }
        )
        platform = telit(portal)
        try:
            await platform.get_device("k")
        except ApiError:
            pass
        finally:
            await platform.aclose()

    asyncio.run(run())
