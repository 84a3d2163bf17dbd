"""EnOS in the console, on the real app and the simulator's real MQTT broker: the gateway view
(its identity above its sub-devices), the register form with its errors, a deviceSecret shown
once, a deviceKey registered twice (702), and a bulk registration from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Input, Static

from tests.app.conftest import SIZES, field_errors, fill, notifications, switch_profile, wait_for
from tests.app.test_bulk import menu
from tests.app.test_bulk_runs import freeze_times, settled
from tests.app.test_devices import loaded, table
from tui.api.bulk import TargetState
from tui.api.journal import Journal
from tui.screens.bulk import RunScreen
from tui.screens.bulk_plan import PlanScreen
from tui.screens.devices import DevicesScreen
from tui.screens.secret_once import SecretOnceScreen
from tui.widgets.form import ModelForm

PROFILE = "demo-enos"
DEMO_SUB_DEVICES = 36


def gateway_panel(app: Any) -> str:
    """The gateway's line above the list (the list's screen, under any modal on top)."""
    devices = next(s for s in reversed(app.screen_stack) if isinstance(s, DevicesScreen))
    return str(devices.query_one("#gateway-panel", Static).render())


def sim_enos(app: Any) -> dict[str, Any]:
    answer = httpx.get(f"{app.simulator.ensure()}/_sim/enos", timeout=10)
    answer.raise_for_status()
    return answer.json()


async def gateway(pilot: Any, app: Any) -> DevicesScreen:
    screen = await loaded(pilot, app)
    await wait_for(pilot, lambda: "sub-devices" in gateway_panel(app))
    return screen


async def register_form(pilot: Any, app: Any) -> ModelForm:
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
    return app.screen


async def plan_from_csv(pilot: Any, app: Any, screen: DevicesScreen, rows: Path) -> PlanScreen:
    """`b`, "Create sub-devices from a CSV file", the file's path, enter: the plan."""
    await menu(pilot, app)
    key = next(e.key for e in app.screen._entries.values() if e.label.startswith("Create sub"))
    await pilot.press(key)
    await wait_for(pilot, lambda: screen.prompt.is_open)
    screen.prompt.query_one(Input).value = str(rows)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
    return app.screen


async def test_the_gateway_view_shows_who_the_gateway_is_and_its_sub_devices(make_app) -> None:
    app = make_app(profile=PROFILE)
    async with app.run_test(size=(120, 40)) as pilot:
        await gateway(pilot, app)
        panel = gateway_panel(app)
        for part in ("fleetGwPK", "fleet-gw-01", "embedded simulator", "TLS off", "connected yes"):
            assert part in panel
        assert f"sub-devices {DEMO_SUB_DEVICES}" in panel
        await wait_for(pilot, lambda: table(app).rows.known == DEMO_SUB_DEVICES)
        # EnOS's gateway protocol cannot delete a device: not offered.
        shown = [entry.label for entry in (await menu(pilot, app))._entries.values()]
        assert "Delete" not in shown and "Create sub-devices from a CSV file" in shown
        await pilot.press("escape")


async def test_register_refused_at_its_fields_then_shown_once_then_702(
    make_app, tmp_path: Path
) -> None:
    log = tmp_path / "fleet.log"
    app = make_app(profile=PROFILE, log_file=log)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await gateway(pilot, app)
        form = await register_form(pilot, app)
        fill(form, product_key="fleetSubPK1", device_key="thermo-01", timezone="+25:00")
        fill(form, attributes="floor=3\nroom")
        await pilot.press("ctrl+s")
        await pilot.pause()
        found = field_errors(form)
        assert "between -12:00 and +14:00" in found["timezone"]
        assert found["attributes"] == "attributes line 2: write key=value"
        fill(form, timezone="+08:00", attributes="floor=3\nroom=12", name_zh_cn="温度计")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # A Chinese name alone is not enough: a default or an English one, as EnOS requires.
        assert list(field_errors(form)) == ["name_default"]
        fill(form, name_en_us="Thermometer")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretOnceScreen))
        once = app.screen
        shown = str(once.query_one("#secret-values", Static).render())
        assert "deviceSecret" in shown and "•" in shown
        secret = next(iter(once._secrets.values())).get_secret_value()
        assert secret not in shown
        await pilot.press("x")  # revealed on demand
        assert secret in str(once.query_one("#secret-values", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: table(app).rows.find("fleetSubPK1/thermo-01") is not None)
        row = table(app).rows.row(table(app).rows.find("fleetSubPK1/thermo-01"))
        assert "Thermometer" in str(row) and "+08:00" in str(row)
        # The same deviceKey again: the vendor's 702, at the field it is about.
        form = await register_form(pilot, app)
        fill(form, product_key="fleetSubPK1", device_key="thermo-01", name_default="again")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "device_key" in field_errors(form))
        assert field_errors(form)["device_key"] == "DeviceKey existed"
        assert "702" in str(form.query_one("#form-summary").render())
        await pilot.press("escape")
        # The secret reached neither the journal's audit log nor its file.
        with Journal() as journal:
            journal.flush()
            assert [a.code for a in journal.audit()][-1] == "702"
        for kept in (Path(journal.path), Path(f"{journal.path}-wal")):
            assert not kept.exists() or secret.encode() not in kept.read_bytes()
        assert secret not in (log.read_text() if log.exists() else "")


