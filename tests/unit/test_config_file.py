"""tui.config_file: profiles added, edited and deleted in a file full of comments."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from tui.config import ConfigError, TelitProfile, ThingParkProfile, load_config
from tui.config_file import delete_profile, save_profile

COMMENTED = """\
# fleet's config: my notes stay
default_profile = "prod"   # the one I open every morning

[keymap]
# remapped for my muscle memory
"list.reload" = "ctrl+r"

[profiles.prod]  # production, careful
platform = "thingpark"
# the subscriber's OAuth client
client_id = "sub-100/prod"
base_url = "https://tp.example.com"   # EU cluster
readonly = true

# staging follows
[profiles.staging]
platform = "telit"
username = "me@example.com"
base_url = "https://telit.example.com"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def _comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


def test_adding_a_profile_keeps_every_comment_and_the_order(config: Path) -> None:
    new = ThingParkProfile(
        name="lab", platform="thingpark", client_id="sub-7/lab", base_url="https://lab.example"
    )
    save_profile(config, new)
    text = config.read_text()
    assert text.startswith(COMMENTED)  # nothing before it moved
    assert _comments(text) == _comments(COMMENTED)
    loaded = load_config(config)
    assert loaded.profiles["lab"] == new
    assert list(tomllib.loads(text)["profiles"]) == ["prod", "staging", "lab"]
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_editing_a_profile_updates_it_in_place(config: Path) -> None:
    prod = load_config(config).profiles["prod"]
    edited = prod.model_copy(update={"base_url": "https://tp2.example.com", "readonly": False})
    save_profile(config, edited)
    text = config.read_text()
    assert _comments(text) == _comments(COMMENTED)
    assert 'base_url = "https://tp2.example.com"   # EU cluster' in text
    assert "readonly" not in text  # back to its default: left out
    assert text.index("[profiles.prod]") < text.index("[profiles.staging]")
    assert load_config(config).profiles["prod"] == edited


def test_deleting_a_profile_keeps_the_others_and_their_comments(config: Path) -> None:
    assert delete_profile(config, "staging")
    text = config.read_text()
    assert "staging" not in tomllib.loads(text)["profiles"]
    assert "# the subscriber's OAuth client" in text
    assert "# remapped for my muscle memory" in text
    assert not delete_profile(config, "staging")


def test_a_new_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_profile(
        path,
        TelitProfile(name="t", platform="telit", username="u", base_url="https://telit.example"),
    )
    assert tomllib.loads(path.read_text())["profiles"]["t"]["username"] == "u"


def test_a_broken_file_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.x\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        save_profile(
            path,
            TelitProfile(
                name="t", platform="telit", username="u", base_url="https://telit.example"
            ),
        )
    assert path.read_text() == "[profiles.x\n"


def test_no_secret_is_ever_written(config: Path) -> None:
    save_profile(
        config,
        ThingParkProfile(
            name="lab", platform="thingpark", client_id="sub-7/lab", base_url="https://x.example"
        ),
    )
    assert "secret" not in config.read_text().replace("secret_command", "")
