"""The Huawei IoTDA v5 adapter: products and devices under /v5/iot/{project_id}, AK/SK-signed or token."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from tui.api.errors import ApiError
from tui.api.http import ApiClient, ErrorBody, RetryPolicy, make_client
from tui.api.models import DetailField, DetailSection, DeviceDetail, DeviceSummary
from tui.api.paging import Page
from tui.api.platform import DeviceDirectory, Platform, Products
from tui.api.platforms.iotda_signer import AkSkAuth, TokenAuth
from tui.api.products import Product, ProductSummary

__all__ = [
    "DEVICE_PAGE",
    "PRODUCT_PAGE",
    "Iotda",
    "device_detail_from_body",
    "device_summary_from_brief",
    "page_cursor",
    "parse_error",
    "product_summary_from_brief",
]

NAME = "iotda"
#: The vendor's limit is 1-50 for both lists; the biggest page means the fewest round trips.
DEVICE_PAGE = 50
PRODUCT_PAGE = 50


# ---------------------------------------------------------------- parsing


def parse_error(body: Any) -> ErrorBody:
    """Read IoTDA's `{"error_code", "error_msg"}` (the request id comes from `X-Request-Id`)."""
    if not isinstance(body, dict):
        return ErrorBody(None, None)
    code = body.get("error_code")
    message = body.get("error_msg")
    return ErrorBody(
        None if code is None else str(code),
        None if message is None else str(message),
        None,
    )


def page_cursor(body: Any, items: list[Any], limit: int) -> str | None:
    """The next page's marker: the page's `marker` when the page was full, else none.

    The vendor returns the marker of the last record on every page and says nothing of "more";
    a short page is the last one. A full last page costs one extra, empty request.
    """
    page = body.get("page") if isinstance(body, dict) else None
    marker = page.get("marker") if isinstance(page, dict) else None
    if not marker or len(items) < limit:
        return None
    return str(marker)


