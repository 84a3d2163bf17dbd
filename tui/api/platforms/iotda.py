"""The Huawei IoTDA v5 adapter: products and devices under /v5/iot/{project_id}, AK/SK-signed or token."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from tui.api.errors import require_key
from tui.api.forms import Choice, FormSpec, KeySpec
from tui.api.http import Answer, ApiClient, ErrorBody, RetryPolicy, make_client
from tui.api.models import DetailField, DetailSection, DeviceDetail, DeviceSummary
from tui.api.paging import Page, cursor_read, walk
from tui.api.platform import (
    DeviceCreation,
    DeviceDirectory,
    DeviceEditing,
    HttpPlatform,
    Identity,
    Products,
)
from tui.api.platforms.iotda_forms import (
    IotdaDescriptionChange,
    IotdaDeviceCreate,
    IotdaNameChange,
)
from tui.api.platforms.iotda_signer import AkSkAuth, TokenAuth
from tui.api.products import Product, ProductSummary
from tui.api.wire import Count, Key, WireModel, object_body

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


class _PageInfo(WireModel):
    count: Count = None
    marker: str | None = None


B = TypeVar("B")  # a row's wire model
R = TypeVar("R")


class _Listing(WireModel, Generic[B]):
    """A marker-paged list: its rows under the list's own name, and `page`."""

    page: _PageInfo = _PageInfo()

    @property
    def rows(self) -> list[B]:
        raise NotImplementedError


def page_cursor(body: Any, items: list[Any], limit: int) -> str | None:
    """The next page's marker: the page's `marker` when the page was full, else none.

    The vendor returns the marker of the last record on every page and says nothing of "more";
    a short page is the last one. A full last page costs one extra, empty request.
    """
    return _next_marker(_Listing.model_validate(body).page, items, limit)


def _next_marker(page: _PageInfo, items: list[Any], limit: int) -> str | None:
    return page.marker if page.marker and len(items) >= limit else None


#: IoTDA's time formats: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` for connection_status_update_time and
#: active_time (the SDK's ShowDeviceResponse), `yyyyMMdd'T'HHmmss'Z'` for create_time.
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%Y%m%dT%H%M%SZ")


