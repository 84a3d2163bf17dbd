"""The capability editor: a product's services, properties, commands and events, edited by keyboard.

`CapabilityDraft` is the editor's state, pure and testable on plain dicts: the pending product (the
vendor's JSON body), the tree operations on it (add, duplicate, delete, reorder, replace) and the
undo/redo stacks. `CapabilityEditorScreen` shows it: the tree on the left (on top at 80 columns),
the selected node's fields and the open errors on the right, a form per node kind on `enter`, and
before saving the diff against the server's copy.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from tui.api.platform import Products
from tui.api.products import (
    Change,
    FieldError,
    Product,
    diff_products,
    read_product_file,
    validate_product,
)
from tui.screens.base import FleetScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.capability_forms import form_for
from tui.widgets.header import FleetHeader
from tui.widgets.safe import one_line, plain, visible
from tui.widgets.virtual_table import PromptBar

#: a node's address in the product dict: keys and list indexes, e.g.
#: ("service_capabilities", 0, "commands", 1, "paras", 0); a path ending in a key is a list
Path = tuple[str | int, ...]

ROOT: Path = ("service_capabilities",)

#: the list key → the kind of its items
ITEM_KIND: dict[str, str] = {
    "service_capabilities": "service",
    "properties": "property",
    "commands": "command",
    "responses": "response",
    "events": "event",
    "paras": "para",
}
#: an item kind → the lists it holds (the first is where `a` adds on the item itself)
CHILD_LISTS: dict[str, tuple[str, ...]] = {
    "service": ("properties", "commands", "events"),
    "command": ("paras", "responses"),
    "response": ("paras",),
    "event": ("paras",),
    "property": (),
    "para": (),
}
#: an item kind → the field that names it (unique among its siblings)
NAME_KEY: dict[str, str] = {
    "service": "service_id",
    "property": "property_name",
    "command": "command_name",
    "response": "response_name",
    "event": "event_type",
    "para": "para_name",
}
#: the vendor's limit on every array of the product model
MAX_ITEMS = 500


def new_item(kind: str, name: str) -> dict[str, Any]:
    """A fresh node of `kind`, valid by the vendor's rules, named `name`."""
    key = NAME_KEY[kind]
    if kind == "service":
        return {
            key: name,
            "service_type": name,
            "option": "Optional",
            "properties": [],
            "commands": [],
        }
    if kind == "property":
        return {key: name, "data_type": "int", "required": False, "method": "RW"}
    if kind == "command":
        return {key: name, "paras": [], "responses": []}
    if kind in ("response", "event"):
        return {key: name, "paras": []}
    return {key: name, "data_type": "int", "required": False}


def kind_of(path: Path) -> str:
    """The kind of the node at `path`: "product", "list", or an item kind ("property", …)."""
    if not path:
        return "product"
    if isinstance(path[-1], str):
        return "list"
    return ITEM_KIND[str(path[-2])]


def list_kind(path: Path) -> str:
    """The kind of the items of the list at `path`."""
    return ITEM_KIND[str(path[-1])]


def get_node(product: dict[str, Any], path: Path) -> Any:
    """The value at `path` (a missing list reads as empty)."""
    node: Any = product
    for step in path:
        node = node.get(step) or [] if isinstance(step, str) else node[step]
    return node


def _list_at(product: dict[str, Any], path: Path) -> list[Any]:
    """The list at `path`, created (and stored) when missing or null."""
    parent = get_node(product, path[:-1])
    key = str(path[-1])
    if not isinstance(parent.get(key), list):
        parent[key] = []
    value: list[Any] = parent[key]
    return value


def unique_name(taken: set[str], base: str) -> str:
    """`base`, or `base_2`, `base_3`…: the first not in `taken` (names are unique in a service)."""
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


@dataclass
class Step:
    """One undoable step: the product before it, where the cursor was, and what it did."""

    product: dict[str, Any]
    cursor: Path
    label: str


