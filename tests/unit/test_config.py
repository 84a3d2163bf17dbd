"""Profiles: demo defaults, TOML of each platform, clear errors, and saving without secrets."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import keyring
import pytest

from tui.config import (
    DEMO_PROFILE_NAMES,
    ConfigError,
    EnosProfile,
    IotdaProfile,
    MyThingsProfile,
    TelitProfile,
    ThingParkProfile,
    config_path,
    demo_profiles,
    demo_secrets,
    load_config,
)
from tui.config_file import save_profile

VALID_TOML = """\
default_profile = "prod-tp"
theme = "nord"
timezone = "UTC"

[profiles.prod-tp]
platform = "thingpark"
base_url = "https://community.thingpark.io"
client_id = "sub-123456/console"
secret_command = "pass show fleet/prod-tp"
readonly = true

[profiles.mt]
platform = "mythings"
base_url = "https://api.enco.io"
client_id = "my-app"
timezone = "Europe/Brussels"

[profiles.hw]
platform = "iotda"
project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
region = "cn-north-4"
access_key = "AKEXAMPLE"
instance_id = "inst-1"

[profiles.hw-token]
platform = "iotda"
base_url = "https://iotda.example.internal"
project_id = "abc123"
region = "ap-southeast-1"
auth = "token"

[profiles.gw]
platform = "enos"
base_url = "mqtts://broker.enos.example:18883"
product_key = "pk1"
device_key = "gw-1"
insecure = true

[profiles.tl]
platform = "telit"
base_url = "https://api.devicewise.com"
username = "ops@example.com"

[profiles.tl-app]
platform = "telit"
base_url = "https://api.devicewise.com"
auth = "app"
app_id = "app-7"
thing_key = "gateway-7"
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real keyring, no real config file, no FLEET_* from the developer's shell."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("config tests must not touch the keyring")

    monkeypatch.setattr(keyring, "get_password", refuse)
    monkeypatch.setattr(keyring, "set_password", refuse)
    for var in [v for v in os.environ if v.startswith("FLEET_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "absent" / "config.toml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- loading -------------------------------------------------------------------------------


def test_no_file_gives_the_demo_profiles(tmp_path: Path) -> None:
    config = load_config(tmp_path / "missing.toml")
    assert list(config.profiles) == list(DEMO_PROFILE_NAMES)
    assert DEMO_PROFILE_NAMES == (
        "demo-thingpark",
        "demo-mythings",
        "demo-iotda",
        "demo-enos",
        "demo-telit",
    )
    assert config.default_profile == "demo-thingpark"
    assert all(p.simulator and p.base_url == "" for p in config.profiles.values())
    assert {p.platform for p in config.profiles.values()} == {
        "thingpark",
        "mythings",
        "iotda",
        "enos",
        "telit",
    }
    thingpark = config.profiles["demo-thingpark"]
    assert isinstance(thingpark, ThingParkProfile)
    assert thingpark.client_id == "sub-199983788/fleet-demo"
    assert thingpark.subscriber_id == "199983788"
    iotda = config.profiles["demo-iotda"]
    assert isinstance(iotda, IotdaProfile)
    assert iotda.access_key == "FLEETDEMOIOTDAAK0001"
    assert iotda.project_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert iotda.instance_id == "fleet-demo-instance"


def test_demo_secrets_only_for_simulator_profiles() -> None:
    demos = demo_profiles()
    assert demo_secrets(demos["demo-thingpark"]) == {"client_secret": "thingpark-demo-secret"}
    assert demo_secrets(demos["demo-iotda"])["secret_key"] == "iotda-demo-secret-key"
    for profile in demos.values():
        assert set(profile.secret_fields) <= set(demo_secrets(profile))
    real = demos["demo-thingpark"].model_copy(
        update={"simulator": False, "base_url": "https://x.example"}
    )
    assert demo_secrets(real) == {}


def test_fleet_config_env_chooses_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path, VALID_TOML)
    monkeypatch.setenv("FLEET_CONFIG", str(path))
    assert config_path() == path
    config = load_config()
    assert config.path == path
    assert "prod-tp" in config.profiles


def test_default_path_is_under_user_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLEET_CONFIG")
    assert config_path().name == "config.toml"
    assert config_path().parent.name == "fleet"


def test_valid_toml_of_each_platform(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID_TOML))
    assert config.default_profile == "prod-tp"
    assert config.theme == "nord"
    assert config.timezone == "UTC"
    p = config.profiles

    tp = p["prod-tp"]
    assert isinstance(tp, ThingParkProfile)
    assert tp.subscriber_id == "123456"  # read from client_id
    assert tp.readonly and tp.secret_command == "pass show fleet/prod-tp"
    assert tp.timezone == "Europe/Paris"
    assert tp.secret_fields == ("client_secret",)

    mt = p["mt"]
    assert isinstance(mt, MyThingsProfile)
    assert mt.timezone == "Europe/Brussels"

    hw = p["hw"]
    assert isinstance(hw, IotdaProfile)
    assert hw.base_url == "https://iotda.cn-north-4.myhuaweicloud.com"  # from the region
    assert hw.secret_fields == ("secret_key",)
    hw_token = p["hw-token"]
    assert isinstance(hw_token, IotdaProfile)
    assert hw_token.secret_fields == ("token",)
    assert hw_token.access_key is None

    gw = p["gw"]
    assert isinstance(gw, EnosProfile)
    assert gw.broker == ("broker.enos.example", 18883, True)
    assert gw.insecure
    assert gw.secret_fields == ("device_secret",)

    tl = p["tl"]
    assert isinstance(tl, TelitProfile)
    assert tl.secret_fields == ("password",)
    tl_app = p["tl-app"]
    assert isinstance(tl_app, TelitProfile)
    assert tl_app.secret_fields == ("app_token",)
    assert tl_app.thing_key == "gateway-7"

    # Demo profiles stay available next to the file's own.
    assert "demo-enos" in p