def _time(value: str | None) -> datetime | None:
    """A vendor time in any of its formats, as an aware UTC datetime; None when it is none."""
    for layout in _TIME_FORMATS:
        try:
            return datetime.strptime(value or "", layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class _ProductBrief(WireModel):
    product_id: Key | None = None
    name: str | None = None
    device_type: str | None = None
    protocol_type: str | None = None
    data_format: str | None = None
    industry: str | None = None
    manufacturer_name: str | None = None
    app_id: str | None = None
    create_time: str | None = None
    service_capabilities: list[Any] | None = None


class _Products(_Listing[_ProductBrief]):
    products: list[_ProductBrief]

    @property
    def rows(self) -> list[_ProductBrief]:
        return self.products


def _product_summary(brief: _ProductBrief) -> ProductSummary:
    services = brief.service_capabilities
    return ProductSummary(
        product_id=brief.product_id or "",
        name=brief.name or "",
        device_type=brief.device_type,
        protocol_type=brief.protocol_type,
        data_format=brief.data_format,
        industry=brief.industry,
        manufacturer_name=brief.manufacturer_name,
        app_id=brief.app_id,
        create_time=brief.create_time,
        # The vendor's list rows carry no services; the count is known only when they are there.
        services=len(services) if services is not None else None,
    )


def product_summary_from_brief(brief: dict[str, Any]) -> ProductSummary:
    return _product_summary(_ProductBrief.model_validate(brief))


class _DeviceBrief(WireModel):
    device_id: Key | None = None
    device_name: str | None = None
    node_id: str | None = None
    node_type: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    status: str | None = None
    connection_status_update_time: str | None = None


class _Devices(_Listing[_DeviceBrief]):
    devices: list[_DeviceBrief]

    @property
    def rows(self) -> list[_DeviceBrief]:
        return self.devices


def _device_summary(brief: _DeviceBrief) -> DeviceSummary:
    device_id = brief.device_id or ""
    return DeviceSummary(
        key=device_id,
        name=brief.device_name or device_id,
        # node_id is the physical device's own identifier (often its IMEI or EUI).
        eui=brief.node_id,
        model=brief.product_name or brief.product_id,
        connectivity=brief.node_type,
        health=brief.status,
        last_activity=_time(brief.connection_status_update_time),
    )


def device_summary_from_brief(brief: dict[str, Any]) -> DeviceSummary:
    return _device_summary(_DeviceBrief.model_validate(brief))


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
    elif name.endswith("_time") and isinstance(value, str) and (when := _time(value)):
        # Shown like every time fleet shows: the screen puts it in the profile's time zone.
        yield DetailField(label=label, value=when.strftime("%Y-%m-%d %H:%M:%S UTC"))
    else:
        yield DetailField(label=label, value=_leaf(value), secret=name in _SECRETS)


def device_detail_from_body(body: dict[str, Any], key: str | None = None) -> DeviceDetail:
    """A device (`GET /devices/{device_id}`) in sections; `key` is the id it was asked for,
    should the body not say it."""
    summary = device_summary_from_brief(body)
    if not summary.key and key:
        summary = summary.model_copy(update={"key": key, "name": summary.name or key})
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
    return DeviceDetail(
        key=summary.key, name=summary.name, summary=summary, sections=sections, raw=body
    )


# ---------------------------------------------------------------- the adapter


#: the longest node id and device name the device list's filters take (the vendor's bounds)
FILTER_MAX = {"node_id": 64, "name": 256}


def mask_access_key(access_key: str) -> str:
    """An access key id as the profile test shows it: its first 4 and last 2 characters."""
    if len(access_key) <= 8:
        return "…"
    return f"{access_key[:4]}…{access_key[-2:]}"


class Iotda(HttpPlatform, DeviceDirectory, DeviceCreation, DeviceEditing, Products, Identity):
    """One IoTDA project (and instance), reached with AK/SK signing or an IAM token."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "Huawei IoTDA"
    DEVICE_KEY: ClassVar[KeySpec] = KeySpec(
        "device id",
        r"[A-Za-z0-9_-]{1,128}",
        hint="up to 128 letters, digits, _ or -",
        placeholder="6512a3f0c2a1b0d7e8f90123_864975040010001",
    )
    # `query` goes to the vendor's `device_name` filter. The page does not say whether that
    # filter is exact or a prefix; Huawei's console treats it as an exact name, so the device
    # list asks the server only for `/=full name` (a regular expression stays on the screen).
    SERVER_LOOKUP: ClassVar[str | None] = "name"
    # The overview's search: the device id (ShowDevice), and the list's `device_name` and
    # `node_id` filters (an NB-IoT device's node id is its IMEI).
    LOOKUPS: ClassVar[tuple[str, ...]] = ("key", "name", "node_id")
    # The vendor's list rows (QueryDeviceSimplify) carry no time and no connection: those
    # columns would stay empty, so the list has none; a device's detail shows its times.
    DEVICE_LABELS: ClassVar[dict[str, str | None]] = {
        "eui": "Node id",
        "connectivity": "Type",
        "activation": None,
        "model": "Product",
        "connection": None,
        "health": "Status",
        "last_activity": None,
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
        self._access_key = access_key if not token else None
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
        #: product_id → its resource space (app_id), as the product list last said
        self._spaces: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"Iotda(base_url={self.base_url!r}, project_id={self.project_id!r})"

    async def _answer(self, method: str, path: str, **kwargs: Any) -> Answer:
        return await self._api.answer(method, self._root + path, **kwargs)

    async def _page(
        self,
        path: str,
        listing: type[_Listing[B]],
        row: Callable[[B], R],
        limit: int,
        cursor: str | None,
        filters: dict[str, str | None],
    ) -> Page[R]:
        """One page of a marker-paged list, below `cursor`, with the filters that are set."""
        params: dict[str, Any] = {"limit": limit, **({"marker": cursor} if cursor else {})}
        params.update({k: v for k, v in filters.items() if v})
        answer = await self._answer("GET", path, params=params)
        found = answer.read(listing.model_validate)
        after = answer.read(lambda _: _next_marker(found.page, found.rows, limit))
        await cursor_read(after)  # a walk asks for the next page before these rows are read
        return answer.read(
            lambda _: Page[R](
                items=[row(b) for b in found.rows],
                cursor=after,
                total=found.page.count if cursor is None else None,
            )
        )

    # ------------------------------------------------------------ products

    async def list_products(
        self, cursor: str | None = None, *, name: str | None = None, app_id: str | None = None
    ) -> Page[ProductSummary]:
        """One page of products below the marker `cursor`; `name` is the vendor's product_name."""
        filters = {"product_name": name, "app_id": app_id}
        return await self._page(
            "/products", _Products, _product_summary, PRODUCT_PAGE, cursor, filters
        )

    async def get_product(self, product_id: str, *, app_id: str | None = None) -> Product:
        params = {"app_id": app_id} if app_id else None
        answer = await self._answer("GET", _product_path(product_id), params=params)
        return answer.read(Product.model_validate)

    async def create_product(self, product: Product) -> Product:
        answer = await self._answer("POST", "/products", json=product.body())
        return answer.read(Product.model_validate)

    async def update_product(self, product: Product) -> Product:
        path = _product_path(product.product_id)
        body = product.body()
        # The update body has no product_id: the path names the product.
        body.pop("product_id", None)
        answer = await self._answer("PUT", path, json=body)
        return answer.read(Product.model_validate)

    async def delete_product(self, product_id: str, *, app_id: str | None = None) -> None:
        params = {"app_id": app_id} if app_id else None
        await self._api.request("DELETE", self._root + _product_path(product_id), params=params)

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
        filters = {
            "device_name": query,
            "product_id": product_id,
            "gateway_id": gateway_id,
            "node_id": node_id,
            "app_id": app_id,
        }
        return await self._page("/devices", _Devices, _device_summary, DEVICE_PAGE, cursor, filters)

    async def find_devices(self, text: str, *, by: str) -> list[DeviceSummary]:
        """ "node_id" is the list's `node_id` filter (exact; unique in a project); the key and
        the name as every platform looks them up."""
        text = text.strip()
        if len(text) > FILTER_MAX.get(by, len(text)):
            return []  # longer than the filter takes: no device has it
        if by != "node_id":
            return await super().find_devices(text, by=by)
        if not text:
            return []
        return list((await self.list_devices(node_id=text)).items)

    async def whoami(self) -> str:
        """IoTDA names no caller: the project (and instance) the signed calls go to, proved
        by one call of the device list, and the access key, masked (never the secret key)."""
        await self.list_devices()
        who = f"project {self.project_id}"
        if self.instance_id:
            who += f", instance {self.instance_id}"
        if self._access_key:
            return f"{who}, access key {mask_access_key(self._access_key)}"
        return f"{who}, with an IAM token"

    async def get_device(self, key: str) -> DeviceDetail:
        device_id = require_key(NAME, key, "the device")
        answer = await self._answer("GET", f"/devices/{quote(device_id, safe='')}")
        return answer.read(lambda body: device_detail_from_body(object_body(body), device_id))

    async def delete_device(self, key: str) -> None:
        device_id = require_key(NAME, key, "the device")
        await self._api.request("DELETE", f"{self._root}/devices/{quote(device_id, safe='')}")

    async def add_device(self, spec: IotdaDeviceCreate) -> DeviceDetail:
        """AddDevice: register a directly connected device (201 with the device).

        The device goes to its product's resource space (`app_id`): without one, IoTDA puts it
        in the default space, where a product of another space does not exist.
        """
        body = spec.body()
        app_id = await self._space_of(spec.product_id)
        if app_id:
            body["app_id"] = app_id
        answer = await self._answer("POST", "/devices", json=body, secrets=(spec.secret,))
        return answer.read(lambda body: device_detail_from_body(object_body(body), None))

    async def _products(self) -> list[ProductSummary]:
        products = [p async for page in walk(self.list_products, platform=NAME) for p in page.items]
        self._spaces = {p.product_id: p.app_id for p in products}
        return products

    async def _space_of(self, product_id: str) -> str | None:
        if product_id not in self._spaces:
            await self._products()
        return self._spaces.get(product_id)

    # ------------------------------------------------------------ the capabilities' forms

    async def _product_choices(self) -> list[Choice]:
        return [Choice(f"{p.name} ({p.product_id})", p.product_id) for p in await self._products()]

    def device_forms(self) -> list[FormSpec]:
        return [
            FormSpec(
                "device",
                "device",
                IotdaDeviceCreate,
                key="d",
                choices={"product_id": self._product_choices},
                conflict_field="node_id",
                conflict_codes=("IOTDA.014031",),  # "The device already exists" (HTTP 400)
            )
        ]

    def created_key(self, form: str, values: BaseModel) -> str | None:
        # IoTDA names a device it registers `{product_id}_{node_id}` (no device_id is sent).
        if form == "device" and isinstance(values, IotdaDeviceCreate):
            return f"{values.product_id}_{values.node_id}"
        return None

    async def create_device(self, form: str, values: BaseModel) -> str:
        if form != "device" or not isinstance(values, IotdaDeviceCreate):
            raise ValueError(f"no device form {form!r} takes {type(values).__name__}")
        return (await self.add_device(values)).key

    def device_edit_forms(self) -> list[FormSpec]:
        return [
            FormSpec("name", "name", IotdaNameChange, key="n", submit="Rename"),
            FormSpec("description", "description", IotdaDescriptionChange, key="D", submit="Set"),
        ]

    async def edit_device(self, key: str, form: str, values: BaseModel) -> None:
        """UpdateDevice (PUT /devices/{device_id}): sets what the form names, keeps the rest."""
        if not (
            (form == "name" and isinstance(values, IotdaNameChange))
            or (form == "description" and isinstance(values, IotdaDescriptionChange))
        ):
            raise ValueError(f"no edit form {form!r} takes {type(values).__name__}")
        device_id = require_key(NAME, key, "the device")
        answer = await self._answer(
            "PUT", f"/devices/{quote(device_id, safe='')}", json=values.body()
        )
        answer.read(lambda body: device_detail_from_body(object_body(body), device_id))


def _product_path(product_id: str | None) -> str:
    return f"/products/{quote(require_key(NAME, product_id, 'the product'), safe='')}"
