"""`fleet profile list|add|test` in real subprocesses against `fleet sim` on loopback: a profile
added with its secret in the environment, tested (exit 0), a wrong secret (exit 1 with the
vendor's code and message), and a config file that keeps its comments."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_scripting import FleetSim
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

COMMENTED = '# my fleet\ntheme = "textual-dark"  # dark, always\n'


@pytest.fixture(scope="module")
def sim() -> Iterator[FleetSim]:
    server = FleetSim("--devices", "250")
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEET_")}
    env["FLEET_CONFIG"] = str(config)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # no keyring works here
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


def fleet(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "profile", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def add_lab(
    env: dict[str, str], url: str, *extra: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return fleet(
        env,
        "add",
        "lab",
        "--platform",
        "thingpark",
        "--base-url",
        url,
        "--client-id",
        THINGPARK_CLIENT_ID,
        *extra,
        stdin=stdin,
    )


def test_add_list_and_test_with_the_secret_in_the_environment(
    sim: FleetSim, env: dict[str, str]
) -> None:
    added = add_lab(env, sim.url)
    assert added.returncode == 0, added.stderr
    assert "export FLEET_LAB_CLIENT_SECRET" in added.stdout  # how to give it its secret
    text = Path(env["FLEET_CONFIG"]).read_text()
    assert text.startswith(COMMENTED)
    table = tomllib.loads(text)["profiles"]["lab"]
    assert table == {
        "platform": "thingpark",
        "base_url": sim.url,
        "client_id": THINGPARK_CLIENT_ID,
        "subscriber_id": THINGPARK_CLIENT_ID.split("/")[0].removeprefix("sub-"),
    }

    listed = fleet(env, "list")
    assert listed.returncode == 0
    lab = next(line for line in listed.stdout.splitlines() if line.startswith("lab "))
    assert "thingpark" in lab and sim.url in lab

    env["FLEET_LAB_CLIENT_SECRET"] = THINGPARK_CLIENT_SECRET
    tested = fleet(env, "test", "lab")
    assert tested.returncode == 0, tested.stderr
    assert "lab: ok in" in tested.stdout
    assert "answer: 250 devices" in tested.stdout
    assert "TLS: none: plain connection to 127.0.0.1:" in tested.stdout

    env["FLEET_LAB_CLIENT_SECRET"] = "wrong"
    failed = fleet(env, "test", "lab")
    assert failed.returncode == 1
    assert "lab: FAILED" in failed.stderr
    assert "401 [invalid_client]" in failed.stderr
    assert "wrong" not in failed.stderr + failed.stdout


def test_a_secret_without_a_keyring_says_how_to_provide_it(
    sim: FleetSim, env: dict[str, str]
) -> None:
    env["MY_SECRET"] = "s3cr3t-value"
    added = add_lab(env, sim.url, "--secret-env", "MY_SECRET")
    assert added.returncode == 2
    assert "no keyring works here" in added.stderr
    assert "FLEET_LAB_CLIENT_SECRET" in added.stderr and "secret_command" in added.stderr
    assert "s3cr3t" not in added.stderr + added.stdout
    assert Path(env["FLEET_CONFIG"]).read_text() == COMMENTED  # not saved


def test_usage_errors(env: dict[str, str]) -> None:
    wrong_field = fleet(
        env, "add", "x", "--platform", "telit", "--username", "u", "--client-id", "c/d"
    )
    assert wrong_field.returncode == 2
    assert "--client-id is not a telit field" in wrong_field.stderr
    invalid = fleet(env, "add", "x", "--platform", "thingpark", "--client-id", "c/d")
    assert invalid.returncode == 2 and "base_url" in invalid.stderr
    assert fleet(env, "test", "nobody").returncode == 2
    helped = fleet(env, "add", "--help")
    assert "example" in helped.stdout and "--client-id" in helped.stdout


def test_demo_profiles_are_listed_and_tested(env: dict[str, str]) -> None:
    listed = fleet(env, "list")
    assert "demo-thingpark  thingpark  embedded simulator  demo" in listed.stdout
    tested = fleet(env, "test", "demo-iotda")
    assert tested.returncode == 0, tested.stderr
    assert "TLS: none: the embedded simulator, on loopback" in tested.stdout


def test_an_asked_secret_is_never_echoed(sim: FleetSim, env: dict[str, str]) -> None:
    added = add_lab(env, sim.url, "--ask-secret", stdin="typed-s3cr3t\n")
    assert added.returncode == 2  # no keyring here: not saved, and told how instead
    assert "FLEET_LAB_CLIENT_SECRET" in added.stderr
    assert "typed-s3cr3t" not in added.stderr + added.stdout
