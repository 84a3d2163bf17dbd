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
