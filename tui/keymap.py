"""fleet's key bindings by id: every binding a screen or widget of fleet declares, which a
`[keymap]` table in the config may remap (`"list.reload" = "ctrl+r"`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

__all__ = ["binding_ids", "declared_bindings", "fleet_classes"]

#: the packages whose modules declare fleet's screens and widgets
_PACKAGES = ("tui.screens", "tui.widgets")


def _import_all() -> None:
    importlib.import_module("tui.app")
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__, f"{package_name}."):
            importlib.import_module(info.name)


def fleet_classes() -> list[type[DOMNode]]:
    """Every app, screen and widget class of fleet (after importing all their modules)."""
    _import_all()
    found: list[type[DOMNode]] = []
    todo: list[type[DOMNode]] = [DOMNode]
    seen: set[type[DOMNode]] = set()
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                if sub.__module__.startswith("tui."):
                    found.append(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def declared_bindings() -> Iterator[tuple[type[DOMNode], BindingType]]:
    """(class, entry) for each entry of BINDINGS that a class of fleet declares itself, not
    the ones it inherits from Textual."""
    for cls in fleet_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            yield cls, binding


def binding_ids() -> set[str]:
    """The id of every binding fleet declares: what a [keymap] table can remap."""
    return {
        binding.id
        for _, binding in declared_bindings()
        if isinstance(binding, Binding) and binding.id
    }


def clashes(keymap: dict[str, str]) -> list[str]:
    """Keys that a [keymap] entry gives a binding while another binding of the same screen or
    widget (or of the app, which every screen shares) already has them: one of the two then
    never runs. Said as `"ctrl+r": list.reload and list.refresh`, one line per clash."""
    by_class: dict[type[DOMNode], list[Binding]] = {}
    app_bindings: list[Binding] = []
    for cls, binding in declared_bindings():
        if isinstance(binding, Binding) and binding.id:
            by_class.setdefault(cls, []).append(binding)
            if cls.__module__ == "tui.app":
                app_bindings.append(binding)

    def keys(binding: Binding) -> set[str]:
        spec = keymap.get(binding.id or "", binding.key)
        return {key.strip() for key in spec.split(",") if key.strip()}

    found: set[str] = set()
    for bindings in by_class.values():
        scope = list(dict.fromkeys([*bindings, *app_bindings]))
        for index, one in enumerate(scope):
            for other in scope[index + 1 :]:
                if one.id == other.id or not ({one.id, other.id} & set(keymap)):
                    continue  # only what the keymap did
                for key in sorted(keys(one) & keys(other)):
                    first, second = sorted((one.id or "", other.id or ""))
                    found.add(f"{key!r}: {first} and {second}")
    return sorted(found)
