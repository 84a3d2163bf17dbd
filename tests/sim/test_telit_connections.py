"""Applications and the five ways a thing is created over TR50: auto registration by a gateway's
application login (also through `fleet sim-gateway`), `thing.create`, the CDP's auto creation
for new connections, and a thing made from a connection; connections and the CDP's settings."""

from __future__ import annotations

import pytest

from tests.sim.conftest import Tr50
from tui.cli import main
from tui.sim import SimServer
from tui.sim.credentials import TELIT_APP_ID, TELIT_APP_TOKEN
from tui.sim.telit.errors import AUTH_FAILED, DUPLICATE, NOT_FOUND, PARAM_INVALID
from tui.sim.telit.gateway import GatewayError, connect


def test_applications_are_listed_found_and_created(tr50: Tr50) -> None:
    listed = tr50.ok("app.list", showCount=True)
    assert listed["count"] == 5
    gateway_app = tr50.ok("app.find", id=TELIT_APP_ID)
    assert gateway_app["autoRegThingDefKey"] == "gateway"
    created = tr50.ok(
        "app.create",
        name="Pumps",
        autoRegThingDefKey="pump",
        autoRegTags=["pumps"],
        roles=["Device"],
    )
    assert len(created["id"]) == 24 and len(created["token"]) == 32
    found = tr50.ok("app.find", id=created["id"])
    assert found["token"] == created["token"]
    assert found["autoRegThingDefId"] == tr50.ok("thing_def.find", key="pump")["id"]
    chosen = tr50.ok("app.create", name="Chosen", token="my-own-token-123")
    assert chosen["token"] == "my-own-token-123"
    assert tr50.call("app.create", name="Again", token="my-own-token-123")["errorCodes"] == [DUPLICATE]  # fmt: skip
    assert tr50.call("app.create", name="x", autoRegThingDefKey="nope")["errorCodes"] == [NOT_FOUND]  # fmt: skip
    assert tr50.call("app.find", id="nope")["errorCodes"] == [NOT_FOUND]
    assert tr50.ok("app.list", showCount=True)["count"] == 7


def test_a_gateway_auto_registers_with_an_application_token(
    tr50: Tr50, telit_sim: SimServer
) -> None:
    assert tr50.call("thing.find", key="gw-new-1")["errorCodes"] == [NOT_FOUND]
    gateway = Tr50(telit_sim.base_url)
    login = gateway.login(appId=TELIT_APP_ID, appToken=TELIT_APP_TOKEN, thingKey="gw-new-1")
    assert login["success"]
    thing = tr50.ok("thing.find", key="gw-new-1")
    assert thing["defKey"] == "gateway"
    assert thing["tags"] == ["auto-registered"]
    assert thing["orgKey"] == "FLEET_DEMO"
    assert thing["connected"] is True
    # a second connection is the same thing, not a new one
    assert gateway.login(appId=TELIT_APP_ID, appToken=TELIT_APP_TOKEN, thingKey="gw-new-1")["success"]  # fmt: skip
    assert tr50.ok("thing.find", key="gw-new-1")["id"] == thing["id"]
    assert tr50.ok("thing.list", showCount=True)["count"] == 3001


def test_an_application_made_by_the_user_auto_registers_in_its_definition(tr50: Tr50, telit_sim: SimServer) -> None:  # fmt: skip
    app = tr50.ok("app.create", name="Meters", autoRegThingDefKey="meter", autoRegTags=["m"])
    gateway = Tr50(telit_sim.base_url)
    assert gateway.login(appId=app["id"], appToken=app["token"], thingKey="meter-new")["success"]
    thing = tr50.ok("thing.find", key="meter-new")
    assert (thing["defKey"], thing["tags"]) == ("meter", ["m"])


def test_application_logins_are_refused_with_a_wrong_token_or_without_a_definition(
    tr50: Tr50, telit_sim: SimServer
) -> None:
    gateway = Tr50(telit_sim.base_url)
    wrong = gateway.login(appId=TELIT_APP_ID, appToken="wrong-token", thingKey="gw-x")
    assert wrong["errorCodes"] == [AUTH_FAILED]
    plain = tr50.ok("app.create", name="No auto-registration")
    refused = gateway.login(appId=plain["id"], appToken=plain["token"], thingKey="gw-y")
    assert refused["errorCodes"] == [AUTH_FAILED]
    assert tr50.call("thing.find", key="gw-x")["errorCodes"] == [NOT_FOUND]
    assert tr50.call("thing.find", key="gw-y")["errorCodes"] == [NOT_FOUND]


def test_the_simulated_gateway_module_and_cli_auto_register(
    tr50: Tr50, telit_sim: SimServer, capsys: pytest.CaptureFixture[str]
) -> None:
    connected = connect(telit_sim.base_url, "gw-module")
    assert connected.thing["key"] == "gw-module" and connected.thing["defKey"] == "gateway"
    assert main(["sim-gateway", "gw-cli", "--url", telit_sim.base_url]) == 0
    out = capsys.readouterr().out
    assert "gw-cli connected" in out and TELIT_APP_TOKEN not in out
    assert tr50.ok("thing.find", key="gw-cli")["defKey"] == "gateway"
    with pytest.raises(GatewayError) as refused:
        connect(telit_sim.base_url, "gw-bad", app_token="wrong-token")
    assert refused.value.codes == [AUTH_FAILED] and "wrong-token" not in str(refused.value)