class CapabilityDraft:
    """The pending product and its history; every change is undoable.

    Operations take a node path and answer the path the cursor should move to. They raise
    `ValueError` with a sentence for the user when the operation does not apply there.
    """

    def __init__(self, product: dict[str, Any]) -> None:
        self.server: dict[str, Any] = copy.deepcopy(product)
        self.product: dict[str, Any] = copy.deepcopy(product)
        self.undo_stack: list[Step] = []
        self.redo_stack: list[Step] = []

    # ------------------------------------------------------------------ reading

    @property
    def dirty(self) -> bool:
        """True when the pending product differs from the server's copy."""
        return self.product != self.server

    def get(self, path: Path) -> Any:
        return get_node(self.product, path)

    def exists(self, path: Path) -> bool:
        try:
            get_node(self.product, path)
        except (IndexError, KeyError, TypeError):
            return False
        return True

    def label(self, path: Path) -> str:
        kind = kind_of(path)
        if kind == "product":
            return str(self.product.get("name") or self.product.get("product_id") or "product")
        if kind == "list":
            return f"{path[-1]} ({len(self.get(path))})"
        item = self.get(path)
        return str(item.get(NAME_KEY[kind]) or f"<unnamed {kind}>")

    def siblings_names(self, list_path: Path, skip: int | None = None) -> set[str]:
        kind = list_kind(list_path)
        return {
            str(item.get(NAME_KEY[kind]))
            for n, item in enumerate(self.get(list_path))
            if n != skip and isinstance(item, dict)
        }

    # ------------------------------------------------------------------ history

    def _record(self, label: str, cursor: Path) -> None:
        self.undo_stack.append(Step(copy.deepcopy(self.product), cursor, label))
        self.redo_stack.clear()

    def undo(self) -> Path | None:
        """Go back one step; the cursor it had then, or None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        step = self.undo_stack.pop()
        self.redo_stack.append(Step(self.product, step.cursor, step.label))
        self.product = step.product
        return step.cursor

    def redo(self) -> Path | None:
        if not self.redo_stack:
            return None
        step = self.redo_stack.pop()
        self.undo_stack.append(Step(self.product, step.cursor, step.label))
        self.product = step.product
        return step.cursor

    def reset(self, product: dict[str, Any]) -> None:
        """The server answered a new copy (after a save): it is both the base and the draft."""
        self.server = copy.deepcopy(product)
        self.product = copy.deepcopy(product)
        self.undo_stack.clear()
        self.redo_stack.clear()

    # ------------------------------------------------------------------ tree operations

    def add_target(self, path: Path) -> Path:
        """The list `a` adds to at `path`: the list itself, an item's first child list, or a
        childless item's own list (then the new node is its sibling)."""
        kind = kind_of(path)
        if kind == "product":
            return ROOT
        if kind == "list":
            return path
        lists = CHILD_LISTS[kind]
        if lists:
            return (*path, lists[0])
        return path[:-1]

    def add(self, path: Path) -> Path:
        """Add a node of the right kind at `path` (see `add_target`); its path."""
        target = self.add_target(path)
        kind = list_kind(target)
        items = get_node(self.product, target)
        if len(items) >= MAX_ITEMS:
            raise ValueError(f"{target[-1]} holds at most {MAX_ITEMS} items")
        name = unique_name(self.siblings_names(target), f"new_{kind}")
        self._record(f"add {kind}", path)
        items = _list_at(self.product, target)
        # A sibling goes right after the cursor's node; a child goes last.
        sibling = kind_of(path) not in ("list", "product") and target == path[:-1]
        at = int(path[-1]) + 1 if sibling else len(items)
        items.insert(at, new_item(kind, name))
        return (*target, at)

    def duplicate(self, path: Path) -> Path:
        kind = kind_of(path)
        if kind in ("list", "product"):
            raise ValueError("move the cursor to a service, property, command, event or parameter")
        parent = path[:-1]
        if len(self.get(parent)) >= MAX_ITEMS:
            raise ValueError(f"{parent[-1]} holds at most {MAX_ITEMS} items")
        item = copy.deepcopy(self.get(path))
        key = NAME_KEY[kind]
        item[key] = unique_name(self.siblings_names(parent), f"{item.get(key) or kind}_copy")
        self._record(f"duplicate {kind}", path)
        at = int(path[-1]) + 1
        _list_at(self.product, parent).insert(at, item)
        return (*parent, at)

    def delete(self, path: Path) -> Path:
        kind = kind_of(path)
        if kind in ("list", "product"):
            raise ValueError("move the cursor to the node to delete")
        parent = path[:-1]
        self._record(f"delete {kind}", path)
        items = _list_at(self.product, parent)
        del items[int(path[-1])]
        if not items:
            return parent
        return (*parent, min(int(path[-1]), len(items) - 1))

    def move(self, path: Path, delta: int) -> Path:
        """Move a node up (-1) or down (+1) among its siblings; its new path."""
        kind = kind_of(path)
        if kind in ("list", "product"):
            raise ValueError("move the cursor to the node to move")
        parent = path[:-1]
        index = int(path[-1])
        items = self.get(parent)
        to = index + delta
        if not 0 <= to < len(items):
            return path
        self._record(f"move {kind}", path)
        items = _list_at(self.product, parent)
        items[index], items[to] = items[to], items[index]
        return (*parent, to)

    def replace(self, path: Path, value: dict[str, Any]) -> Path:
        """Set the node at `path` (the product's header when `path` is empty) to `value`.

        Child lists the form does not edit are kept from the current node.
        """
        kind = kind_of(path)
        if kind == "list":
            raise ValueError("a list has no fields of its own")
        current = self.get(path)
        merged = dict(value)
        keep = ("service_capabilities",) if kind == "product" else CHILD_LISTS[kind]
        for key in keep:
            if key in current and key not in merged:
                merged[key] = current[key]
        if merged == current:
            return path
        self._record(f"edit {kind}", path)
        if kind == "product":
            self.product = merged
        else:
            _list_at(self.product, path[:-1])[int(path[-1])] = merged
        return path

    def replace_all(self, product: dict[str, Any], label: str = "import") -> None:
        """Replace the whole pending product (an import); undoable like any step."""
        self._record(label, ())
        self.product = copy.deepcopy(product)


