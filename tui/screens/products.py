"""Products (IoTDA's device models): the list, page by page, and one product's header and capabilities.

`ProductsScreen` is the "products" view: the shared virtual table fed by `list_products` (marker
paging), `/` filter, `enter` opens, `n` creates, `i` imports a product from a JSON file (the
vendor's create body), `ctrl+d`/`D` deletes after a confirmation naming the product.
`ProductDetailScreen` shows the header fields and the capability tree; `e` opens the editor,
`o` exports the product to JSON. A platform without products says so in the list's error state.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static, Tree

from tui.api.platform import Products
from tui.api.products import Product, ProductSummary, read_product_file
from tui.screens.base import FleetScreen
from tui.screens.capability_editor import build_tree, export_product, product_dict
from tui.screens.confirm import ConfirmScreen
from tui.screens.devices import PagedListScreen
from tui.widgets.capability_forms import NewProductForm
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain
from tui.widgets.state import LoadState
from tui.widgets.virtual_table import Column, Fetch, PromptBar, Row, VirtualTable

__all__ = [
    "PRODUCT_COLUMNS",
    "ProductChanged",
    "ProductDetailScreen",
    "ProductsScreen",
    "product_row",
]


class ProductChanged(Message):
    """A product was created, saved or deleted elsewhere: the product list reloads."""

    bubble = False


def product_row(product: ProductSummary) -> Row:
    """One product's row: key, name, product id, device type, protocol, data format, industry.

    (No services column: the vendor's list answer carries no service_capabilities, so the
    count would be a column of dashes or one extra call per row; the detail shows them.)
    """
    return (
        product.product_id,
        product.name,
        product.product_id,
        product.device_type or "—",
        product.protocol_type or "—",
        product.data_format or "—",
        product.industry or "—",
    )


PRODUCT_COLUMNS = [
    Column("Name", 1, 16, 28, priority=0),
    Column("Product ID", 2, 24, 26, priority=1),
    Column("Device type", 3, 12, 20, priority=2),
    Column("Protocol", 4, 8, 8, priority=3),
    Column("Format", 5, 6, 6, priority=4),
    Column("Industry", 6, 10, None, priority=5),
]


def _path_error(text: str) -> str | None:
    return None if text.strip() else "type a file path"


# ---------------------------------------------------------------- the list


class ProductsScreen(PagedListScreen):
    """Every product of the open platform, in the vendor's order, page by page."""

    VIEW = "products"
    NOUN = "products"
    NOUN_ONE = "product"
    COLUMNS = PRODUCT_COLUMNS
    DANGEROUS = frozenset({"new_product", "delete_product", "import_product"})
    MARKS = False  # nothing to do to many products at once (yet)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_product", "Open", id="products.open"),
        Binding("n", "new_product", "New", id="products.new"),
        Binding("i", "import_product", "Import", id="products.import"),
        Binding("ctrl+d", "delete_product", "Delete", id="products.delete"),
        Binding("D", "delete_product", "Delete", show=False, id="products.delete_shift"),
    ]

    def make_fetch(self) -> Fetch | str:
        platform = self.platform
        if not isinstance(platform, Products):
            title = getattr(platform, "title", "This platform")
            return f"{title} has no products in fleet (products are a Huawei IoTDA feature)"

        async def fetch(cursor: str | None) -> tuple[list[Row], str | None, int | None]:
            page = await platform.list_products(cursor)
            return [product_row(p) for p in page.items], page.cursor, page.total

        return fetch

    def empty_text(self) -> tuple[str, str]:
        hint = "r reloads" if self.fleet.is_readonly else "n creates a product · r reloads"
        return ("No products", hint)

    def _cursor_product(self) -> tuple[str, str] | None:
        row = self.table.cursor_row
        if row is None or self.state.state != "ready":
            return None
        return str(row[0]), str(row[1])

    # ------------------------------------------------------------------ actions

    def action_open_product(self) -> None:
        current = self._cursor_product()
        if current is not None:
            self.app.push_screen(ProductDetailScreen(current[0]))

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.app.push_screen(ProductDetailScreen(str(event.row[0])))

    def action_new_product(self) -> None:
        if not isinstance(self.platform, Products):
            self.notify("This platform has no products", severity="warning")
            return
        self.app.push_screen(NewProductForm(), self._created)

    def _created(self, product: Product | None) -> None:
        if product is not None:
            self.notify(f"Product {product.name} created", title="New product")
            self.reload()
            self.app.push_screen(ProductDetailScreen(product.product_id or ""))

    def action_delete_product(self) -> None:
        current = self._cursor_product()
        if current is None or not isinstance(self.platform, Products):
            return
        key, name = current

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_product(key, name)

        self.app.push_screen(
            ConfirmScreen(
                "Delete product",
                f"Delete product {name} ({key})? Its capability model is lost; devices of this "
                "product must be deleted first.",
                yes="Delete",
            ),
            answered,
        )

    @work(group="products-delete")
    async def delete_product(self, key: str, name: str) -> None:
        platform = self.platform
        if not isinstance(platform, Products):
            return
        try:
            async with self.busy():
                await platform.delete_product(key)
        except Exception as exc:  # ApiError with the vendor's code, or anything unexpected
            self.report(exc, f"Deleting product {name}")
            return
        self.notify(f"Product {name} deleted", title="Delete product")
        table = self.table
        table.rows.remove(key)
        table.changed()
        if table.rows.complete and table.rows.known == 0:
            self.state.empty(*self.empty_text())
        self.update_status()

    def action_import_product(self) -> None:
        if not isinstance(self.platform, Products):
            self.notify("This platform has no products", severity="warning")
            return
        self.prompt.open(
            "import",
            "import",
            "",
            "a JSON file with the vendor's create body · enter creates the product · esc cancels",
            _path_error,
            placeholder="e.g. ./thermometer.json",
        )

    def prompt_submitted(self, purpose: str, value: str) -> None:
        if purpose == "import":
            self.import_file(value)
        else:
            super().prompt_submitted(purpose, value)

    @work(group="products-import")
    async def import_file(self, path: str) -> None:
        platform = self.platform
        if not isinstance(platform, Products):
            return
        try:
            product = read_product_file(path)
        except ValueError as exc:
            self.notify(str(exc), title="Import product", severity="error", timeout=10)
            return
        try:
            async with self.busy():
                created = await platform.create_product(product)
        except Exception as exc:
            self.report(exc, f"Creating product {product.name}")
            return
        self._created(created)

    def on_product_changed(self, message: ProductChanged) -> None:
        message.stop()
        self.reload()


