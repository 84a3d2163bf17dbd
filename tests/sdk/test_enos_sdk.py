"""EnOS's own Python device SDK, unchanged, logs in to the simulator's broker, registers two
sub-devices and attaches them: the simulator serves clients that follow EnOS's published
protocol, not only ours.

The SDK needs `paho-mqtt<2`, so it runs in a virtual environment of its own, made in this run's
temporary directory (reused by the run's other tests, never kept between runs). pip fetches the
SDK from the package index: a failure to install it fails the test with pip's own words.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tui.sim import SimServer

SCRIPT = Path(__file__).with_name("enos_sdk_script.py")
PACKAGES = ["enos-mqtt-sdk-python", "paho-mqtt<2"]

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="session")
def sdk_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a virtual environment holding EnOS's SDK."""
    venv = tmp_path_factory.mktemp("enos-sdk") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if pip.returncode != 0:
        pytest.fail(f"pip could not install {PACKAGES}:\n{pip.stdout}\n{pip.stderr}")
    return python


def test_the_enos_sdk_logs_in_and_registers_sub_devices(
    sdk_python: Path, make_sim: Callable[..., SimServer]
) -> None:
    sim = make_sim(devices=0, alarms=0)
    port = sim.mqtt_address.rsplit(":", 1)[1]
    run = subprocess.run(
        [str(sdk_python), str(SCRIPT), f"tcp://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["connected"] is True
    assert result["register"]["code"] == 200
    registered = result["register"]["data"]
    assert [d["deviceKey"] for d in registered] == ["sdk-dev-01", "sdk-dev-02"]
    assert all(d["assetId"] and d["hasSecret"] for d in registered)
    assert result["again"] == {"code": 702, "data": []}
    assert result["topo_add"] == 200
    assert result["topo_get"]["code"] == 200
    assert {"sdk-dev-01", "sdk-dev-02", "fleet-sub-01"} <= set(result["topo_get"]["deviceKeys"])
    assert len(result["topo_get"]["deviceKeys"]) == 38

    body = httpx.get(sim.base_url + "/_sim/enos").json()
    shown = {d["deviceKey"]: d for d in body["products"]["fleetSubPK1"]["devices"]}
    for device in registered:
        assert shown[device["deviceKey"]]["assetId"] == device["assetId"]
    first = shown["sdk-dev-01"]
    assert first["deviceName"] == {
        "defaultValue": "sdk device 1",
        "i18nValue": {"en_US": "SDK device 1", "zh_CN": "SDK 设备 1"},
    }
    assert (first["timezone"], first["deviceAttributes"]) == ("+08:00", {"location": "Shanghai"})
    [topology] = body["topology"]
    attached = {d["deviceKey"] for d in topology["subDevices"]}
    assert {"sdk-dev-01", "sdk-dev-02"} <= attached
