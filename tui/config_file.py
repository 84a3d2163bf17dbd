"""Rewrites the config file when a profile is added, edited or deleted, keeping the user's
comments, blank lines and ordering (tomlkit), and never writing a secret into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from tui.config import SECRET_FIELD_NAMES, ConfigError, ProfileBase, _read_toml, _write_private

__all__ = ["delete_profile", "profile_table", "save_profile"]


def profile_table(profile: ProfileBase) -> dict[str, Any]:
    """The profile as its [profiles.<name>] table holds it: no name, no defaults, no secret."""
    table = profile.model_dump(
        mode="json", exclude={"name"}, exclude_defaults=True, exclude_none=True
    )
    if profile.simulator:
        # The simulator's URL changes with every start; persisting it would pin a dead port.
        table.pop("base_url", None)
    leaked = SECRET_FIELD_NAMES & set(table)
    if leaked:  # a model that grew a secret field: refuse rather than write it
        raise ConfigError(f"profile {profile.name!r}: refusing to write {sorted(leaked)[0]!r}")
    return {"platform": profile.platform, **table}


def _load(path: Path) -> tomlkit.TOMLDocument:
    # The reader fleet loads with decides what is valid, and says where it is not.
    try:
        if _read_toml(path) is None:
            return tomlkit.document()
    except ConfigError as exc:
        raise ConfigError(f"{exc}; not rewritten", path=path) from None
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, TOMLKitError) as exc:
        raise ConfigError(f"{path}: cannot rewrite: {exc}", path=path) from None


def _profiles(document: tomlkit.TOMLDocument, path: Path) -> Any:
    profiles = document.get("profiles")
    if profiles is None:
        profiles = tomlkit.table(is_super_table=True)
        document["profiles"] = profiles
    elif not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' must be tables [profiles.<name>]", path=path)
    return profiles


def save_profile(path: Path, profile: ProfileBase) -> None:
    """Add the profile's table, or update it in place: keys it keeps keep their place and their
    comments, keys it no longer has go, new ones are appended; the rest of the file is untouched."""
    document = _load(path)
    profiles = _profiles(document, path)
    wanted = profile_table(profile)
    table = profiles.get(profile.name)
    if not isinstance(table, dict):
        new = tomlkit.table()
        for key, value in wanted.items():
            new[key] = value
        profiles[profile.name] = new
    else:
        for key in [k for k in table if k not in wanted]:
            del table[key]
        for key, value in wanted.items():
            if table.get(key) != value:
                table[key] = value
    _write_private(path, tomlkit.dumps(document))


def delete_profile(path: Path, name: str) -> bool:
    """Remove the profile's table (its comments inside go with it); False when there is none."""
    document = _load(path)
    profiles = document.get("profiles")
    if not isinstance(profiles, dict) or name not in profiles:
        return False
    del profiles[name]
    if not profiles:
        del document["profiles"]
    _write_private(path, tomlkit.dumps(document))
    return True
