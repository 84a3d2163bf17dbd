"""The scripting CLI in real subprocesses (`python -m tui devices list …`) against `fleet sim`
subprocesses on loopback, and against the embedded demo: the four output formats, streaming (the
first rows arrive while the walk goes on), a closed pipe (`| head`), the exit codes 0/1/2/130,
errors on stderr with the vendor's code and message, and `--help` with an example everywhere."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tui.api.models import DeviceSummary
from tui.scripting import safe_json
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

DEVICES = 1500  # 15 pages of the simulator's default size (100)


class FleetSim:
    """`python -m tui sim` in a subprocess, on a free port; `stop()` ends it."""

    def __init__(self, *knobs: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "sim", "--port", "0", "--mqtt-port", "0", *knobs],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        found = re.search(r"listening on (http://\S+)", first)
        assert found, f"fleet sim said {first!r}"
        self.url = found.group(1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


@pytest.fixture(scope="module")
def sim() -> Iterator[FleetSim]:
    server = FleetSim("--devices", str(DEVICES))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slow_sim() -> Iterator[FleetSim]:
    """Each request answered 100 ms late: a walk of 15 pages lasts at least 1.5 s."""
    server = FleetSim("--devices", str(DEVICES), "--latency-ms", "100")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def failing_sim() -> Iterator[FleetSim]:
    server = FleetSim("--devices", "100", "--fail-rate", "1")
    yield server
    server.stop()


def environment(tmp_path: Path, url: str | None, secret: str = THINGPARK_CLIENT_SECRET) -> dict:
    """A ThingPark profile `tp` on `url` (its secret in the environment), default profile;
    without a url, no config file: the demo profiles."""
    config = tmp_path / "config.toml"
    if url is not None:
        config.write_text(
            'default_profile = "tp"\n\n[profiles.tp]\nplatform = "thingpark"\n'
            f'base_url = "{url}"\nclient_id = "{THINGPARK_CLIENT_ID}"\n'
        )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLEET_") or k in ("FLEET_JOURNAL", "FLEET_LOG_FILE")
    }
    env["FLEET_CONFIG"] = str(config)
    env["FLEET_TP_CLIENT_SECRET"] = secret
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


def fleet(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start(env: dict, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


FIELDS = list(DeviceSummary.model_fields)


# ---------------------------------------------------------------------------- formats


def test_jsonl_is_one_device_summary_a_line(tmp_path: Path, sim: FleetSim) -> None:
    done = fleet(environment(tmp_path, sim.url), "devices", "list", "-o", "jsonl")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == DEVICES
    rows = [json.loads(line) for line in lines]
    assert all(list(row) == FIELDS for row in rows)
    # The DeviceSummary fields as pydantic dumps them, in the vendor's order (DevEUI ascending).
    assert DeviceSummary.model_validate(rows[0]).model_dump(mode="json") == rows[0]
    keys = [row["key"] for row in rows]
    assert keys == sorted(keys) and len(set(keys)) == DEVICES


def test_json_is_one_array(tmp_path: Path, sim: FleetSim) -> None:
    done = fleet(environment(tmp_path, sim.url), "devices", "list", "-o", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list) and len(rows) == DEVICES
    assert list(rows[-1]) == FIELDS


def test_csv_has_a_header_and_a_row_per_device(tmp_path: Path, sim: FleetSim) -> None:
    done = fleet(environment(tmp_path, sim.url), "devices", "list", "-o", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == FIELDS
    assert len(rows) == DEVICES + 1
    jsonl = fleet(environment(tmp_path, sim.url), "devices", "list", "-o", "jsonl")
    first = json.loads(jsonl.stdout.splitlines()[0])
    # The simulator's data moves with its clock between the two runs: the times are not compared.
    timeless = [f for f in FIELDS if f != "last_activity"]
    csv_first = dict(zip(FIELDS, rows[1], strict=True))
    assert [csv_first[f] for f in timeless] == [
        "" if first[f] is None else str(first[f]) for f in timeless
    ]
    assert datetime.fromisoformat(csv_first["last_activity"].replace("Z", "+00:00"))


def test_table_shows_the_consoles_columns(tmp_path: Path, sim: FleetSim) -> None:
    done = fleet(environment(tmp_path, sim.url), "devices", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == DEVICES + 1
    assert lines[0].split() == [
        "Name",
        "DevEUI",
        "Radio",
        "Activation",
        "Model",
        "Connection",
        "Health",
        "Last",
        "activity",
    ]
    # Widths fitted to the first page: every DevEUI starts where its title does.
    column = lines[0].index("DevEUI")
    assert all(re.fullmatch(r"[0-9A-F]{16}", line[column : column + 16]) for line in lines[1:])
    assert not any("\x1b" in line for line in lines)


def test_other_lists(tmp_path: Path, sim: FleetSim) -> None:
    env = environment(tmp_path, sim.url)
    alarms = fleet(env, "alarms", "list", "-o", "jsonl")
    assert alarms.returncode == 0, alarms.stderr
    assert alarms.stdout and all("severity" in json.loads(x) for x in alarms.stdout.splitlines())
    connections = fleet(env, "connections", "list", "-o", "json")
    assert connections.returncode == 0, connections.stderr
    assert {c["kind"] for c in json.loads(connections.stdout)} >= {"app-server"}


@pytest.mark.parametrize(
    ("profile", "command", "field"),
    [
        ("demo-telit", "definitions", "attributes"),
        ("demo-telit", "tokens", "auto_reg_tags"),
        ("demo-mythings", "base-stations", "latitude"),
        ("demo-iotda", "products", "product_id"),
    ],
)
def test_each_platforms_own_lists(tmp_path: Path, profile: str, command: str, field: str) -> None:
    done = fleet(environment(tmp_path, None), command, "list", "-p", profile, "-o", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and all(field in row for row in rows)
    table = fleet(environment(tmp_path, None), "-p", profile, command, "list")
    assert table.returncode == 0, table.stderr
    assert len(table.stdout.splitlines()) == len(rows) + 1


def test_a_platform_without_that_list_is_a_usage_error(tmp_path: Path, sim: FleetSim) -> None:
    done = fleet(environment(tmp_path, sim.url), "definitions", "list")
    assert done.returncode == 2
    assert done.stderr == "fleet: profile tp (Actility ThingPark) has no thing definitions\n"


def test_device_get(tmp_path: Path, sim: FleetSim) -> None:
    env = environment(tmp_path, sim.url)
    first = json.loads(fleet(env, "devices", "list", "-o", "jsonl").stdout.splitlines()[0])
    done = fleet(env, "devices", "get", first["key"], "-o", "json")
    assert done.returncode == 0, done.stderr
    detail = json.loads(done.stdout)
    assert detail["summary"] == first
    assert any(s["title"] == "Identity" for s in detail["sections"])
    table = fleet(env, "devices", "get", first["key"])
    assert table.returncode == 0 and first["key"] in table.stdout.splitlines()[0]


def test_products_export_and_import(tmp_path: Path) -> None:
    env = environment(tmp_path, None)
    listed = fleet(env, "products", "list", "-p", "demo-iotda", "-o", "jsonl")
    product_id = json.loads(listed.stdout.splitlines()[0])["product_id"]
    exported = fleet(env, "products", "export", product_id, "-p", "demo-iotda")
    assert exported.returncode == 0, exported.stderr
    body = json.loads(exported.stdout)
    assert "create_time" not in body and body["service_capabilities"]
    body.pop("product_id")
    body["name"] = "Imported_by_script"
    file = tmp_path / "product.json"
    file.write_text(json.dumps(body))
    # (each run is a fresh embedded simulator: the import is checked by its answer)
    imported = fleet(env, "products", "import", str(file), "-p", "demo-iotda")
    assert imported.returncode == 0, imported.stderr
    assert re.fullmatch(r"\S+\n", imported.stdout)
    assert "Imported_by_script" in imported.stderr
    refused = fleet(env, "--readonly", "products", "import", str(file), "-p", "demo-iotda")
    assert refused.returncode == 2 and "--readonly" in refused.stderr
    file.write_text("[1, 2]")
    broken = fleet(env, "products", "import", str(file), "-p", "demo-iotda")
    assert broken.returncode == 2 and "not a product object" in broken.stderr


def test_the_demo_fleet_counts_62804(tmp_path: Path) -> None:
    """The issue's "done when": `fleet devices list -o jsonl | wc -l` on the demo profile."""
    done = subprocess.run(
        f"{sys.executable} -m tui devices list -o jsonl | wc -l",
        shell=True,
        env=environment(tmp_path, None),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.strip() == "62804", done.stderr
    assert done.stderr == ""


# ---------------------------------------------------------------------------- streaming, pipes


def test_first_rows_arrive_before_the_walk_ends(tmp_path: Path, slow_sim: FleetSim) -> None:
    child = start(environment(tmp_path, slow_sim.url), "devices", "list", "-o", "jsonl")
    assert child.stdout is not None
    first = child.stdout.readline()
    assert json.loads(first)["key"]
    assert child.poll() is None  # 14 pages still to come, 100 ms each
    rest = child.stdout.read()  # (communicate() would skip what readline() buffered)
    assert child.wait(timeout=60) == 0
    assert len(rest.splitlines()) == DEVICES - 1


def test_a_closed_pipe_ends_quietly(tmp_path: Path, slow_sim: FleetSim) -> None:
    for form in ("jsonl", "json", "csv", "table"):
        child = start(environment(tmp_path, slow_sim.url), "devices", "list", "-o", form)
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # as `| head -1` does once it has its line
        assert child.wait(timeout=60) == 0
        assert child.stderr.read() == b""


def test_head_in_a_shell_pipeline(tmp_path: Path, sim: FleetSim) -> None:
    done = subprocess.run(
        f"set -o pipefail; {sys.executable} -m tui devices list -o jsonl | head -n 3",
        shell=True,
        executable="/bin/bash",
        env=environment(tmp_path, sim.url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert len(done.stdout.splitlines()) == 3


def test_ctrl_c_exits_130(tmp_path: Path, slow_sim: FleetSim) -> None:
    child = start(environment(tmp_path, slow_sim.url), "devices", "list", "-o", "jsonl")
    assert child.stdout is not None
    child.stdout.readline()
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 130
    assert err.decode() == "fleet: interrupted\n"


# ---------------------------------------------------------------------------- errors


def test_a_failing_platform_exits_1_with_its_code_and_message(
    tmp_path: Path, failing_sim: FleetSim
) -> None:
    done = fleet(environment(tmp_path, failing_sim.url), "devices", "list", "-o", "jsonl")
    assert done.returncode == 1
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert re.match(r"fleet: thingpark 50[03] \[\w+\] \S", line), line


def test_a_wrong_secret_exits_1_without_the_secret(tmp_path: Path, sim: FleetSim) -> None:
    wrong = "not-the-secret-4242"
    done = fleet(environment(tmp_path, sim.url, secret=wrong), "devices", "list")
    assert done.returncode == 1
    assert re.match(r"fleet: thingpark 401 ", done.stderr), done.stderr
    assert wrong not in done.stderr and "Traceback" not in done.stderr


def test_a_missing_device_exits_1_with_the_vendors_404(tmp_path: Path, sim: FleetSim) -> None:
    done = fleet(environment(tmp_path, sim.url), "devices", "get", "FFFFFFFFFFFFFFFF")
    assert done.returncode == 1
    assert re.match(r"fleet: thingpark 404 \[\w+\] .*not found", done.stderr), done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("devices", "list", "-o", "yaml"),
        ("devices", "frobnicate"),
        ("devices", "get"),
        ("devices", "list", "-p", "no-such-profile"),
        ("-p", "", "devices", "list"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = fleet(environment(tmp_path, None), *args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and done.stderr


# ---------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    "command",
    [
        "devices list",
        "devices get",
        "alarms list",
        "connections list",
        "products list",
        "products export",
        "products import",
        "definitions list",
        "tokens list",
        "base-stations list",
    ],
)
def test_every_command_has_help_with_an_example(tmp_path: Path, command: str) -> None:
    done = fleet(environment(tmp_path, None), *command.split(), "--help")
    assert done.returncode == 0
    assert "example:\n  fleet " in done.stdout
    assert "exit status: 0 done, 1 API error" in done.stdout


# ---------------------------------------------------------------------------- outside text


def test_json_output_escapes_what_a_terminal_would_act_on() -> None:
    raw = '{"name":"a\x7fb\x9bc\u202ed\u2028e\u2066f"}'.encode()
    data = json.loads(raw)["name"]
    shown = safe_json(raw)
    assert shown == rb'{"name":"a\u007fb\u009bc\u202ed\u2028e\u2066f"}'
    assert json.loads(shown)["name"] == data
    assert safe_json(b'{"name":"\xe6\xb8\xa9 ok"}') == b'{"name":"\xe6\xb8\xa9 ok"}'


def test_the_cli_path_never_imports_textual(tmp_path: Path, sim: FleetSim) -> None:
    script = (
        "import os, sys\n"
        "from tui.cli import main\n"
        "sys.stdout = open(os.devnull, 'w')\n"
        "code = main(['devices', 'list', '-o', 'jsonl'])\n"
        "print(code, 'textual' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment(tmp_path, sim.url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stderr == "0 False\n"


def test_a_hostile_name_is_data_in_every_format(tmp_path: Path) -> None:
    import asyncio

    from tui.api.models import DeviceUpdate
    from tui.api.platforms.thingpark import ThingPark

    hostile = "Meter [bold]\x1b[31mred\x9b2J \u202eevil\u2028x"
    server = FleetSim("--devices", "10")
    try:

        async def rename() -> None:
            async with ThingPark(server.url, THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET) as tp:
                key = (await tp.list_devices()).items[0].key
                await tp.update_device(key, DeviceUpdate(name=hostile))

        asyncio.run(rename())
        env = environment(tmp_path, server.url)
        outputs = {form: fleet(env, "devices", "list", "-o", form) for form in FORMS}
    finally:
        server.stop()
    for form, done in outputs.items():
        assert done.returncode == 0, done.stderr
        text = done.stdout
        assert not any(ch in text for ch in "\x1b\x9b\u202e\u2028"), (form, text)
    assert json.loads(outputs["jsonl"].stdout.splitlines()[0])["name"] == hostile
    assert json.loads(outputs["json"].stdout)[0]["name"] == hostile
    assert "Meter [bold]\\x1b[31mred\\x9b2J \\u202eevil\\u2028x" in outputs["csv"].stdout
    assert "Meter [bold]\\x1b[31mred" in outputs["table"].stdout


FORMS = ("table", "json", "jsonl", "csv")
