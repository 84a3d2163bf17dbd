"""Themes as files (shipped, the user's, broken ones), the config's keymap and profile themes,
and every binding of fleet having an id."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.theme import BUILTIN_THEMES

from tui.config import ConfigError, load_config
from tui.config_file import save_profile
from tui.keymap import binding_ids, declared_bindings, fleet_classes
from tui.themes import (
    COLOUR_FIELDS,
    DEFAULT_THEME,
    SHIPPED_THEMES,
    ThemeFile,
    choose_theme,
    load_themes,
    theme_folders,
    user_themes_dir,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_NAMES = {
    "fleet-dark",
    "fleet-light",
    "fleet-high-contrast",
    "fleet-ansi",
    "fleet-production",
}


# ---------------------------------------------------------------- shipped themes


def test_shipped_themes_load_without_problems() -> None:
    loaded = load_themes([SHIPPED_THEMES])
    assert loaded.problems == []
    assert {theme.name for theme in loaded.themes} == SHIPPED_NAMES
    assert DEFAULT_THEME == "fleet-dark"


def test_top_level_themes_folder_is_the_shipped_one() -> None:
    top = ROOT / "themes"
    assert sorted(p.name for p in top.glob("*.toml")) == sorted(
        p.name for p in SHIPPED_THEMES.glob("*.toml")
    )
    for path in top.glob("*.toml"):
        assert path.read_bytes() == (SHIPPED_THEMES / path.name).read_bytes()


def test_fleet_dark_has_textuals_dark_palette() -> None:
    """The default keeps Textual's tuned dark colours, under fleet's name."""
    themes = {t.name: t for t in load_themes([SHIPPED_THEMES]).themes}
    ours, textuals = themes["fleet-dark"], BUILTIN_THEMES["textual-dark"]
    for field in COLOUR_FIELDS:
        assert getattr(ours, field) == getattr(textuals, field), field
    assert ours.dark


def test_fleet_ansi_uses_only_the_16_terminal_colours() -> None:
    theme = {t.name: t for t in load_themes([SHIPPED_THEMES]).themes}["fleet-ansi"]
    assert theme.ansi  # drawn natively, as the terminal sets them
    colours = [getattr(theme, f) for f in COLOUR_FIELDS if getattr(theme, f)]
    colours += [v for k, v in theme.variables.items() if not k.endswith("-style")]
    assert colours and all(c.startswith("ansi_") for c in colours), colours


def test_production_theme_is_red() -> None:
    theme = {t.name: t for t in load_themes([SHIPPED_THEMES]).themes}["fleet-production"]
    for colour in (theme.primary, theme.accent):
        assert colour is not None
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert red > 2 * max(green, blue), colour


def test_the_installed_package_carries_the_themes(tmp_path: Path) -> None:
    """A wheel built from the project holds every theme file (`pip install .` installs it).
    Built from a copy, so that setuptools' build/ stays out of the work tree."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "tui", source / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist")]
    subprocess.run([*pip, str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in SHIPPED_THEMES.glob("*.toml"):
        assert f"tui/theme_files/{path.name}" in names


# ---------------------------------------------------------------- user themes, broken files


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_user_theme_is_loaded_and_named_after_its_file(tmp_path: Path) -> None:
    _write(tmp_path, "ocean.toml", 'primary = "#005f87"\ndark = false\n')
    loaded = load_themes([tmp_path])
    assert loaded.problems == []
    (theme,) = loaded.themes
    assert (theme.name, theme.primary, theme.dark) == ("ocean", "#005f87", False)


def test_user_theme_of_a_shipped_name_comes_last(tmp_path: Path) -> None:
    """Themes register in order, so the user's fleet-dark replaces fleet's."""
    _write(tmp_path, "mine.toml", 'name = "fleet-dark"\nprimary = "ansi_green"\n')
    loaded = load_themes([SHIPPED_THEMES, tmp_path])
    last = [t for t in loaded.themes if t.name == "fleet-dark"][-1]
    assert last.primary == "ansi_green"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('primary = "#005f87"\nprimary_colour = "red"\n', "unknown field 'primary_colour'"),
        ('primary = "not-a-colour"\n', "field 'primary': 'not-a-colour' is not a colour"),
        ('primary = "#005f87"\nsurface = "#12345"\n', "field 'surface'"),
        ("primary = \n", "invalid TOML"),
        ("dark = true\n", "field 'primary' is required"),
        ('primary = "red"\ndark = "yes"\n', "field 'dark'"),
        ('primary = "red"\nname = "a b"\n', "field 'name'"),
        ('primary = "red"\n[variables]\nborder = "nope"\n', "border: 'nope' is not a colour"),
        ('primary = "red"\n[variables]\nblock-cursor-text-style = "loud"\n', "not a text style"),
        ('primary = "red"\n[variables]\nBad_Name = "red"\n', "not a variable name"),
        (b'primary = "\xff"\n', "not UTF-8"),
    ],
)
def test_broken_file_is_reported_and_skipped(
    tmp_path: Path, text: str | bytes, reason: str
) -> None:
    _write(tmp_path, "good.toml", 'primary = "red"\n')
    bad = _write(tmp_path, "bad.toml", text)
    loaded = load_themes([tmp_path])
    assert [t.name for t in loaded.themes] == ["good"]
    (problem,) = loaded.problems
    assert problem.startswith(f"{bad}: ") and reason in problem, problem


