"""TR50 look-ups the overview's search relies on: `thing.list` filtered exactly on a thing's
identifiers (iccid, imei, esn, meid, imsi), and `session.info` (who the session is)."""

from __future__ import annotations

from tests.sim.conftest import Tr50
from tui.sim import SimServer
from tui.sim.credentials import TELIT_APP_ID, TELIT_APP_TOKEN, TELIT_USERNAME
from tui.sim.telit.data import ORG_KEY
from tui.sim.telit.errors import PARAM_INVALID


def test_things_are_listed_by_their_imei_or_iccid_exactly(tr50: Tr50) -> None:
    things = tr50.ok("thing.list", limit=60)["result"]
    by_imei = next(t for t in things if t.get("imei"))
    by_iccid = next(t for t in things if t.get("iccid"))
    found = tr50.ok("thing.list", imei=by_imei["imei"], showCount=True)
    assert by_imei["key"] in [t["key"] for t in found["result"]]
    assert all(t["imei"] == by_imei["imei"] for t in found["result"])
    assert found["count"] == len(found["result"])
    found = tr50.ok("thing.list", iccid=by_iccid["iccid"])["result"]
    assert [t["key"] for t in found] == [by_iccid["key"]]
    # Exact: a prefix finds nothing, and the filters combine with the others.
    assert tr50.ok("thing.list", iccid=by_iccid["iccid"][:-1])["result"] == []
    assert tr50.ok("thing.list", iccid=by_iccid["iccid"], keys=["nope"])["result"] == []
    assert tr50.call("thing.list", imei=42)["errorCodes"] == [PARAM_INVALID]


def test_a_created_thing_is_found_by_its_identifier(tr50: Tr50) -> None:
    tr50.ok("thing.create", key="esn-1", name="ESN thing", defKey="gateway", esn="8032a1b2")
    found = tr50.ok("thing.list", esn="8032A1B2")["result"]
    assert [t["key"] for t in found] == ["esn-1"]


def test_session_info_names_the_user_or_the_application(tr50: Tr50, telit_sim: SimServer) -> None:
    info = tr50.ok("session.info")
    assert info["username"] == TELIT_USERNAME and info["orgKey"] == ORG_KEY
    assert info["orgName"] and tr50.session not in str(info)
    app = Tr50(telit_sim.base_url)
    assert app.login(appId=TELIT_APP_ID, appToken=TELIT_APP_TOKEN, thingKey="gw-who")["success"]
    info = app.ok("session.info")
    assert (info["appId"], info["thingKey"]) == (TELIT_APP_ID, "gw-who")
    assert "username" not in info and TELIT_APP_TOKEN not in str(info)