# ---------------------------------------------------------------- products as dicts and files


def product_dict(product: Product) -> dict[str, Any]:
    """The vendor's JSON of a product, with the server's read-only fields kept for display."""
    body = product.model_dump(by_alias=True, exclude_none=True)
    for key in ("app_name", "create_time"):
        value = getattr(product, key, None)
        if value is not None:
            body[key] = value
    return body


def export_product(product: dict[str, Any], path: str) -> FilePath:
    """Write a product as the vendor's create body (read-only fields left out); the file's path."""
    file = FilePath(path).expanduser()
    body = {k: v for k, v in product.items() if k not in ("create_time", "app_name")}
    try:
        file.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot write {file}: {exc.strerror or exc}") from exc
    return file


# ---------------------------------------------------------------- the tree


def path_text(path: Path) -> str:
    """The validators' spelling of a path: `service_capabilities[0].properties[2]`."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else step
    return text


def error_nodes(errors: list[FieldError]) -> dict[str, list[FieldError]]:
    """Node path text → the errors of its own fields (`…properties[2].max` → `…properties[2]`)."""
    nodes: dict[str, list[FieldError]] = {}
    for error in errors:
        path = error.path
        # An item path (`…paras[0]`: "must be an object") is its own node; a field's is its parent.
        node = path if path.endswith("]") else path.rsplit(".", 1)[0] if "." in path else ""
        nodes.setdefault(node, []).append(error)
    return nodes


def _value_summary(node: dict[str, Any]) -> str:
    parts = [str(node.get("data_type") or "?")]
    if node.get("method"):
        parts.append(str(node["method"]))
    low, high = node.get("min"), node.get("max")
    if low is not None or high is not None:
        parts.append(f"[{'' if low is None else low}..{'' if high is None else high}]")
    if node.get("enum_list"):
        parts.append("{" + ",".join(map(str, node["enum_list"][:3])) + "…}")
    if node.get("unit"):
        parts.append(str(node["unit"]))
    return " ".join(parts)


def node_label(kind: str, node: Any, path: Path, bad: bool) -> Text:
    """One tree line: an icon, the node's name, a dim summary, a red mark when it has errors."""
    text = Text()
    if kind == "list":
        text.append(f"{path[-1]} ", style="italic")
        text.append(f"({len(node)})", style="dim")
    else:
        icon = {
            "service": "◆ ",
            "property": "• ",
            "command": "▶ ",
            "response": "↩ ",
            "event": "⚡ ",
            "para": "· ",
        }
        text.append(icon.get(kind, ""))
        name = node.get(NAME_KEY[kind]) if isinstance(node, dict) else None
        text.append(visible(name or f"<unnamed {kind}>"), style="bold" if kind == "service" else "")
        if kind in ("property", "para"):
            text.append("  " + visible(_value_summary(node)), style="dim")
        elif kind == "service" and node.get("option"):
            text.append(f"  {visible(node['option'])}", style="dim")
    if bad:
        text.append("  ✗", style="bold red")
    return text