def test_missing_user_folder_is_no_problem(tmp_path: Path) -> None:
    loaded = load_themes([tmp_path / "nowhere"])
    assert (loaded.themes, loaded.problems) == ([], [])


def test_user_themes_live_beside_the_config(tmp_path: Path) -> None:
    config = tmp_path / "fleet" / "config.toml"
    assert user_themes_dir(config) == tmp_path / "fleet" / "themes"
    assert theme_folders(config) == [SHIPPED_THEMES, tmp_path / "fleet" / "themes"]


def test_variables_accept_alpha_and_styles() -> None:
    theme = ThemeFile.model_validate(
        {
            "primary": "ansi_blue",
            "variables": {"text-muted": "ansi_default 50%", "block-cursor-text-style": "bold"},
        }
    ).to_theme("x")
    assert theme.variables["text-muted"] == "ansi_default 50%"


# ---------------------------------------------------------------- choosing the theme


KNOWN = {"fleet-dark": 1, "fleet-production": 1, "fleet-light": 1, "textual-dark": 1}


def test_profile_theme_wins_then_config_then_default() -> None:
    assert choose_theme("prod", "fleet-production", "fleet-light", KNOWN) == (
        "fleet-production",
        [],
    )
    assert choose_theme("lab", None, "fleet-light", KNOWN) == ("fleet-light", [])
    assert choose_theme("lab", None, None, KNOWN) == ("fleet-dark", [])


def test_unknown_theme_names_warn_and_fall_back() -> None:
    name, warnings = choose_theme("prod", "fleet-prodution", "fleet-light", KNOWN)
    assert name == "fleet-light"
    assert warnings == [
        "unknown theme 'fleet-prodution' in profile 'prod' (fleet's themes: fleet-dark, "
        "fleet-light, fleet-production)"
    ]
    name, warnings = choose_theme(None, None, "nope", KNOWN)
    assert name == "fleet-dark" and "the config's theme setting" in warnings[0]


def test_a_broken_fleet_dark_falls_back_to_textuals() -> None:
    assert choose_theme(None, None, None, {"textual-dark": 1}) == ("textual-dark", [])


# ---------------------------------------------------------------- config: profile theme, keymap


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


PROD = """
[profiles.prod]
platform = "thingpark"
base_url = "https://community.thingpark.io"
client_id = "sub-123456/console"
theme = "fleet-production"
"""


def test_profile_names_its_theme_and_keeps_it_when_saved(tmp_path: Path) -> None:
    path = _config(tmp_path, PROD)
    config = load_config(path)
    assert config.profiles["prod"].theme == "fleet-production"
    assert config.profiles["demo-thingpark"].theme is None
    save_profile(path, config.profiles["prod"])
    assert load_config(path).profiles["prod"].theme == "fleet-production"


def test_profile_theme_must_be_a_name(tmp_path: Path) -> None:
    path = _config(tmp_path, PROD.replace('"fleet-production"', '"fleet production!"'))
    with pytest.raises(ConfigError, match="profile 'prod', field 'theme': a theme name") as exc:
        load_config(path)
    assert exc.value.field == "theme"


def test_keymap_is_read_and_normalised(tmp_path: Path) -> None:
    path = _config(
        tmp_path, '[keymap]\n"list.reload" = "ctrl+r, f5"\n"app.help" = "?"\n"list.sort" = "o"\n'
    )
    assert load_config(path).keymap == {
        "list.reload": "ctrl+r,f5",
        "app.help": "question_mark",
        "list.sort": "o",
    }
    assert load_config(tmp_path / "absent.toml").keymap == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"list.reload" = "ctrl+"', "keymap 'list.reload': 'ctrl+': no key after the modifier"),
        ('"list.reload" = "crtl+r"', "unknown modifier 'crtl'"),
        ('"list.reload" = "reload"', "unknown key 'reload'"),
        ('"list.reload" = "r,,s"', "a key is empty"),
        ('"list.reload" = 5', "keys are a string"),
        ('"reload" = "r"', "keymap 'reload': not a binding id"),
    ],
)
def test_bad_keymap_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    path = _config(tmp_path, f"[keymap]\n{text}\n")
    with pytest.raises(ConfigError, match=re.escape(message)) as exc:
        load_config(path)
    assert str(exc.value).startswith(str(path))


def test_keymap_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'keymap' must be a table"):
        load_config(_config(tmp_path, 'keymap = "ctrl+r"\n'))


# ---------------------------------------------------------------- binding ids


def test_every_binding_of_fleet_has_an_id() -> None:
    """Every entry of BINDINGS in every app, screen and widget class of tui/ is a Binding with
    an id (what [keymap] remaps), unique within its class."""
    classes = {cls.__name__ for cls in fleet_classes()}
    assert {"FleetApp", "DevicesScreen", "HelpScreen", "VirtualTable"} <= classes
    missing: list[str] = []
    ids_of: dict[type, list[str]] = {}
    for cls, binding in declared_bindings():
        if not isinstance(binding, Binding) or not binding.id:
            missing.append(f"{cls.__module__}.{cls.__qualname__}: {binding!r}")
        else:
            ids_of.setdefault(cls, []).append(binding.id)
    assert not missing, "\n".join(missing)
    for cls, ids in ids_of.items():
        assert len(ids) == len(set(ids)), f"{cls.__qualname__} repeats an id"
    assert {"app.quit", "app.help", "list.reload", "help.close"} <= binding_ids()
