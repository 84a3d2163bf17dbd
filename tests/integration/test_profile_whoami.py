"""The profile test's "who": what each demo platform says the account is, through
`check_connection` (the profiles view's `t`) and `fleet profile test` alike; never a secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_profile_cli import env, fleet  # noqa: F401 (the env fixture)
from tui.config import demo_profiles, demo_secrets
from tui.connection_check import check_connection
from tui.secrets import SecretResolver
from tui.session import EmbeddedSimulator
from tui.sim.credentials import (
    IOTDA_PROJECT_ID,
    MYTHINGS_CLIENT_ID,
    TELIT_USERNAME,
    THINGPARK_CLIENT_ID,
    THINGPARK_SUBSCRIBER_ID,
)
from tui.sim.enos.data import GATEWAY_DEVICE_KEY, GATEWAY_PRODUCT_KEY

WHO = {
    "demo-thingpark": f"who: client {THINGPARK_CLIENT_ID}, subscriber {THINGPARK_SUBSCRIBER_ID}",
    "demo-iotda": f"who: project {IOTDA_PROJECT_ID}, instance fleet-demo-instance, access key FLEE…01",
    "demo-mythings": f"who: application {MYTHINGS_CLIENT_ID}",
    "demo-telit": f"who: user {TELIT_USERNAME}, organisation Fleet demo",
    "demo-enos": f"who: gateway {GATEWAY_PRODUCT_KEY}/{GATEWAY_DEVICE_KEY}, login accepted by ",
}


@pytest.fixture(scope="module")
def simulator() -> Iterator[EmbeddedSimulator]:
    embedded = EmbeddedSimulator(devices=300, alarms=50)
    yield embedded
    embedded.stop()


@pytest.mark.parametrize("name", sorted(WHO))
async def test_each_demo_profile_says_who_we_are(
    name: str, simulator: EmbeddedSimulator, tmp_path: Path
) -> None:
    report = await check_connection(demo_profiles()[name], SecretResolver(), simulator)
    assert report.ok, report.error
    lines = report.lines()
    assert lines[1].startswith(WHO[name]), lines
    text = "\n".join(lines)
    for secret in demo_secrets(demo_profiles()[name]).values():
        assert secret not in text


def test_fleet_profile_test_prints_who(env: dict[str, str]) -> None:  # noqa: F811
    tested = fleet(env, "test", "demo-telit")
    assert tested.returncode == 0, tested.stderr
    assert WHO["demo-telit"] in tested.stdout