# ---------------------------------------------------------------- one product

#: the header fields, in the order shown: (label, field)
HEADER_FIELDS: list[tuple[str, str]] = [
    ("Name", "name"),
    ("Product ID", "product_id"),
    ("Device type", "device_type"),
    ("Protocol", "protocol_type"),
    ("Data format", "data_format"),
    ("Manufacturer", "manufacturer_name"),
    ("Industry", "industry"),
    ("Description", "description"),
    ("Resource space", "app_id"),
    ("Created", "create_time"),
]


def header_table(product: dict[str, Any]) -> Table:
    """The header fields as a two-column grid (blank optional fields show as —)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for label, key in HEADER_FIELDS:
        value = product.get(key)
        if key == "app_id" and product.get("app_name"):
            value = f"{product['app_name']} ({value})"
        grid.add_row(label, plain("—" if value in (None, "") else value))
    return grid


class ProductDetailScreen(FleetScreen[None]):
    """One product: its header fields and its capability tree (services → properties, commands
    → parameters and responses, events → parameters)."""

    VIEW = "products"
    DANGEROUS = frozenset({"delete_product", "edit"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit capabilities", id="product.edit"),
        Binding("o", "export", "Export JSON", id="product.export"),
        Binding("r", "reload", "Reload", id="product.reload"),
        Binding("ctrl+d", "delete_product", "Delete", id="product.delete"),
        Binding("D", "delete_product", "Delete", show=False, id="product.delete_shift"),
        Binding("escape", "escape", "Back", show=False, id="product.back"),
    ]

    DEFAULT_CSS = """
    ProductDetailScreen #product-body { height: 1fr; }
    ProductDetailScreen #product-header {
        width: 44; height: 1fr; padding: 0 1; border-right: vkey $panel;
    }
    ProductDetailScreen #product-tree { width: 1fr; height: 1fr; }
    ProductDetailScreen.-narrow #product-body { layout: vertical; }
    ProductDetailScreen.-narrow #product-header {
        width: 1fr; height: auto; max-height: 8; border-right: none; border-bottom: hkey $panel;
    }
    """

    def __init__(self, product_id: str) -> None:
        super().__init__()
        self.product_id = product_id
        self.product: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield LoadState(
            Horizontal(
                VerticalScroll(Static("", id="product-fields"), id="product-header"),
                Tree("capabilities", id="product-tree"),
                id="product-body",
            ),
            id="product-state",
        )
        yield PromptBar(id="product-prompt")
        yield Footer()

    @property
    def state(self) -> LoadState:
        return self.query_one("#product-state", LoadState)

    @property
    def tree(self) -> Tree[Any]:
        return self.query_one("#product-tree", Tree)

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self._loading)

    def _loading(self) -> None:
        if self.product is None:
            self.state.loading(f"Loading product {self.product_id}…")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def on_session(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="product-load")
    async def load(self) -> None:
        platform = self.platform
        if self.fleet.open_error:
            self.state.error(self.fleet.open_error)
            return
        if not isinstance(platform, Products):
            self.state.error("This platform has no products in fleet", "esc goes back")
            return
        try:
            async with self.busy():
                product = await platform.get_product(self.product_id)
        except Exception as exc:  # ApiError with the vendor's code, or anything unexpected
            self.state.error(self.report(exc, f"Loading product {self.product_id}"))
            return
        self.show(product_dict(product))

    def show(self, product: dict[str, Any]) -> None:
        self.product = product
        self.query_one("#product-fields", Static).update(header_table(product))
        tree = self.tree
        build_tree(tree, product, editing=False)
        self.state.ready()
        tree.focus()

    # ------------------------------------------------------------------ actions

    def action_escape(self) -> None:
        prompt = self.query_one("#product-prompt", PromptBar)
        if prompt.is_open:
            prompt.close()
            self.tree.focus()
        else:
            self.fleet.action_back()

    def action_edit(self) -> None:
        if self.product is None:
            return
        from tui.screens.capability_editor import CapabilityEditorScreen

        self.app.push_screen(CapabilityEditorScreen(self.product), self._edited)

    def _edited(self, saved: dict[str, Any] | None) -> None:
        if saved is not None:
            self.show(saved)
            self.fleet.broadcast(ProductChanged)

    def action_export(self) -> None:
        if self.product is None:
            return
        self.query_one("#product-prompt", PromptBar).open(
            "export",
            "export to",
            f"{self.product_id}.json",
            "enter writes the product as JSON (the vendor's create body) · esc cancels",
            _path_error,
        )

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, event: PromptBar.Submitted) -> None:
        event.stop()
        event.bar.close()
        self.tree.focus()
        if event.purpose == "export" and self.product is not None:
            try:
                file = export_product(self.product, event.value.strip())
            except ValueError as exc:
                self.notify(str(exc), title="Export product", severity="error", timeout=10)
                return
            self.notify(f"Product written to {file}", title="Export product")

    def action_delete_product(self) -> None:
        product = self.product
        if product is None:
            return
        name = str(product.get("name") or self.product_id)

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_product(name)

        self.app.push_screen(
            ConfirmScreen(
                "Delete product",
                f"Delete product {name} ({self.product_id})? Its capability model is lost.",
                yes="Delete",
            ),
            answered,
        )

    @work(group="product-delete")
    async def delete_product(self, name: str) -> None:
        platform = self.platform
        if not isinstance(platform, Products):
            return
        try:
            async with self.busy():
                await platform.delete_product(self.product_id)
        except Exception as exc:
            self.report(exc, f"Deleting product {name}")
            return
        self.notify(f"Product {name} deleted", title="Delete product")
        self.fleet.broadcast(ProductChanged)
        self.fleet.action_back()
