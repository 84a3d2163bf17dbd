"""Themes as files: each `*.toml` in fleet's shipped themes and in the user's themes folder
becomes a Textual theme; a broken file is reported (file and reason) and skipped.

A theme file holds the fields of `textual.theme.Theme`:

    name = "fleet-production"      # the file's name (without .toml) when absent
    primary = "#0178D4"
    accent = "#e5484d"
    dark = true
    [variables]
    footer-key-foreground = "#e5484d"

Colours are what Textual's CSS accepts: `#rrggbb`, `rgb(…)`, a named colour, or one of the 16
terminal colours (`ansi_red`, `ansi_bright_blue`, …, and `ansi_default`, the terminal's own
foreground or background). A theme with `ansi = true` draws those natively, as the terminal
configures them: the right choice where there is no true colour (many SSH and tmux set-ups).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme

__all__ = [
    "DEFAULT_THEME",
    "SHIPPED_THEMES",
    "LoadedThemes",
    "ThemeFile",
    "choose_theme",
    "load_themes",
    "theme_folders",
    "user_themes_dir",
]

#: the theme when neither the config nor the open profile names one
DEFAULT_THEME = "fleet-dark"
#: the themes shipped inside the package (the repository's top-level `themes/` links to it)
SHIPPED_THEMES = Path(__file__).parent / "theme_files"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: a theme file's colour fields (Textual's Theme's), each checked to be a colour
COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_VARIABLE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A colour variable may carry an alpha, as Textual's own do ("ansi_default 50%").
_ALPHA = re.compile(r"\s+\d{1,3}%$")
_STYLE_WORDS = frozenset(
    {"none", "not", "bold", "dim", "italic", "underline", "reverse", "strike", "blink"}
)


def _check_colour(value: str) -> str:
    try:
        Color.parse(_ALPHA.sub("", value))
    except ColorParseError:
        raise ValueError(
            f"{value!r} is not a colour (use #rrggbb, rgb(r, g, b), a colour name or ansi_red, "
            "ansi_bright_blue, …)"
        ) from None
    return value


class ThemeFile(BaseModel):
    """One theme file as written; `to_theme` makes it a Textual theme."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)

    name: str | None = Field(default=None, description="Theme name; the file's stem when absent")
    primary: str
    secondary: str | None = None
    accent: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    dark: bool = True
    ansi: bool = Field(default=False, description="Draw ansi_* colours as the terminal sets them")
    variables: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("a theme name uses letters, digits, '-' and '_' (at most 64)")
        return value

    @field_validator(*COLOUR_FIELDS)
    @classmethod
    def _is_colour(cls, value: str | None) -> str | None:
        return None if value is None else _check_colour(value)

    @field_validator("variables")
    @classmethod
    def _variables_are_css(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not _VARIABLE.match(key):
                raise ValueError(f"{key!r} is not a variable name (lowercase words joined by '-')")
            if key.endswith("-style"):
                if not set(text.split()) <= _STYLE_WORDS:
                    raise ValueError(f"{key}: {text!r} is not a text style (bold, reverse, none…)")
            else:
                try:
                    _check_colour(text)
                except ValueError as exc:
                    raise ValueError(f"{key}: {exc}") from None
        return value

    def to_theme(self, default_name: str) -> Theme:
        fields = self.model_dump(exclude={"name"}, exclude_none=True)
        return Theme(name=self.name or default_name, **fields)


@dataclass(frozen=True)
class LoadedThemes:
    """The themes that loaded, in order (a later one replaces an earlier one of the same name),
    and one message per file that did not: "<file>: <reason>"."""

    themes: list[Theme]
    problems: list[str]


def _reason(exc: ValidationError) -> str:
    """Readable reasons of a theme file's validation error, without echoing whole values."""
    reasons: list[str] = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(ThemeFile.model_fields)
            reasons.append(f"unknown field {where!r} (allowed: {allowed})")
        elif error["type"] == "missing":
            reasons.append(f"field {where!r} is required")
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
            reasons.append(f"field {where!r}: {text}")
    return "; ".join(reasons)


def load_theme_file(path: Path) -> Theme:
    """The theme in one file; ValueError saying why it cannot be one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from None
    try:
        return ThemeFile.model_validate(data).to_theme(path.stem)
    except ValidationError as exc:
        raise ValueError(_reason(exc)) from None


def load_themes(folders: Iterable[Path]) -> LoadedThemes:
    """Every `*.toml` of each folder (a missing folder has none), in name order."""
    themes: list[Theme] = []
    problems: list[str] = []
    for folder in folders:
        try:
            paths = sorted(folder.glob("*.toml"))
        except OSError as exc:
            problems.append(f"{folder}: cannot read: {exc.strerror or exc}")
            continue
        for path in paths:
            try:
                themes.append(load_theme_file(path))
            except ValueError as exc:
                problems.append(f"{path}: {exc}")
    return LoadedThemes(themes, problems)


def user_themes_dir(config_path: Path) -> Path:
    """The user's themes: `themes/` beside the config file (`~/.config/fleet/themes` on Linux)."""
    return config_path.parent / "themes"


def theme_folders(config_path: Path) -> list[Path]:
    """Where themes come from: fleet's own first, then the user's (which may replace them)."""
    return [SHIPPED_THEMES, user_themes_dir(config_path)]


def choose_theme(
    profile: str | None,
    profile_theme: str | None,
    config_theme: str | None,
    known: Mapping[str, object],
) -> tuple[str, list[str]]:
    """The theme to show while `profile` is open: its own, else the config's, else fleet-dark;
    a name that is no theme is passed over, with a warning naming where it was set."""
    warnings: list[str] = []
    candidates = [
        (profile_theme, f"profile {profile!r}"),
        (config_theme, "the config's theme setting"),
    ]
    for name, where in candidates:
        if not name:
            continue
        if name in known:
            return name, warnings
        names = ", ".join(sorted(n for n in known if n.startswith("fleet-")))
        warnings.append(f"unknown theme {name!r} in {where} (fleet's themes: {names})")
    # fleet-dark itself is a file: a broken copy must not leave the console without a theme.
    return (DEFAULT_THEME if DEFAULT_THEME in known else "textual-dark"), warnings
