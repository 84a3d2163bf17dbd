"""MyThings' query APIs on a frozen data clock: decoded and network logs paged by page number
(PageResource), counts by interval, locations and container values."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.sim.test_mythings import MakeSim, authed, otaa_body, vendor_error, violations
from tui.sim import SimConfig, SimServer

#: 2026-11-18 20:26:40 UTC, the instant the data clock is frozen at.
FROZEN = 1_795_033_600_000
HOUR = 3_600_000
DAY = 24 * HOUR


def ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp() * 1000)


@pytest.fixture(scope="module")
def frozen() -> Iterator[httpx.Client]:
    server = SimServer(SimConfig(devices=400, alarms=0, frozen_at_ms=FROZEN))
    with server, authed(server) as client:
        yield client


def active_thing(client: httpx.Client, thing_type: str | None = None) -> dict[str, Any]:
    """A thing heard in the last hour before the frozen now, of the given type."""
    recent = client.get("/things", params={"lastActivity": str(FROZEN - HOUR)}).json()
    return next(t for t in recent if thing_type is None or t["thingType"] == thing_type)


def test_decoded_logs_page_by_number_newest_first(frozen: httpx.Client) -> None:
    thing = active_thing(frozen)
    path = f"/things/{thing['thingIdentifier']}/logs/decoded"
    containers = frozen.get(f"/things/{thing['thingIdentifier']}/type").json()["containers"]
    first = frozen.get(path).json()
    assert set(first) == {
        "content", "first", "last", "links", "number", "numberOfElements", "size", "sort",
        "totalElements", "totalPages",
    }  # fmt: skip
    total = first["totalElements"]
    assert first["number"] == 0 and first["size"] == 20 and first["numberOfElements"] == 20
    assert first["first"] is True and first["last"] is False
    assert first["totalPages"] == -(-total // 20)
    assert total % len(containers) == 0 and total > 1000  # 30 days of uplinks, each container
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert set(rels) == {"self", "first", "next", "last"}
    entry = first["content"][0]
    assert entry["sensor"]["mac"] == thing["thingIdentifier"]
    assert entry["totalCount"] == total and entry["count"] == 1
    assert entry["container"]["name"] == containers[0]["name"]
    assert entry["data"][0]["ts"] == entry["date"] and entry["data"][0]["value"]

    seen: list[tuple[int, str]] = []
    page = first
    while True:
        seen += [(e["date"], e["container"]["name"]) for e in page["content"]]
        if page["last"]:
            break
        nxt = next(link["href"] for link in page["links"] if link["rel"] == "next")
        page = httpx.get(nxt, headers=frozen.headers).json()  # follow the link as given
    assert len(seen) == total == len(set(seen))
    dates = [d for d, _ in seen]
    assert dates == sorted(dates, reverse=True)
    assert dates[-1] >= FROZEN - 30 * DAY and dates[0] <= FROZEN
    assert page["number"] == first["totalPages"] - 1 and "next" not in {
        link["rel"] for link in page["links"]
    }

    past = frozen.get(path, params={"page": first["totalPages"] + 3}).json()
    assert past["content"] == [] and past["last"] is True and past["numberOfElements"] == 0
    negative = frozen.get(path, params={"page": -1})
    assert vendor_error(negative, 400)["message"] == "Page index must not be less than zero!"
    vendor_error(frozen.get(path, params={"page": "two"}), 400)


def test_timeframe_is_hours_back_from_now(frozen: httpx.Client) -> None:
    ident = active_thing(frozen)["thingIdentifier"]
    for kind in ("decoded", "network"):
        page = frozen.get(f"/things/{ident}/logs/{kind}", params={"timeframe": 6}).json()
        stamps = [e["date"] if kind == "decoded" else e["time"] for e in page["content"]]
        assert 0 < page["totalElements"] < 100
        assert all(FROZEN - 6 * HOUR <= s <= FROZEN for s in stamps)
        for bad in ("0", "721", "x"):
            path = f"/things/{ident}/logs/{kind}"
            vendor_error(frozen.get(path, params={"timeframe": bad}), 400)


def test_network_logs(frozen: httpx.Client) -> None:
    thing = active_thing(frozen)
    ident = thing["thingIdentifier"]
    stations = {s["basestationId"] for s in frozen.get("/basestations").json()}
    pages = [frozen.get(f"/things/{ident}/logs/network", params={"page": n}).json() for n in (0, 1)]
    entries = pages[0]["content"] + pages[1]["content"]
    assert len(entries) == 40
    for entry in entries:
        assert entry["devEUI"] == ident
        assert entry["devAddr"] == thing["technologyDetails"]["deviceAddress"]
        assert -140 < float(entry["lrrRSSI"]) < -40 and -30 < float(entry["lrrSNR"]) < 20
        assert 7 <= int(entry["spFact"]) <= 12
        assert 1 <= int(entry["devLrrCnt"]) == len(entry["lrrs"]) <= 4
        assert {lrr["lrrid"] for lrr in entry["lrrs"]} <= stations
        assert entry["timeStr"].startswith(datetime.fromtimestamp(entry["time"] / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S"))  # fmt: skip
    counters = [int(e["fcntUp"]) for e in entries]
    assert all(a == b + 1 for a, b in itertools.pairwise(counters))
    times = [e["time"] for e in entries]
    assert times == sorted(times, reverse=True)
    decoded = frozen.get(f"/things/{ident}/logs/decoded").json()["totalElements"]
    containers = len(frozen.get(f"/things/{ident}/type").json()["containers"])
    assert pages[0]["totalElements"] * containers == decoded

    start, end = FROZEN - 3 * DAY, FROZEN - 2 * DAY
    window = frozen.get(
        f"/things/{ident}/logs/network",
        params={
            "startTime": datetime.fromtimestamp(start / 1000, UTC).isoformat(),
            "endTime": str(end),
        },
    ).json()
    assert 0 < window["totalElements"] < pages[0]["totalElements"]
    assert all(start <= e["time"] <= end for e in window["content"])


@pytest.mark.parametrize("interval", ["HOURLY", "DAILY", "WEEKLY", "MONTHLY"])
def test_counts_by_interval_add_up_to_the_logs(frozen: httpx.Client, interval: str) -> None:
    ident = active_thing(frozen)["thingIdentifier"]
    for kind in ("decoded", "network"):
        counts = frozen.get(
            f"/things/{ident}/logs/{kind}/count", params={"interval": interval}
        ).json()
        total = frozen.get(f"/things/{ident}/logs/{kind}").json()["totalElements"]
        assert sum(c["count"] for c in counts) == total
        starts = [ms(c["startTime"]) for c in counts]
        assert starts == sorted(starts)
        assert all(ms(a["endTime"]) == ms(b["startTime"]) for a, b in itertools.pairwise(counts))
        assert starts[0] <= FROZEN - 30 * DAY < ms(counts[0]["endTime"])
        assert starts[-1] <= FROZEN < ms(counts[-1]["endTime"])
        first = datetime.fromtimestamp(starts[1] / 1000, UTC)
        assert (first.minute, first.second) == (0, 0)
        if interval != "HOURLY":
            assert first.hour == 0
        if interval == "WEEKLY":
            assert first.weekday() == 0
        if interval == "MONTHLY":
            assert first.day == 1
    expected = {"HOURLY": 721, "DAILY": 31, "WEEKLY": 5, "MONTHLY": 2}[interval]
    assert len(counts) == expected


def test_count_parameters(frozen: httpx.Client) -> None:
    ident = active_thing(frozen)["thingIdentifier"]
    path = f"/things/{ident}/logs/network/count"
    assert violations(frozen.get(path)) == ["Interval may not be null"]
    assert violations(frozen.get(path, params={"interval": "YEARLY"})) == [
        "Interval can only be one of HOURLY, DAILY, WEEKLY, MONTHLY"
    ]
    day = frozen.get(
        path,
        params={
            "interval": "HOURLY",
            "startTime": "2026-11-17T00:00:00Z",
            "endTime": "2026-11-17T23:59:59Z",
        },
    ).json()
    assert len(day) == 24 and day[0]["startTime"] == "2026-11-17T00:00:00.000Z"
    vendor_error(
        frozen.get(
            path,
            params={
                "interval": "DAILY",
                "startTime": "2026-11-17T00:00:00Z",
                "endTime": "2026-11-16T00:00:00Z",
            },
        ),
        400,
    )
    vendor_error(frozen.get("/things/0000000000000000/logs/decoded/count?interval=DAILY"), 404)


def test_locations_of_a_tracker(frozen: httpx.Client) -> None:
    tracker = active_thing(frozen, "GPS tracker")
    page = frozen.get(f"/things/{tracker['thingIdentifier']}/locations").json()
    network = frozen.get(f"/things/{tracker['thingIdentifier']}/logs/network").json()
    assert page["totalElements"] == network["totalElements"] > 0
    point = page["content"][0]["data"][0]
    assert point["type"] == "GPS" and -90 <= point["latitude"] <= 90
    assert abs(point["latitude"] - float(tracker["lastlocation"]["latitude"])) < 0.1
    assert point["time"] == network["content"][0]["time"]
    sensor = next(t for t in frozen.get("/things").json() if t["thingType"] != "GPS tracker")
    none = frozen.get(f"/things/{sensor['thingIdentifier']}/locations").json()
    assert none["content"] == [] and none["totalElements"] == 0


def test_container_values(frozen: httpx.Client) -> None:
    thing = active_thing(frozen, "Temperature and humidity")
    ident = thing["thingIdentifier"]
    values = frozen.get(f"/things/{ident}/type/temperature/values", params={"results": 5}).json()
    assert len(values) == 5
    assert {v["container"] for v in values} == {"0x0402.0x0000.0.m2m"}
    assert {v["thingType"] for v in values} == {"Temperature and humidity"}
    assert all(-20 < float(v["value"]) < 45 for v in values)
    network = frozen.get(f"/things/{ident}/logs/network").json()["content"]
    assert [v["timestamp"] for v in values] == [e["time"] for e in network[:5]]
    by_id = frozen.get(f"/things/{ident}/type/0x0402.0x0000.0.m2m/values").json()
    assert len(by_id) == 100 and by_id[:5] == values
    ranged = frozen.get(
        f"/things/{ident}/type/humidity/values",
        params={"startTime": str(FROZEN - DAY), "endTime": str(FROZEN - DAY + 4 * HOUR)},
    ).json()
    assert 0 < len(ranged) <= 17
    assert all(FROZEN - DAY <= v["timestamp"] <= FROZEN - DAY + 4 * HOUR for v in ranged)
    vendor_error(frozen.get(f"/things/{ident}/type/temperature/values?results=0"), 400)
    vendor_error(frozen.get(f"/things/{ident}/type/co2/values"), 404)


def test_a_new_thing_has_no_history(make_sim: MakeSim) -> None:
    with authed(make_sim(devices=5, alarms=0, frozen_at_ms=FROZEN)) as client:
        ident = client.post("/things", json=otaa_body("ABCDAB22ABCDABC2")).json()["thingIdentifier"]
        for kind in ("decoded", "network"):
            page = client.get(f"/things/{ident}/logs/{kind}").json()
            assert page["content"] == [] and page["totalElements"] == 0
            assert page["totalPages"] == 0 and page["first"] is True and page["last"] is True
            counts = client.get(f"/things/{ident}/logs/{kind}/count?interval=DAILY").json()
            assert sum(c["count"] for c in counts) == 0
        assert client.get(f"/things/{ident}/type/temperature/values").json() == []


def test_history_is_a_function_of_the_seed_and_the_clock(make_sim: MakeSim) -> None:
    pages = []
    for _ in range(2):
        with authed(make_sim(devices=20, alarms=0, frozen_at_ms=FROZEN)) as client:
            ident = client.get("/things", params={"results": 1}).json()[0]["thingIdentifier"]
            pages.append(client.get(f"/things/{ident}/logs/network", params={"page": 3}).json())
    for page in pages:
        for link in page["links"]:
            link["href"] = link["href"].split("/mythings")[1]  # the ports differ
    assert pages[0] == pages[1]
