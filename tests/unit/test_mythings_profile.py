"""The MyThings profile (client credentials or a permanent token, its company) and opening it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tui.api.platforms.mythings import MyThings
from tui.config import MyThingsProfile, demo_profiles, demo_secrets
from tui.secrets import SecretResolver
from tui.session import EmbeddedSimulator, open_platform


class Started(EmbeddedSimulator):
    """A simulator that is never started: its URL is made up."""

    def ensure(self) -> str:
        return "http://127.0.0.1:9"


def profile(**fields: Any) -> MyThingsProfile:
    return MyThingsProfile(name="mt", platform="mythings", base_url="https://api.enco.io", **fields)


def test_client_credentials_need_a_client_id_and_a_token_does_not() -> None:
    assert profile(client_id="app").secret_fields == ("client_secret",)
    assert profile(auth="token").secret_fields == ("token",)
    with pytest.raises(ValidationError, match="client_id is required"):
        profile()
    with pytest.raises(ValidationError, match="client_id must not be empty"):
        profile(client_id="", auth="token")


def test_company_id_is_a_number() -> None:
    assert profile(client_id="a", company_id=987).company_id == 987
    assert profile(client_id="a").company_id is None
    with pytest.raises(ValidationError):
        profile(client_id="a", company_id=-1)
    with pytest.raises(ValidationError):
        profile(client_id="a", company_id="987")  # strict: TOML has real numbers


def test_the_demo_profile_and_its_secrets() -> None:
    demo = demo_profiles()["demo-mythings"]
    assert isinstance(demo, MyThingsProfile)
    assert (demo.client_id, demo.company_id, demo.auth) == ("fleet-demo", 987, "client_credentials")
    assert demo_secrets(demo)["client_secret"] == "mythings-demo-secret"
    assert demo.effective_rate_limit == MyThingsProfile.DEFAULT_RATE_LIMIT


async def test_open_platform_builds_the_adapter_for_each_auth_mode() -> None:
    demo = demo_profiles()["demo-mythings"]
    opened, platform = open_platform(demo, SecretResolver(), Started())
    assert isinstance(platform, MyThings)
    assert opened.base_url == "http://127.0.0.1:9"
    assert platform.company_id == 987 and platform.client_id == "fleet-demo"
    assert "mythings-demo-secret" not in repr(platform)
    await platform.aclose()
    token = demo.model_copy(update={"auth": "token"})
    _, permanent = open_platform(token, SecretResolver(), Started())
    assert isinstance(permanent, MyThings) and permanent.scrub(
        "Bearer 5e3f7a1c-2b8d-4c6e-9f0a-1d2c3b4a5e6f"
    ) == ("Bearer ***")
    await permanent.aclose()