def test_connections_are_searched_found_and_updated(tr50: Tr50, telit_sim: SimServer) -> None:
    every = tr50.ok("cdp.connection.search", limit=2000, showCount=True)
    assert every["count"] == 500
    assert {c["carrier"] for c in every["result"]} == {"Proximus", "Orange", "Vodafone"}
    assert len({c["ratePlan"] for c in every["result"]}) == 6
    conn = every["result"][0]
    assert set(conn) >= {"id", "iccid", "imsi", "imei", "msisdn", "carrier", "ratePlan", "status", "thingKey"}  # fmt: skip
    owner = tr50.ok("thing.find", key=conn["thingKey"])
    assert owner["iccid"] == conn["iccid"]
    page = tr50.ok("cdp.connection.search", offset=10, limit=5)["result"]
    assert [c["id"] for c in page] == [c["id"] for c in every["result"][10:15]]
    orange = tr50.ok("cdp.connection.search", carrier="Orange", showCount=True, limit=1)
    assert 150 < orange["count"] < 200
    free = tr50.ok("cdp.connection.search", hasThing=False, limit=2000)["result"]
    assert free and all(c["thingKey"] is None for c in free)
    assert tr50.ok("cdp.connection.find", iccid=conn["iccid"])["id"] == conn["id"]
    assert tr50.call("cdp.connection.find", id="nope")["errorCodes"] == [NOT_FOUND]
    assert tr50.call("cdp.connection.update", id=conn["id"], status="suspended") == {"success": True}  # fmt: skip
    assert tr50.ok("cdp.connection.find", id=conn["id"])["status"] == "suspended"
    assert tr50.call("cdp.connection.update", id=conn["id"], status="gone")["errorCodes"] == [PARAM_INVALID]  # fmt: skip
    assert tr50.call("cdp.connection.update", id=conn["id"], ratePlan="nope")["errorCodes"] == [PARAM_INVALID]  # fmt: skip
    assert tr50.call("cdp.connection.update", id=conn["id"], thingKey="nope")["errorCodes"] == [NOT_FOUND]  # fmt: skip
    assert tr50.call("cdp.connection.update", id=conn["id"], thingKey="") == {"success": True}
    assert tr50.ok("cdp.connection.find", id=conn["id"])["thingKey"] is None


def test_a_thing_is_created_from_a_connection(tr50: Tr50) -> None:
    conn = tr50.ok("cdp.connection.search", hasThing=False, limit=1)["result"][0]
    created = tr50.ok(
        "thing.create", key="from-sim", name="From SIM", defKey="connection", iccid=conn["iccid"]
    )
    assert tr50.ok("cdp.connection.find", id=conn["id"])["thingKey"] == "from-sim"
    assert tr50.ok("thing.find", id=created["id"])["iccid"] == conn["iccid"]
    again = tr50.call("thing.create", key="from-sim-2", name="x", defKey="connection", iccid=conn["iccid"])  # fmt: skip
    assert again["errorCodes"] == [DUPLICATE]
    tr50.ok("thing.delete", key="from-sim")
    assert tr50.ok("cdp.connection.find", id=conn["id"])["thingKey"] is None


def test_the_cdp_auto_creates_things_for_new_connections(tr50: Tr50) -> None:
    config = tr50.ok("cdp.config.find")
    assert config["autoCreateThings"] is False
    before = tr50.ok("thing.list", showCount=True)["count"]
    first = tr50.ok("cdp.connection.sync")["added"]
    assert len(first) == 1
    assert tr50.ok("cdp.connection.find", id=first[0])["thingKey"] is None
    assert tr50.ok("thing.list", showCount=True)["count"] == before
    assert tr50.call("cdp.config.update", autoCreateThings=True) == {"success": True}
    assert tr50.ok("cdp.config.find")["autoCreateThings"] is True
    added = tr50.ok("cdp.connection.sync", count=2)["added"]
    assert len(added) == 2
    for conn_id in added:
        conn = tr50.ok("cdp.connection.find", id=conn_id)
        thing = tr50.ok("thing.find", key=conn["thingKey"])
        assert thing["iccid"] == conn["iccid"] and thing["defKey"] == "connection"
        assert thing["tags"] == ["auto-created"]
    assert tr50.ok("thing.list", showCount=True)["count"] == before + 2
    assert tr50.ok("cdp.connection.search", showCount=True, limit=1)["count"] == 503
    assert tr50.call("cdp.config.update", autoCreateDefKey="nope")["errorCodes"] == [NOT_FOUND]
    assert tr50.call("cdp.config.update", autoCreateThings="on")["errorCodes"] == [PARAM_INVALID]
    assert tr50.call("cdp.config.find", id="other")["errorCodes"] == [NOT_FOUND]
