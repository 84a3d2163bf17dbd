"""The overview's search by the identifiers each platform looks up on its server: an IoTDA node
id that is an IMEI, a Telit thing's IMEI and ICCID, found without knowing the platform."""

from __future__ import annotations

from tests.app.conftest import wait_for
from tests.app.test_overview import _result_keys, _searched, _settled

IOTDA_IMEI = "864923940019998"  # the node id of an NB-IoT smoke detector of the demo project
IOTDA_DEVICE = f"5e1ec680bc5ae154518b83b8_{IOTDA_IMEI}"
TELIT_ICCID = "89320317242751898240"  # the SIM of the demo's first Telit thing
TELIT_IMEI = "358773358536134"  # and its module's IMEI


async def _search(pilot, app, text: str) -> list[str]:
    await pilot.press("slash")
    app.screen.query_one("#search-input").value = text
    await pilot.press("enter")
    await wait_for(pilot, lambda: _searched(app))
    return _result_keys(app)


async def test_search_finds_a_node_id_an_imei_and_an_iccid(make_app) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        assert await _search(pilot, app, IOTDA_IMEI) == [f"demo-iotda\0{IOTDA_DEVICE}"]
        assert await _search(pilot, app, TELIT_ICCID) == ["demo-telit\0light-00000"]
        assert await _search(pilot, app, TELIT_IMEI) == ["demo-telit\0light-00000"]
        # Every profile answered, none failed.
        answers = app.screen._answers
        assert all(isinstance(a, int) for a in answers.values()), answers
