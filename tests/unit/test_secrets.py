"""Secret resolution: keyring (raising, missing, hanging), env, secret_command, and masked messages."""

from __future__ import annotations

import os
import time

import keyring
import keyring.errors
import pytest

from tui.config import IotdaProfile, MyThingsProfile, ThingParkProfile, demo_profiles
from tui.secrets import (
    SecretError,
    SecretNotFound,
    SecretResolver,
    env_var_name,
    keyring_username,
    mask,
)

SECRET = "s3cr3t-value-never-printed"


class FakeKeyring:
    """An in-memory keyring standing in for the OS one in every test."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append((service, username))
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password


@pytest.fixture(autouse=True)
def fake_keyring(monkeypatch: pytest.MonkeyPatch) -> FakeKeyring:
    fake = FakeKeyring()
    monkeypatch.setattr(keyring, "get_password", fake.get_password)
    monkeypatch.setattr(keyring, "set_password", fake.set_password)
    for var in [v for v in os.environ if v.startswith("FLEET_")]:
        monkeypatch.delenv(var)
    return fake


def make_profile(name: str = "prod-tp", command: str | None = None) -> ThingParkProfile:
    return ThingParkProfile(
        name=name,
        platform="thingpark",
        base_url="https://tp.example",
        client_id="sub-1/console",
        secret_command=command,
    )


def hang(*args: object) -> None:
    time.sleep(30)


def raise_no_backend(*args: object) -> None:
    raise keyring.errors.NoKeyringError("No recommended backend was available.")


def raise_locked(*args: object) -> None:
    raise keyring.errors.KeyringLocked("locked")


# --- names ----------------------------------------------------------------------------------


def test_names() -> None:
    assert env_var_name("prod-tp", "client_secret") == "FLEET_PROD_TP_CLIENT_SECRET"
    assert env_var_name("eu.west 2", "token") == "FLEET_EU_WEST_2_TOKEN"
    assert keyring_username("prod-tp", "client_secret") == "prod-tp:client_secret"


# --- each source ----------------------------------------------------------------------------


def test_keyring_first(fake_keyring: FakeKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_keyring.store[("fleet", "prod-tp:client_secret")] = "from-keyring"
    monkeypatch.setenv("FLEET_PROD_TP_CLIENT_SECRET", "from-env")
    profile = make_profile(command="echo from-command")
    assert SecretResolver().get_secret(profile, "client_secret") == "from-keyring"
    assert fake_keyring.calls == [("fleet", "prod-tp:client_secret")]


def test_env_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEET_PROD_TP_CLIENT_SECRET", "from-env")
    profile = make_profile(command="echo from-command")
    assert SecretResolver().get_secret(profile, "client_secret") == "from-env"


def test_environ_can_be_injected() -> None:
    resolver = SecretResolver(environ={"FLEET_PROD_TP_CLIENT_SECRET": "injected"})
    assert resolver.get_secret(make_profile()) == "injected"  # field defaults to the main secret


def test_command_third_and_stripped() -> None:
    profile = make_profile(command="printf '  from-command\\n\\n'")
    assert SecretResolver().get_secret(profile, "client_secret") == "from-command"


def test_command_sees_profile_and_field() -> None:
    profile = make_profile(command='echo "$FLEET_PROFILE/$FLEET_SECRET_FIELD"')
    assert SecretResolver().get_secret(profile) == "prod-tp/client_secret"


def test_empty_env_falls_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEET_PROD_TP_CLIENT_SECRET", "")
    assert SecretResolver().get_secret(make_profile(command="echo c"), "client_secret") == "c"


def test_simulator_profiles_get_demo_secrets_without_asking(fake_keyring: FakeKeyring) -> None:
    resolver = SecretResolver()
    demos = demo_profiles()
    assert resolver.get_secret(demos["demo-thingpark"]) == "thingpark-demo-secret"
    assert resolver.get_secret(demos["demo-iotda"], "secret_key") == "iotda-demo-secret-key"
    assert resolver.get_secret(demos["demo-mythings"]) == "mythings-demo-secret"
    assert resolver.get_secret(demos["demo-enos"]) == "enos-demo-gateway-secret"
    assert resolver.get_secret(demos["demo-telit"]) == "telit-demo-password"
    assert fake_keyring.calls == []


def test_real_profile_never_gets_a_demo_secret() -> None:
    profile = make_profile()
    with pytest.raises(SecretNotFound):
        SecretResolver().get_secret(profile)


def test_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a secret"):
        SecretResolver().get_secret(make_profile(), "client_id")


def test_auth_mode_picks_the_main_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = IotdaProfile(
        name="hw", platform="iotda", project_id="p", region="cn-north-4", auth="token"
    )
    monkeypatch.setenv("FLEET_HW_TOKEN", "iam-token")
    assert SecretResolver().get_secret(profile) == "iam-token"


# --- the keyring misbehaving ----------------------------------------------------------------


def test_keyring_raising_falls_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_password", raise_locked)
    monkeypatch.setenv("FLEET_PROD_TP_CLIENT_SECRET", "from-env")
    assert SecretResolver().get_secret(make_profile()) == "from-env"


def test_keyring_without_backend_falls_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_password", raise_no_backend)
    resolver = SecretResolver()
    assert resolver.get_secret(make_profile(command="echo c")) == "c"
    with pytest.raises(SecretNotFound) as info:
        resolver.get_secret(make_profile("other"))
    assert "keyring: skipped (no backend earlier)" in str(info.value)


def test_keyring_hanging_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_password", hang)
    monkeypatch.setenv("FLEET_PROD_TP_CLIENT_SECRET", "from-env")
    resolver = SecretResolver(keyring_timeout=0.2)
    started = time.monotonic()
    assert resolver.get_secret(make_profile()) == "from-env"
    assert time.monotonic() - started < 5
    # A hung keyring is not asked again: the next secret costs no timeout.
    started = time.monotonic()
    with pytest.raises(SecretNotFound) as info:
        resolver.get_secret(make_profile("other"))
    assert time.monotonic() - started < 0.2 + 1
    assert "keyring: skipped (timed out after 0.2 s earlier)" in str(info.value)


def test_keyring_timeout_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_password", hang)
    with pytest.raises(SecretNotFound) as info:
        SecretResolver(keyring_timeout=0.2).get_secret(make_profile())
    assert "keyring: timed out after 0.2 s" in str(info.value)


def test_default_keyring_timeout_is_three_seconds() -> None:
    assert SecretResolver().keyring_timeout == 3.0
    assert SecretResolver().command_timeout == 10.0


# --- secret_command failing -----------------------------------------------------------------


def test_command_failure_notes_exit_code_not_output() -> None:
    profile = make_profile(command=f"echo {SECRET}; echo {SECRET} >&2; exit 3")
    with pytest.raises(SecretNotFound) as info:
        SecretResolver().get_secret(profile)
    assert "secret_command: exit 3" in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_command_empty_output_falls_through() -> None:
    with pytest.raises(SecretNotFound, match="secret_command: empty output"):
        SecretResolver().get_secret(make_profile(command="true"))


def test_command_timeout_kills_the_whole_pipeline() -> None:
    resolver = SecretResolver(command_timeout=0.3)
    started = time.monotonic()
    # The sleep runs in a grandchild that holds stdout: killing only the shell would block.
    with pytest.raises(SecretNotFound, match=r"secret_command: timed out after 0.3 s"):
        resolver.get_secret(make_profile(command="sleep 30 | cat; echo late"))
    assert time.monotonic() - started < 5


# --- the final message ----------------------------------------------------------------------


def test_not_found_lists_every_source_and_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_password", raise_no_backend)
    with pytest.raises(SecretNotFound) as info:
        SecretResolver().get_secret(make_profile(command="exit 1"), "client_secret")
    error = info.value
    assert isinstance(error, SecretError)
    message = str(error)
    assert "keyring: no backend" in message
    assert "env FLEET_PROD_TP_CLIENT_SECRET: not set" in message
    assert "secret_command: exit 1" in message
    assert "keyring set fleet prod-tp:client_secret" in message
    assert [source for source, _ in error.attempts] == [
        "keyring",
        "env FLEET_PROD_TP_CLIENT_SECRET",
        "secret_command",
    ]
    assert (error.profile, error.field) == ("prod-tp", "client_secret")


def test_not_found_without_command_says_not_configured() -> None:
    with pytest.raises(SecretNotFound) as info:
        SecretResolver().get_secret(make_profile())
    assert "keyring: not set" in str(info.value)
    assert "secret_command: not configured" in str(info.value)


def test_no_secret_in_resolver_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEET_PROD_TP_CLIENT_SECRET", SECRET)
    resolver = SecretResolver()
    resolver.get_secret(make_profile())
    assert SECRET not in repr(resolver)


# --- storing --------------------------------------------------------------------------------


def test_store_secret_round_trip(fake_keyring: FakeKeyring) -> None:
    profile = MyThingsProfile(name="mt", platform="mythings", base_url="https://h", client_id="c")
    resolver = SecretResolver()
    assert resolver.store_secret(profile, "client_secret", SECRET)
    assert fake_keyring.store[("fleet", "mt:client_secret")] == SECRET
    assert resolver.get_secret(profile) == SECRET


def test_store_secret_reports_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = make_profile()
    monkeypatch.setattr(keyring, "set_password", raise_no_backend)
    assert SecretResolver().store_secret(profile, "client_secret", SECRET) is False
    monkeypatch.setattr(keyring, "set_password", raise_locked)
    assert SecretResolver().store_secret(profile, "client_secret", SECRET) is False
    monkeypatch.setattr(keyring, "set_password", hang)
    started = time.monotonic()
    assert (
        SecretResolver(keyring_timeout=0.2).store_secret(profile, "client_secret", SECRET) is False
    )
    assert time.monotonic() - started < 5


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", ""),
        ("a", "••••••••"),
        ("fifteen-chars15", "••••••••"),
        ("sixteen-chars-16", "••••••••16"),
        ("x" * 200 + "yz", "••••••••yz"),
    ],
)
def test_mask(value: str, masked: str) -> None:
    assert mask(value) == masked