def test_demo_profiles_can_be_turned_off(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "demo_profiles = false\n" + VALID_TOML))
    assert not any(name.startswith("demo-") for name in config.profiles)


def test_default_is_first_own_profile_when_unset(tmp_path: Path) -> None:
    text = VALID_TOML.replace('default_profile = "prod-tp"\n', "")
    text = text.replace("[profiles.prod-tp]", "[profiles.zz-first]", 1)
    assert load_config(write(tmp_path, text)).default_profile == "zz-first"


def test_env_overrides_top_level_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path, VALID_TOML)
    monkeypatch.setenv("FLEET_DEFAULT_PROFILE", "gw")
    monkeypatch.setenv("FLEET_THEME", "gruvbox")
    monkeypatch.setenv("FLEET_TIMEZONE", "Asia/Shanghai")
    config = load_config(path)
    assert (config.default_profile, config.theme, config.timezone) == (
        "gw",
        "gruvbox",
        "Asia/Shanghai",
    )


def test_env_default_profile_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLEET_DEFAULT_PROFILE", "nope")
    with pytest.raises(ConfigError, match=r"FLEET_DEFAULT_PROFILE.*'nope'"):
        load_config(tmp_path / "missing.toml")


def test_env_timezone_is_validated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLEET_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match=r"FLEET_TIMEZONE.*Mars/Olympus"):
        load_config(tmp_path / "missing.toml")