def _count(body: Any) -> int | None:
    page = body.get("page") if isinstance(body, dict) else None
    count = page.get("count") if isinstance(page, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _time(value: Any) -> datetime | None:
    # IoTDA writes times as yyyyMMdd'T'HHmmss'Z'.
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def product_summary_from_brief(brief: dict[str, Any]) -> ProductSummary:
    services = brief.get("service_capabilities")
    return ProductSummary(
        product_id=str(brief.get("product_id") or ""),
        name=str(brief.get("name") or ""),
        device_type=brief.get("device_type"),
        protocol_type=brief.get("protocol_type"),
        data_format=brief.get("data_format"),
        industry=brief.get("industry"),
        manufacturer_name=brief.get("manufacturer_name"),
        app_id=brief.get("app_id"),
        create_time=brief.get("create_time"),
        # The vendor's list rows carry no services; the count is known only when they are there.
        services=len(services) if isinstance(services, list) else None,
    )


def device_summary_from_brief(brief: dict[str, Any]) -> DeviceSummary:
    device_id = str(brief.get("device_id") or "")
    return DeviceSummary(
        key=device_id,
        name=str(brief.get("device_name") or device_id),
        # node_id is the physical device's own identifier (often its IMEI or EUI).
        eui=brief.get("node_id"),
        model=brief.get("product_name") or brief.get("product_id"),
        connectivity=brief.get("node_type"),
        health=brief.get("status"),
        last_activity=_time(brief.get("connection_status_update_time")),
    )


_SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "Identity",
        (
            "device_id",
            "device_name",
            "node_id",
            "node_type",
            "gateway_id",
            "product_id",
            "product_name",
            "app_id",
            "app_name",
            "description",
        ),
    ),
    ("Status", ("status", "create_time", "active_time", "connection_status_update_time")),
    ("Software", ("fw_version", "sw_version", "device_sdk_version")),
    ("Authentication", ("auth_info",)),
    ("Tags", ("tags",)),
]
_SECRETS = frozenset({"secret", "secondary_secret", "fingerprint", "secondary_fingerprint"})


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _leaf(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _fields(prefix: str, name: str, value: Any) -> Iterator[DetailField]:
    label = f"{prefix} {_label(name)}".strip() if prefix else _label(name)
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _fields(label if name not in {"auth_info"} else "", key, inner)
    elif name == "tags" and isinstance(value, list):
        # Tags are [{tag_key, tag_value}]: one line each reads better than an index.
        for tag in value:
            if isinstance(tag, dict):
                yield DetailField(label=str(tag.get("tag_key")), value=_leaf(tag.get("tag_value")))
    elif isinstance(value, list):
        yield DetailField(label=label, value=", ".join(_leaf(v) for v in value))
    else:
        yield DetailField(label=label, value=_leaf(value), secret=name in _SECRETS)


def device_detail_from_body(body: dict[str, Any]) -> DeviceDetail:
    sections: list[DetailSection] = []
    used: set[str] = set()
    for title, keys in _SECTIONS:
        fields = [f for k in keys if body.get(k) is not None for f in _fields("", k, body[k])]
        used.update(keys)
        if fields:
            sections.append(DetailSection(title=title, fields=fields))
    other = [
        f for k, v in body.items() if k not in used and v is not None for f in _fields("", k, v)
    ]
    if other:
        sections.append(DetailSection(title="Other", fields=other))
    summary = device_summary_from_brief(body)
    return DeviceDetail(
        key=summary.key, name=summary.name, summary=summary, sections=sections, raw=body
    )


# ---------------------------------------------------------------- the adapter


class Iotda(Platform, DeviceDirectory, Products):
    """One IoTDA project (and instance), reached with AK/SK signing or an IAM token."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "Huawei IoTDA"
    # `query` goes to the vendor's `device_name` filter. The page does not say whether that
    # filter is exact or a prefix; Huawei's console treats it as an exact name, so a search
    # box on IoTDA finds a device by its full name (document this where the box is shown).
    SERVER_FILTER: ClassVar[bool] = True
    DEVICE_LABELS: ClassVar[dict[str, str]] = {
        "eui": "Node id",
        "connectivity": "Type",
        "model": "Product",
        "health": "Status",
        "last_activity": "Status since",
    }

    def __init__(
        self,
        base_url: str,
        project_id: str,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        token: str | None = None,
        instance_id: str | None = None,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        """Either `access_key` + `secret_key` (AK/SK signing) or `token`; `auth` overrides both."""
        self.base_url = base_url.rstrip("/")
        self.project_id = project_id
        self.instance_id = instance_id
        if auth is None:
            if token:
                auth = TokenAuth(token)
            elif access_key and secret_key:
                auth = AkSkAuth(access_key, secret_key, project_id=project_id)
            else:
                raise ValueError("IoTDA needs an access key and secret key, or a token")
        self.auth = auth
        headers = {"Instance-Id": instance_id} if instance_id else None
        self._api: ApiClient = make_client(
            NAME,
            self.base_url,
            parse_error=parse_error,
            auth=auth,
            verify=verify,
            retry=retry,
            transport=transport,
            headers=headers,
            secrets=(secret_key, token),
        )
        self._root = f"/v5/iot/{quote(project_id, safe='')}"

    def __repr__(self) -> str:
        return f"Iotda(base_url={self.base_url!r}, project_id={self.project_id!r})"

    async def aclose(self) -> None:
        await self._api.aclose()

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self._api.json(method, self._root + path, **kwargs)

    # ------------------------------------------------------------ products

    async def list_products(
        self, cursor: str | None = None, *, name: str | None = None, app_id: str | None = None
    ) -> Page[ProductSummary]:
        """One page of products below the marker `cursor`; `name` is the vendor's product_name."""
        params: dict[str, Any] = {"limit": PRODUCT_PAGE}
        if cursor:
            params["marker"] = cursor
        if name:
            params["product_name"] = name
        if app_id:
            params["app_id"] = app_id
        body = await self._json("GET", "/products", params=params)
        briefs = [b for b in (body or {}).get("products") or [] if isinstance(b, dict)]
        return Page[ProductSummary](
            items=[product_summary_from_brief(b) for b in briefs],
            cursor=page_cursor(body, briefs, PRODUCT_PAGE),
            total=_count(body) if cursor is None else None,
        )

    async def get_product(self, product_id: str, *, app_id: str | None = None) -> Product:
        params = {"app_id": app_id} if app_id else None
        body = await self._json("GET", _product_path(product_id), params=params)
        return _product(body, product_id)

    async def create_product(self, product: Product) -> Product:
        body = await self._json("POST", "/products", json=product.body())
        return _product(body, product.product_id or "(new)")

    async def update_product(self, product: Product) -> Product:
        if not product.product_id:
            raise ValueError("updating a product needs its product_id")
        body = product.body()
        # The update body has no product_id: the path names the product.
        body.pop("product_id", None)
        answer = await self._json("PUT", _product_path(product.product_id), json=body)
        return _product(answer, product.product_id)

    async def delete_product(self, product_id: str, *, app_id: str | None = None) -> None:
        params = {"app_id": app_id} if app_id else None
        await self._json("DELETE", _product_path(product_id), params=params)

    # ------------------------------------------------------------ devices

    async def list_devices(
        self,
        cursor: str | None = None,
        *,
        query: str | None = None,
        product_id: str | None = None,
        gateway_id: str | None = None,
        node_id: str | None = None,
        app_id: str | None = None,
    ) -> Page[DeviceSummary]:
        """One page in the vendor's order (descending id below the marker `cursor`)."""
        params: dict[str, Any] = {"limit": DEVICE_PAGE}
        if cursor:
            params["marker"] = cursor
        for key, value in (
            ("device_name", query),
            ("product_id", product_id),
            ("gateway_id", gateway_id),
            ("node_id", node_id),
            ("app_id", app_id),
        ):
            if value:
                params[key] = value
        body = await self._json("GET", "/devices", params=params)
        briefs = [b for b in (body or {}).get("devices") or [] if isinstance(b, dict)]
        return Page[DeviceSummary](
            items=[device_summary_from_brief(b) for b in briefs],
            cursor=page_cursor(body, briefs, DEVICE_PAGE),
            total=_count(body) if cursor is None else None,
        )

    async def get_device(self, key: str) -> DeviceDetail:
        body = await self._json("GET", f"/devices/{quote(key, safe='')}")
        if not isinstance(body, dict):
            raise ApiError(NAME, f"device {key} came back empty")
        return device_detail_from_body(body)

    async def delete_device(self, key: str) -> None:
        await self._json("DELETE", f"/devices/{quote(key, safe='')}")


def _product_path(product_id: str) -> str:
    return f"/products/{quote(product_id, safe='')}"


def _product(body: Any, product_id: str) -> Product:
    if not isinstance(body, dict):
        raise ApiError(NAME, f"product {product_id} came back empty")
    try:
        return Product.model_validate(body)
    except ValueError as exc:
        raise ApiError(NAME, f"product {product_id} came back malformed: {exc}") from None