def build_tree(
    tree: Tree[Path],
    product: dict[str, Any],
    *,
    editing: bool,
    collapsed: set[Path] | None = None,
) -> dict[Path, TreeNode[Path]]:
    """(Re)fill `tree` with the product's capabilities; node data is the node's path.

    When editing, every child list shows (even empty, so `a` can add to it); otherwise only the
    lists that hold something. Answers path → tree node, to put the cursor back.
    """
    collapsed = collapsed or set()
    bad = error_nodes(validate_product(product)) if editing else {}
    tree.clear()
    root = tree.root
    root.data = ()
    root.set_label(plain(product.get("name") or product.get("product_id") or "product", "bold"))
    nodes: dict[Path, TreeNode[Path]] = {(): root}

    def add_item(parent: TreeNode[Path], path: Path) -> None:
        kind = kind_of(path)
        item = get_node(product, path)
        lists = CHILD_LISTS[kind]
        label = node_label(kind, item, path, path_text(path) in bad)
        if not lists:
            nodes[path] = parent.add_leaf(label, data=path)
            return
        node = parent.add(label, data=path, expand=path not in collapsed)
        nodes[path] = node
        for key in lists:
            list_path = (*path, key)
            items = get_node(product, list_path)
            if len(lists) == 1:
                holder = node  # a response's or event's parameters hang straight under it
            elif editing or items:
                holder = node.add(
                    node_label("list", items, list_path, False),
                    data=list_path,
                    expand=list_path not in collapsed,
                )
                nodes[list_path] = holder
            else:
                continue
            for n in range(len(items)):
                add_item(holder, (*list_path, n))

    for n in range(len(product.get("service_capabilities") or [])):
        add_item(root, ("service_capabilities", n))
    root.expand()
    return nodes


# ---------------------------------------------------------------- the diff before saving


def _short(value: Any, width: int = 40) -> str:
    text = (
        json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value is not None else "—"
    )
    return one_line(text, width)


def diff_text(changes: list[Change]) -> Text:
    """Each change on its own line: + added (green), - removed (red), ~ changed (yellow)."""
    text = Text()
    for n, change in enumerate(changes):
        if n:
            text.append("\n")
        if change.kind == "added":
            text.append(f"+ {visible(change.path)}", style="green")
        elif change.kind == "removed":
            text.append(f"- {visible(change.path)}", style="red")
        else:
            text.append(f"~ {visible(change.path)}: ", style="yellow")
            text.append(_short(change.old), style="red")
            text.append(" → ", style="dim")
            text.append(_short(change.new), style="green")
    return text


class DiffScreen(ModalScreen[bool]):
    """The pending product against the server's copy; `y`/ctrl+s saves, `n`/esc goes back."""

    BINDINGS = [
        Binding("y,ctrl+s", "answer(True)", "Save", id="diff.save"),
        Binding("n,escape", "answer(False)", "Back to editing", id="diff.cancel"),
    ]

    DEFAULT_CSS = """
    DiffScreen { align: center middle; }
    DiffScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DiffScreen #diff-body { height: auto; max-height: 30; }
    DiffScreen #diff-keys { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, name: str, changes: list[Change]) -> None:
        super().__init__()
        self.product_name = name
        self.changes = changes

    def compose(self) -> ComposeResult:
        counts = {
            kind: sum(c.kind == kind for c in self.changes)
            for kind in ("added", "removed", "changed")
        }
        with Vertical() as box:
            box.border_title = plain(f"Save {self.product_name}?", limit=80)
            box.border_subtitle = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            with VerticalScroll(id="diff-body"):
                yield Static(diff_text(self.changes), id="diff-text")
            yield Static("y save (PUT the whole product) · n/esc back to editing", id="diff-keys")

    def on_mount(self) -> None:
        self.query_one("#diff-body").styles.max_height = max(3, self.app.size.height - 6)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


# ---------------------------------------------------------------- the editor


class EditorTree(Tree[Path]):
    """The capability tree; `enter` edits and shift+up/down reorder instead of Tree's own uses."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.edit", "Edit", show=False, id="editor.tree_edit"),
        Binding("shift+up", "screen.move(-1)", "Move up", show=False, id="editor.tree_move_up"),
        Binding(
            "shift+down", "screen.move(1)", "Move down", show=False, id="editor.tree_move_down"
        ),
    ]