# --- errors ----------------------------------------------------------------------------------


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[profiles.x\nplatform = ")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "invalid TOML" in str(info.value)
    assert info.value.path == path


def test_a_file_that_is_not_utf8_names_the_file_and_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    text = '# profils de l\'équipe\ndefault_profile = "demo-thingpark"\n'
    path.write_bytes(text.encode("latin-1"))  # an editor that saved it in Latin-1
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "UTF-8" in message
    assert "offset 15" in message and "0xe9" in message
    assert info.value.path == path
    profile = MyThingsProfile(name="m", platform="mythings", base_url="https://h", client_id="c")
    with pytest.raises(ConfigError, match="offset 15"):
        save_profile(path, profile)


@pytest.mark.parametrize(
    ("platform", "extra", "key"),
    [
        ("thingpark", 'client_id = "sub-1/a"', "client_secret"),
        ("mythings", 'client_id = "a"', "client_secret"),
        ("iotda", 'project_id = "p"\nregion = "cn-north-4"\naccess_key = "AK"', "secret_key"),
        ("iotda", 'project_id = "p"\nregion = "cn-north-4"\nauth = "token"', "token"),
        ("enos", 'product_key = "pk"\ndevice_key = "dk"', "device_secret"),
        ("telit", 'username = "u"', "password"),
        ("telit", 'auth = "app"\napp_id = "a"', "app_token"),
    ],
)
def test_secret_in_toml_is_refused(tmp_path: Path, platform: str, extra: str, key: str) -> None:
    base_url = "mqtts://broker:8883" if platform == "enos" else "https://h.example"
    path = write(
        tmp_path,
        f'[profiles.prod]\nplatform = "{platform}"\nbase_url = "{base_url}"\n{extra}\n'
        f'{key} = "hunter2-do-not-echo"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "hunter2" not in message
    assert str(path) in message and "'prod'" in message and repr(key) in message
    assert f"keyring set fleet prod:{key}" in message
    assert f"FLEET_PROD_{key.upper()}" in message
    assert "secret_command" in message
    assert (info.value.profile, info.value.field) == ("prod", key)


def test_secret_of_another_platform_is_refused_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles.p]\nplatform = "mythings"\nbase_url = "https://h"\nclient_id = "a"\npassword = "x"\n',
    )
    with pytest.raises(ConfigError, match="secrets do not belong"):
        load_config(path)


def test_bad_timezone_names_file_profile_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles.mt]\nplatform = "mythings"\nbase_url = "https://h"\nclient_id = "a"\n'
        'timezone = "Europe/Atlantis"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "'mt'" in message and "'timezone'" in message
    assert "Europe/Atlantis" in message
    assert info.value.field == "timezone"


def test_unknown_field_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles.mt]\nplatform = "mythings"\nbase_url = "https://h"\nclient_id = "a"\ncolour = "red"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "'colour'" in str(info.value) and "unknown field" in str(info.value)
    assert info.value.field == "colour"


def test_unknown_top_level_setting_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_config(write(tmp_path, 'colour = "red"\n'))


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ('platform = "zigbee"', "platform"),
        ('base_url = "https://h"', "platform"),
        ('platform = "thingpark"\nbase_url = "https://h"\nclient_id = "no-slash"', "client_id"),
        ('platform = "thingpark"\nbase_url = "https://h"\nclient_id = "tpx/a"', "subscriber_id"),
        ('platform = "thingpark"\nclient_id = "sub-1/a"', "base_url"),
        ('platform = "mythings"\nbase_url = "https://h"', "client_id"),
        ('platform = "iotda"\nproject_id = "p"\nregion = "cn-north-4"', "access_key"),
        ('platform = "iotda"\nproject_id = "p/q"\nregion = "r"\naccess_key = "A"', "project_id"),
        (
            'platform = "enos"\nbase_url = "https://h"\nproduct_key = "a"\ndevice_key = "b"',
            "base_url",
        ),
        (
            'platform = "enos"\nbase_url = "h:1"\nproduct_key = "a|b"\ndevice_key = "b"',
            "product_key",
        ),
        ('platform = "telit"\nbase_url = "https://h"', "username"),
        ('platform = "telit"\nbase_url = "https://h"\nauth = "app"', "app_id"),
        (
            'platform = "telit"\nbase_url = "https://h"\nusername = "u"\nreadonly = "yes"',
            "readonly",
        ),
    ],
)
def test_invalid_profile_names_the_field(tmp_path: Path, table: str, field: str) -> None:
    path = write(tmp_path, f"[profiles.bad]\n{table}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "'bad'" in message and repr(field) in message
    assert info.value.field == field


def test_simulator_profile_may_have_no_base_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles.sim]\nplatform = "enos"\nsimulator = true\nproduct_key = "a"\ndevice_key = "b"\n',
    )
    profile = load_config(path).profiles["sim"]
    assert isinstance(profile, EnosProfile)
    assert profile.base_url == ""
    with pytest.raises(ValueError, match="no broker address"):
        _ = profile.broker