async def test_bulk_registration_from_a_csv_file_row_by_row(make_app, tmp_path: Path) -> None:
    app = make_app(profile=PROFILE, enos_max_devices=1000)
    rows = tmp_path / "sub-devices.csv"
    lines = ["product_key,device_key,name_en_us,name_zh_cn,timezone"]
    lines += [f"fleetSubPK1,bulk-{i:04},Meter {i},电表 {i},+01:00" for i in range(1000)]
    lines += [f"fleetSubPK2,bulk-{i:04},Meter {i},电表 {i},+01:00" for i in range(1000, 1500)]
    rows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await gateway(pilot, app)
        await plan_from_csv(pilot, app, screen, rows)
        assert app.screen.plan.count == 1500
        await pilot.press("ctrl+s")
        [run] = await settled(pilot, app, timeout=120)
        # fleetSubPK1 already has its demo sub-devices: past 1000, the vendor's 739 per row.
        failed = run.count(TargetState.FAILED)
        assert run.count(TargetState.DONE) + failed == 1500 and failed > 0
        await wait_for(pilot, lambda: table(app).rows.known == DEMO_SUB_DEVICES + 1500 - failed)
        app.goto("bulk")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "run_list", None)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.rows)
        report = app.screen
        codes = {row.code for row in report.rows if row.state is TargetState.FAILED}
        assert codes == {"739"}
        assert any("Exceed the product max device size" in (r.message or "") for r in report.rows)
        enos = sim_enos(app)
        assert sum(p["count"] for p in enos["products"].values()) >= 1500 - failed
        [gw] = [g for g in enos["topology"] if g["deviceKey"] == "fleet-gw-01"]
        assert len(gw["subDevices"]) == DEMO_SUB_DEVICES + 1500 - failed  # each one attached
        assert any("done" in n for n in notifications(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_gateway_view(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE)

    async def run_before(pilot: Any) -> None:
        await gateway(pilot, app)
        await wait_for(pilot, lambda: table(app).rows.known == DEMO_SUB_DEVICES)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_register_form_with_errors(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE)

    async def run_before(pilot: Any) -> None:
        await gateway(pilot, app)
        form = await register_form(pilot, app)
        fill(form, product_key="fleetSubPK1", device_key="bad key!", name_zh_cn="温度计")
        fill(form, timezone="8", attributes="floor=3\nroom")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_bulk_registration_report(
    snap_compare, make_app, size, tmp_path: Path, journal_path: Path
) -> None:
    # fleetSubPK1 holds 18 demo sub-devices: a maximum of 20 leaves room for two more.
    app = make_app(profile=PROFILE, enos_max_devices=20)
    rows = tmp_path / "sub-devices.csv"
    rows.write_text(
        "product_key,device_key,name_en_us,name_zh_cn,timezone,attributes\n"
        "fleetSubPK1,pump-01,Pump 1,水泵 1,+08:00,site=Shanghai\n"
        "fleetSubPK1,fleet-sub-01,Again,,+08:00,\n"
        "fleetSubPK1,pump-02,Pump 2,水泵 2,+08:00,\n"
        "fleetSubPK1,pump-03,Pump 3,水泵 3,+08:00,\n"
        "fleetSubPK2,,Generated key,,-05:00,\n",
        encoding="utf-8",
    )

    async def run_before(pilot: Any) -> None:
        screen = await gateway(pilot, app)
        await plan_from_csv(pilot, app, screen, rows)
        await pilot.press("ctrl+s")
        await settled(pilot, app)
        freeze_times(journal_path)
        app.goto("bulk")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "run_list", None)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.rows)
        report = app.screen
        await pilot.press("f")  # every target, not only the problems
        await wait_for(pilot, lambda: len(report.rows) == 5)
        await pilot.press("down")  # the 702 row: what EnOS said, in full below the table
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_new_user_walks_the_enos_demo(make_app, tmp_path: Path) -> None:
    """The issue's "done when", keys and all, from the console's first screen."""
    rows = tmp_path / "sub-devices.csv"
    lines = ["product_key,device_key,name_en_us,name_zh_cn,timezone,attributes"]
    lines += [
        f"fleetSubPK1,walk-{i:04},Meter {i},电表 {i},+08:00,floor={i % 9}" for i in range(800)
    ]
    lines += [f"fleetSubPK2,walk-{i:04},Valve {i},阀门 {i},+01:00," for i in range(800, 1500)]
    rows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = make_app(devices=40)  # the ThingPark demo first, as `fleet` starts
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await switch_profile(pilot, app, PROFILE)
        screen = await gateway(pilot, app)
        # A sub-device with a Chinese and an English name: its secret shown once.
        form = await register_form(pilot, app)
        fill(form, product_key="fleetSubPK1", device_key="boiler-7", timezone="+08:00")
        fill(form, name_en_us="Boiler 7", name_zh_cn="锅炉 7")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretOnceScreen))
        await pilot.press("c", "escape")  # copied: closes at once
        await wait_for(pilot, lambda: app.screen is screen)
        # The same deviceKey again: 702, at its field, the form kept.
        form = await register_form(pilot, app)
        fill(form, product_key="fleetSubPK1", device_key="boiler-7", name_en_us="Boiler 7")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: field_errors(form).get("device_key") == "DeviceKey existed")
        await pilot.press("escape")
        # 1,500 from a CSV file: two register requests, a result per row.
        await plan_from_csv(pilot, app, screen, rows)
        await pilot.press("ctrl+s")
        [run] = await settled(pilot, app, timeout=120)
        assert run.count(TargetState.DONE) == 1500
        # The gateway's list shows them, with their names and timezones.
        total = DEMO_SUB_DEVICES + 1 + 1500
        await wait_for(pilot, lambda: table(app).rows.known == total)
        await wait_for(pilot, lambda: f"sub-devices {total}" in gateway_panel(app))
        where = table(app).rows.find("fleetSubPK2/walk-1499")
        assert where is not None and "Valve 1499" in str(table(app).rows.row(where))