class CapabilityEditorScreen(FleetScreen[dict[str, Any] | None]):
    """Edit a product's capabilities; dismisses with the server's copy after a save (else None)."""

    VIEW = "products"
    DANGEROUS = frozenset({"save", "import_file"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="editor.add"),
        Binding("enter", "edit", "Edit", id="editor.edit"),
        Binding("c", "duplicate", "Duplicate", show=False, id="editor.duplicate"),
        Binding("x,delete", "delete", "Delete", id="editor.delete"),
        Binding("K", "move(-1)", "Move up", show=False, id="editor.move_up"),
        Binding("J", "move(1)", "Move down", show=False, id="editor.move_down"),
        Binding("ctrl+z,u", "undo", "Undo", id="editor.undo"),
        Binding("ctrl+y,U", "redo", "Redo", show=False, id="editor.redo"),
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("i", "import_file", "Import", show=False, id="editor.import"),
        Binding("o", "export_file", "Export", show=False, id="editor.export"),
        Binding("escape", "escape", "Back", show=False, id="editor.back"),
    ]

    DEFAULT_CSS = """
    CapabilityEditorScreen #editor-body { height: 1fr; }
    CapabilityEditorScreen #editor-tree { width: 1fr; height: 1fr; }
    CapabilityEditorScreen #editor-side {
        width: 1fr; height: 1fr; padding: 0 1; border-left: vkey $panel;
    }
    CapabilityEditorScreen #editor-errors { color: $error; margin-top: 1; }
    CapabilityEditorScreen #editor-status {
        height: 1; padding: 0 1; background: $panel; color: $text-muted;
    }
    CapabilityEditorScreen.-narrow #editor-body { layout: vertical; }
    CapabilityEditorScreen.-narrow #editor-side {
        height: 6; border-left: none; border-top: hkey $panel;
    }
    """

    def __init__(self, product: dict[str, Any]) -> None:
        super().__init__()
        self.draft = CapabilityDraft(product)
        self.nodes: dict[Path, TreeNode[Path]] = {}
        self.collapsed: set[Path] = set()
        self.saved: dict[str, Any] | None = None
        self.saving = False

    @property
    def product_id(self) -> str:
        return str(self.draft.server.get("product_id") or "")

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        with Horizontal(id="editor-body"):
            yield EditorTree("capabilities", id="editor-tree")
            with VerticalScroll(id="editor-side"):
                yield Static("", id="editor-node")
                yield Static("", id="editor-errors")
        yield PromptBar(id="editor-prompt")
        yield Static("", id="editor-status")
        yield Footer()

    @property
    def tree(self) -> EditorTree:
        return self.query_one("#editor-tree", EditorTree)

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_tree(())
        self.tree.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    # ------------------------------------------------------------------ showing the draft

    @property
    def cursor(self) -> Path:
        node = self.tree.cursor_node
        return node.data if node is not None and node.data is not None else ()

    @property
    def errors(self) -> list[FieldError]:
        return validate_product(self.draft.product)

    def refresh_tree(self, cursor: Path | None = None) -> None:
        """Rebuild the tree from the draft and put the cursor on `cursor` (or where it was)."""
        target = self.cursor if cursor is None else cursor
        while target and target not in self.nodes and not self.draft.exists(target):
            target = target[:-1]
        self.nodes = build_tree(
            self.tree, self.draft.product, editing=True, collapsed=self.collapsed
        )
        node = self.nodes.get(target)
        while node is None and target:
            target = target[:-1]
            node = self.nodes.get(target)
        # Open the way to the cursor: a node under a collapsed parent has no line.
        parent = node.parent if node is not None else None
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_cursor, target)
        self.show_node(target)

    def _move_cursor(self, target: Path) -> None:
        node = self.nodes.get(target)
        if node is not None:
            self.tree.move_cursor(node)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Path]) -> None:
        event.stop()
        self.show_node(event.node.data if event.node.data is not None else ())

    @on(Tree.NodeCollapsed)
    def _collapsed(self, event: Tree.NodeCollapsed[Path]) -> None:
        if event.node.data:
            self.collapsed.add(event.node.data)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[Path]) -> None:
        if event.node.data:
            self.collapsed.discard(event.node.data)

    def show_node(self, path: Path) -> None:
        """The side pane: the node's fields, its open errors, and the status line."""
        draft = self.draft
        errors = self.errors
        side = self.query_one("#editor-node", Static)
        kind = kind_of(path) if draft.exists(path) else "product"
        if kind == "product":
            path = ()
        node = draft.get(path)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        if kind == "list":
            grid.add_row("list", plain(f"{path[-1]} of {draft.label(path[:-1])}"))
            grid.add_row("items", Text(str(len(node))))
            grid.add_row("a", Text(f"adds a {list_kind(path)}", style="dim"))
        else:
            lists = CHILD_LISTS.get(kind, ("service_capabilities",) if kind == "product" else ())
            for key, value in node.items():
                if key in lists or key == "service_capabilities":
                    continue
                shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                grid.add_row(plain(key), plain(shown))  # an imported file's keys and values
            grid.add_row("", Text(f"enter edits this {kind}", style="dim"))
        side.update(grid)
        own = error_nodes(errors).get(path_text(path), []) if kind != "list" else []
        lines = Text()
        for error in own:
            field = error.path.rsplit(".", 1)[-1]
            lines.append(f"✗ {visible(field)}: {one_line(error.message)}\n", style="red")
        self.query_one("#editor-errors", Static).update(lines)
        self.update_status(errors)

    def update_status(self, errors: list[FieldError] | None = None) -> None:
        errors = self.errors if errors is None else errors
        draft = self.draft
        text = Text()
        if errors:
            first = errors[0]
            text.append(f"{len(errors)} error(s) open", style="bold red")
            text.append(f" · {visible(first.path or 'product')}: {one_line(first.message)}", "red")
        elif draft.dirty:
            text.append("unsaved changes", style="bold yellow")
            text.append(" · ctrl+s reviews the diff and saves", style="dim")
        else:
            text.append("no changes", style="dim")
        text.append(f" · undo {len(draft.undo_stack)} · redo {len(draft.redo_stack)}", style="dim")
        self.query_one("#editor-status", Static).update(text)

    # ------------------------------------------------------------------ tree actions

    def _apply(self, operation: Callable[[], Path]) -> None:
        try:
            path = operation()
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.refresh_tree(path)

    def action_add(self) -> None:
        def add() -> Path:
            return self.draft.add(self.cursor)

        try:
            path = add()
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.refresh_tree(path)
        # A new node is a placeholder: open its form at once (esc keeps it, u removes it).
        self.edit(path)

    def action_duplicate(self) -> None:
        self._apply(lambda: self.draft.duplicate(self.cursor))

    def action_delete(self) -> None:
        self._apply(lambda: self.draft.delete(self.cursor))

    def action_move(self, delta: int) -> None:
        self._apply(lambda: self.draft.move(self.cursor, delta))

    def action_undo(self) -> None:
        path = self.draft.undo()
        if path is None:
            self.notify("nothing to undo", severity="information", timeout=2)
            return
        self.refresh_tree(path)

    def action_redo(self) -> None:
        path = self.draft.redo()
        if path is None:
            self.notify("nothing to redo", severity="information", timeout=2)
            return
        self.refresh_tree(path)

    def action_edit(self) -> None:
        path = self.cursor
        if kind_of(path) == "list":
            node = self.nodes.get(path)
            if node is not None:
                node.toggle()
            return
        self.edit(path)

    def edit(self, path: Path) -> None:
        """Open the form of the node at `path`; its answer replaces the node (undoable)."""
        kind = kind_of(path)
        node = self.draft.get(path)
        if kind == "product":
            form = form_for("product", node, set())
        else:
            taken = self.draft.siblings_names(path[:-1], skip=int(path[-1]))
            form = form_for(kind, node, taken)

        before = copy.deepcopy(node)

        def done(value: dict[str, Any] | None) -> None:
            if value is None:
                return
            # Keys typed before the form opened (u, x…) may have changed the draft meanwhile.
            if not self.draft.exists(path) or self.draft.get(path) != before:
                self.notify(
                    "the node changed while its form was open: not applied", severity="warning"
                )
                return
            self._apply(lambda: self.draft.replace(path, value))

        self.app.push_screen(form, done)

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.saving:
            return
        errors = self.errors
        if errors:
            self.app.bell()
            first = errors[0]
            self.notify(
                f"{len(errors)} error(s) open — first {first.path}: {first.message}",
                title="Not saved",
                severity="error",
            )
            bad = error_nodes(errors)
            for text_path, path in ((path_text(p), p) for p in self.nodes):
                if text_path in bad:
                    self.refresh_tree(path)
                    break
            return
        changes = diff_products(self.draft.server, self.draft.product)
        if not changes:
            self.notify("nothing to save: the product is as on the server", timeout=3)
            return
        name = str(self.draft.product.get("name") or self.product_id)

        def answered(yes: bool | None) -> None:
            if yes:
                self.save()

        self.app.push_screen(DiffScreen(name, changes), answered)

    @work(exclusive=True, group="editor-save")
    async def save(self) -> None:
        platform = self.platform
        if not isinstance(platform, Products):
            self.notify("This platform has no products", severity="error")
            return
        self.saving = True
        name = str(self.draft.product.get("name") or self.product_id)
        try:
            async with self.busy():
                product = Product.model_validate(self.draft.product)
                await platform.update_product(product)
                # The server's copy, as saved, is what the editor shows from now on.
                fresh = await platform.get_product(self.product_id)
        except Exception as exc:  # ApiError with the vendor's code and field, or anything else
            self.report(exc, f"Saving product {name}")
            return
        finally:
            self.saving = False
        self.saved = product_dict(fresh)
        self.draft.reset(self.saved)
        self.refresh_tree()
        self.notify(f"Product {name} saved and reloaded from the server", title="Saved")

    # ------------------------------------------------------------------ files

    def action_import_file(self) -> None:
        self.query_one("#editor-prompt", PromptBar).open(
            "import",
            "import",
            "",
            "a JSON file (the vendor's create body) replaces the draft · u undoes · esc cancels",
            _path_error,
            placeholder="e.g. ./thermometer.json",
        )

    def action_export_file(self) -> None:
        self.query_one("#editor-prompt", PromptBar).open(
            "export",
            "export to",
            f"{self.product_id or 'product'}.json",
            "enter writes the draft as JSON · esc cancels",
            _path_error,
        )

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, event: PromptBar.Submitted) -> None:
        event.stop()
        event.bar.close()
        self.tree.focus()
        path = event.value.strip()
        if event.purpose == "export":
            try:
                file = export_product(self.draft.product, path)
            except ValueError as exc:
                self.notify(str(exc), title="Export", severity="error", timeout=10)
                return
            self.notify(f"Draft written to {file}", title="Export")
        elif event.purpose == "import":
            try:
                product = read_product_file(path)
            except ValueError as exc:
                self.notify(str(exc), title="Import", severity="error", timeout=10)
                return
            body = product.model_dump(by_alias=True, exclude_none=True)
            # The file describes a model; it lands on the product being edited, whatever id it names.
            body["product_id"] = self.product_id
            if self.draft.server.get("app_id"):
                body["app_id"] = self.draft.server["app_id"]
            self.draft.replace_all(body)
            self.refresh_tree(())
            self.notify(f"Imported {path}: review the diff with ctrl+s", title="Import")

    def action_escape(self) -> None:
        prompt = self.query_one("#editor-prompt", PromptBar)
        if prompt.is_open:
            prompt.close()
            self.tree.focus()
            return
        if not self.draft.dirty:
            self.dismiss(self.saved)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(self.saved)

        self.app.push_screen(
            ConfirmScreen(
                "Discard changes",
                f"Leave the editor and discard {len(self.draft.undo_stack)} unsaved change(s)?",
                yes="Discard",
            ),
            answered,
        )


def _path_error(text: str) -> str | None:
    return None if text.strip() else "type a file path"