# --- transport settings --------------------------------------------------------------------


def _thingpark_at(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    return write(
        tmp_path,
        f'[profiles.tp]\nplatform = "thingpark"\nbase_url = "{base_url}"\n'
        f'client_id = "sub-1/c"\n{extra}',
    )


@pytest.mark.parametrize(
    "base_url",
    ["http://community.thingpark.io", "http://10.0.0.7:8080", "http://[2001:db8::1]/", "HTTP://h"],
)
def test_plain_http_to_another_host_is_refused(tmp_path: Path, base_url: str) -> None:
    path = _thingpark_at(tmp_path, base_url)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "in clear" in message and "insecure = true" in message and "'tp'" in message
    assert info.value.field == "base_url"
    iotda = write(
        tmp_path,
        '[profiles.hw]\nplatform = "iotda"\nregion = "cn-north-4"\nproject_id = "p"\n'
        f'access_key = "AK"\nbase_url = "{base_url}"\n',
    )
    with pytest.raises(ConfigError, match="in clear"):
        load_config(iotda)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8480",
        "http://127.8.9.10",
        "http://localhost:8480/",
        "http://LOCALHOST",
        "http://[::1]:8480",
        "https://community.thingpark.io",
    ],
)
def test_plain_http_to_loopback_and_https_anywhere_are_fine(tmp_path: Path, base_url: str) -> None:
    assert load_config(_thingpark_at(tmp_path, base_url)).profiles["tp"].base_url == base_url


def test_insecure_allows_plain_http_to_another_host(tmp_path: Path) -> None:
    path = _thingpark_at(tmp_path, "http://10.0.0.7:8080", "insecure = true\n")
    assert load_config(path).profiles["tp"].insecure


def test_a_ca_bundle_is_a_path_with_the_home_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = _thingpark_at(tmp_path, "https://tp.corp", 'ca_bundle = "~/certs/proxy.pem"\n')
    profile = load_config(path).profiles["tp"]
    assert profile.ca_bundle == "~/certs/proxy.pem"
    assert profile.ca_bundle_path == tmp_path / "certs" / "proxy.pem"
    save_profile(path, profile)  # written back as the user wrote it
    assert 'ca_bundle = "~/certs/proxy.pem"' in path.read_text()
    blank = _thingpark_at(tmp_path, "https://tp.corp", 'ca_bundle = " "\n')
    assert load_config(blank).profiles["tp"].ca_bundle_path is None


def test_profile_name_must_match_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles.a]\nname = "b"\nplatform = "mythings"\nbase_url = "https://h"\nclient_id = "c"\n',
    )
    with pytest.raises(ConfigError, match="'name'"):
        load_config(path)


# --- saving ----------------------------------------------------------------------------------


def test_save_profile_round_trip_private_and_secret_free(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "config.toml"
    profile = IotdaProfile(
        name="prod-hw",
        platform="iotda",
        project_id="0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        region="cn-north-4",
        access_key="AKEXAMPLE",
        instance_id="inst-1",
        # quotes, backslashes, a tab and non-ASCII come back as they went
        secret_command='printf "%s\\n" "$(pass show \'hw\')"\t# é',
        readonly=True,
    )
    save_profile(path, profile)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_config(path).profiles["prod-hw"]
    assert loaded == profile
    text = path.read_text()
    assert "secret_key" not in text and "token" not in text
    assert "name =" not in text
    assert tomllib.loads(text)["profiles"]["prod-hw"]["platform"] == "iotda"


def test_save_profile_default_path_honours_fleet_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "env" / "config.toml"
    monkeypatch.setenv("FLEET_CONFIG", str(path))
    profile = MyThingsProfile(name="m", platform="mythings", base_url="https://h", client_id="c")
    save_profile(config_path(), profile)
    assert load_config().profiles["m"] == profile


def test_save_profile_updates_one_table_and_keeps_the_rest(tmp_path: Path) -> None:
    original = "# my fleet\n" + VALID_TOML.replace(
        "[profiles.mt]", "# Brussels team\n[profiles.mt]"
    )
    path = write(tmp_path, original)
    before = tomllib.loads(original)
    updated = ThingParkProfile(
        name="prod-tp",
        platform="thingpark",
        base_url="https://eu.thingpark.example",
        client_id="sub-123456/console",
        timezone="Europe/Berlin",
    )
    save_profile(path, updated)
    after_text = path.read_text()
    after = tomllib.loads(after_text)
    assert after["profiles"]["prod-tp"] == {
        "platform": "thingpark",
        "base_url": "https://eu.thingpark.example",
        "timezone": "Europe/Berlin",
        "client_id": "sub-123456/console",
        "subscriber_id": "123456",
    }
    for name, table in before["profiles"].items():
        if name != "prod-tp":
            assert after["profiles"][name] == table
    assert after["default_profile"] == "prod-tp"
    assert "# my fleet" in after_text and "# Brussels team" in after_text
    assert load_config(path).profiles["prod-tp"] == updated


def test_save_profile_appends_a_new_table(tmp_path: Path) -> None:
    path = write(tmp_path, VALID_TOML)
    new = EnosProfile(
        name="gw2", platform="enos", base_url="mqtts://broker:8883", product_key="p", device_key="d"
    )
    save_profile(path, new)
    config = load_config(path)
    assert config.profiles["gw2"] == new
    assert config.profiles["prod-tp"].readonly  # untouched


def test_save_profile_rewrites_layouts_it_cannot_splice(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[profiles]\nmt.platform = "mythings"\nmt.base_url = "https://h"\nmt.client_id = "a"\n',
    )
    new = MyThingsProfile(name="mt", platform="mythings", base_url="https://h2", client_id="b")
    save_profile(path, new)
    assert load_config(path).profiles["mt"] == new


def test_save_profile_does_not_persist_the_simulator_url(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    demo = demo_profiles()["demo-enos"].model_copy(update={"base_url": "127.0.0.1:41883"})
    save_profile(path, demo)
    assert "base_url" not in path.read_text()
    assert load_config(path).profiles["demo-enos"].base_url == ""


def test_save_profile_refuses_to_clobber_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path, "not = [valid")
    profile = MyThingsProfile(name="m", platform="mythings", base_url="https://h", client_id="c")
    with pytest.raises(ConfigError, match="invalid TOML"):
        save_profile(path, profile)
    assert path.read_text() == "not = [valid"


def test_save_profile_keeps_a_symlinked_config(tmp_path: Path) -> None:
    target = write(tmp_path, VALID_TOML)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    new = MyThingsProfile(name="m2", platform="mythings", base_url="https://h", client_id="c")
    save_profile(link, new)
    assert link.is_symlink()
    assert load_config(target).profiles["m2"] == new


def test_demo_secrets_are_the_simulators() -> None:
    from tui.config import demo_profiles, demo_secrets
    from tui.sim import credentials

    profile = demo_profiles()["demo-thingpark"]
    assert profile.client_id == credentials.THINGPARK_CLIENT_ID  # type: ignore[attr-defined]
    assert demo_secrets(profile)["client_secret"] == credentials.THINGPARK_CLIENT_SECRET


def test_plain_mqtt_to_another_host_is_refused_unless_insecure(tmp_path: Path) -> None:
    def enos(base_url: str, extra: str = "") -> str:
        return (
            f'[profiles.gw]\nplatform = "enos"\nbase_url = "{base_url}"\n'
            f'product_key = "pk"\ndevice_key = "dk"\n{extra}'
        )

    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, enos("broker.example.com:1883")))
    assert "deviceSecret in clear to broker.example.com" in str(info.value)
    assert load_config(write(tmp_path, enos("127.0.0.1:1883"))).profiles["gw"]
    assert load_config(write(tmp_path, enos("mqtts://broker.example.com:8883"))).profiles["gw"]
    insecure = load_config(write(tmp_path, enos("broker.example.com:1883", "insecure = true")))
    assert insecure.profiles["gw"].insecure
