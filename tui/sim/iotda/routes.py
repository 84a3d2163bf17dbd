"""The IoTDA v5 HTTP surface under /v5/iot/{project_id}: products (CRUD) and devices (list, show, add, update, delete).

Choices where the vendor page is silent:
- every route checks, in order: authentication (401, see auth.py), the path's project id (another
  one is 403 IOTDA.000002, as is an `X-Project-Id` header naming another project), then an
  optional `Instance-Id` header (anything but the demo instance is 403 IOTDA.000002: the instance
  is not the caller's);
- `limit` 1..50 (default 10) else 400 IOTDA.000017; `marker` 24 hex digits (default
  ffffffffffffffffffffffff) else 400 IOTDA.000018; `offset` 0..500 else 400 IOTDA.000006;
  an unknown `app_id` is 403 IOTDA.001000 (the application does not exist);
- POST /products answers 201 with the stored product (every capability key present, null when
  unset, `option` defaulting to Optional, `required` to false); an absent app_id puts it in the
  default resource space; the same product_id, or the same name in the same resource space, is
  409 IOTDA.013001;
- PUT /products/{id} replaces each updatable field the body carries (name, device_type,
  protocol_type, data_format, service_capabilities, manufacturer_name, industry, description) and
  keeps the others; the same rules apply; an `app_id` (body or query) other than the product's is
  404, as the product is looked up in that resource space; answers 200 with the product (also
  when nothing changed);
- DELETE /products/{id} answers 204; a product that devices still use is 409 IOTDA.013002;
- device lists: node_id, device_name and gateway_id filters are answered from the ids themselves
  (see data.py); the first count of a product_id or app_id filter is a scan of the fleet (about
  1 s a million devices, once) run in slices that give the event loop back (`tui/sim/slices.py`)
  and stop when the client disconnects; the vendor's own bounds (limit 50, offset 500) bound the
  rest;
- POST /devices (AddDevice) checks the body's fields in the SDK's order (validation.py), then the
  resource space (`app_id`, absent = the default one, as Huawei documents; unknown = 403
  IOTDA.001000), the product (it must exist in that resource space, else 404 IOTDA.013000), the
  gateway (`gateway_id` must name an existing device, else 400 IOTDA.000006; a device two levels
  below a direct one cannot be a gateway: "at most two levels of sub-devices"), then uniqueness:
  an existing device_id or node_id is 400 IOTDA.014031 "Invalid input. The device already
  exists.", the status and code Huawei's error table gives (node_id unique in the project, as the
  vendor requires of NB-IoT devices and as `{product_id}_{node_id}` ids imply within a product);
- a created device answers 201 with the whole device, its secret included (made by the platform
  when absent for SECRET; the SDK's "secret" is then 32 hex digits); `device_id` defaults to
  `{product_id}_{node_id}`, `device_name` to the node_id, `auth_info` to SECRET with
  `secure_access` true and `timeout` 0; it is INACTIVE, never connected (no active_time), a
  GATEWAY unless it has a gateway_id (ENDPOINT), lists first (newest record id) and shows without
  its secret, like every device; `shadow` is checked to be an array and not kept;
- PUT /devices/{id} (UpdateDevice) checks the body's fields in the SDK's order (validation.py)
  before it looks the device up (a bad body is 400 even for an unknown device, as Huawei's
  gateway validates the request model before the service runs; then an unknown device is 404
  IOTDA.014000); it changes device_name, description, extension_info (replaced whole) and
  auth_info.secure_access / timeout (stored for sub-devices too, though the SDK says timeout acts
  on directly connected ones only), keeps every field the body leaves out or sets to null
  (and an empty device_name: a device always has a name), and answers 200 with the device as
  Query a Device shows it (no secret), also when nothing changed; generated devices keep being
  generated, their changed fields stored beside them (data.py), so the change shows in GET, in
  the list and in its device_name filter;
- DELETE /devices/{id} answers 204; a device that still has sub-devices is 409 IOTDA.014002
  (Huawei: "delete them first"); generated devices are deleted too and stay deleted;
- GET /products/{id} and /devices/{id} answer 404 IOTDA.013000 / IOTDA.014000 when unknown;
- a body that is not JSON is 400 IOTDA.000008;
- operation counters (`tui/sim/ops.py`): `create`, `update` (a field changed) and `delete` of
  devices, key = device_id, and of products, key = product_id; errors and no-ops count nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tui.sim.config import SimConfig
from tui.sim.credentials import IOTDA_INSTANCE_ID, IOTDA_PROJECT_ID
from tui.sim.iotda import auth
from tui.sim.iotda.catalog import APPS, DEFAULT_APP
from tui.sim.iotda.data import DEFAULT_DEVICES, MAX_MARKER, Device, Project, huawei_time, public
from tui.sim.iotda.errors import (
    APP_NOT_FOUND,
    DEVICE_EXISTS,
    DEVICE_HAS_SUB_DEVICES,
    DEVICE_NOT_FOUND,
    FORBIDDEN,
    LIMIT_RANGE,
    MALFORMED,
    MARKER_RANGE,
    PRODUCT_EXISTS,
    PRODUCT_HAS_DEVICES,
    PRODUCT_NOT_FOUND,
    IotdaError,
    invalid,
)
from tui.sim.iotda.validation import (
    normalise_services,
    validate_device,
    validate_device_update,
    validate_product,
)
from tui.sim.ops import OpCounter
from tui.sim.slices import ClientGone, drive

BASE = "/v5/iot/{project_id}"
_HEX24 = re.compile(r"[0-9a-fA-F]{24}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
_UPDATABLE = (
    "name", "device_type", "protocol_type", "data_format", "service_capabilities",
    "manufacturer_name", "industry", "description",
)  # fmt: skip
_SUMMARY_KEYS = (
    "app_id", "app_name", "product_id", "name", "device_type", "protocol_type", "data_format",
    "manufacturer_name", "industry", "description", "create_time",
)  # fmt: skip

Handler = Callable[[Request, bytes], Awaitable[Response]]


def _int_param(request: Request, name: str, default: int, lo: int, hi: int, code: str) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        if code == LIMIT_RANGE:
            raise IotdaError(
                400, code, "Invalid input. The specified parameter 'limit' is out of range."
            )
        raise invalid(name, f"must be between {lo} and {hi}")
    return value


def _marker(request: Request) -> int:
    raw = request.query_params.get("marker") or MAX_MARKER
    if _HEX24.fullmatch(raw) is None:
        raise IotdaError(
            400, MARKER_RANGE, "Invalid input. The specified parameter 'marker' is out of range."
        )
    return int(raw, 16)


def _app_filter(request: Request) -> str | None:
    app_id = request.query_params.get("app_id")
    if app_id is None or app_id == "":
        return None
    _check_app(app_id)
    return app_id


def _check_app(app_id: str) -> None:
    if _ID.fullmatch(app_id) is None:
        raise invalid("app_id", "contains characters that are not allowed")
    if app_id not in APPS:
        raise IotdaError(403, APP_NOT_FOUND, "The application does not exist.")


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise IotdaError(
            400,
            MALFORMED,
            "Invalid input. Bad request, for more detail, refer to the error message: the body is not valid JSON.",
        ) from None


class IotdaApi:
    """The routes of one simulated IoTDA project."""

    def __init__(self, config: SimConfig, ops: OpCounter) -> None:
        self.config = config
        self.ops = ops
        self.project = Project(config.seed, config.fleet_size(DEFAULT_DEVICES))

    def _wrap(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            try:
                auth.verify(request, body, time.time())
                if request.path_params["project_id"] != IOTDA_PROJECT_ID:
                    raise IotdaError(403, FORBIDDEN, "Operation not allowed. The project_id does not belong to the authenticated user.")  # fmt: skip
                header_project = request.headers.get("x-project-id")
                if header_project is not None and header_project != IOTDA_PROJECT_ID:
                    raise IotdaError(403, FORBIDDEN, "Operation not allowed. X-Project-Id does not match the project_id in the path.")  # fmt: skip
                instance = request.headers.get("instance-id")
                if instance is not None and instance != IOTDA_INSTANCE_ID:
                    raise IotdaError(403, FORBIDDEN, "Operation not allowed. The instance does not exist or does not belong to the user.")  # fmt: skip
                return await handler(request, body)
            except IotdaError as exc:
                return exc.response()
            except ClientGone:
                return Response(status_code=499)  # nobody reads it: the client has gone

        return endpoint

    # -- products --------------------------------------------------------------------------

    def _product(self, request: Request, app_id: str | None = None) -> tuple[str, dict[str, Any]]:
        found = self.project.find_product(request.path_params["product_id"])
        app_id = app_id or _app_filter(request)
        if found is None or (app_id is not None and found[1]["app_id"] != app_id):
            raise IotdaError(404, PRODUCT_NOT_FOUND, "The product does not exist.")
        return found

    def _name_taken(self, name: str, app_id: str, except_rid: str | None = None) -> bool:
        return any(
            p["name"] == name and p["app_id"] == app_id and rid != except_rid
            for rid, p in self.project.products.items()
        )

    async def create_product(self, request: Request, body: bytes) -> Response:
        data = _json_body(body)
        validate_product(data, create=True)
        app_id = data.get("app_id") or DEFAULT_APP[0]
        _check_app(app_id)
        product_id = data.get("product_id")
        if product_id is not None and self.project.find_product(product_id) is not None:
            raise IotdaError(
                409, PRODUCT_EXISTS, f"The product already exists: product_id {product_id}."
            )
        if self._name_taken(data["name"], app_id):
            raise IotdaError(409, PRODUCT_EXISTS, f"The product already exists: name {data['name']} in this resource space.")  # fmt: skip
        rid = self.project.new_record_id()
        product = {
            "app_id": app_id,
            "app_name": APPS[app_id],
            "product_id": product_id or rid,
            "name": data["name"],
            "device_type": data["device_type"],
            "protocol_type": data["protocol_type"],
            "data_format": data["data_format"],
            "manufacturer_name": data.get("manufacturer_name"),
            "industry": data.get("industry"),
            "description": data.get("description"),
            "service_capabilities": normalise_services(data["service_capabilities"]),
            "create_time": huawei_time(int(rid[:8], 16)),
        }
        self.project.products[rid] = product
        self.ops.count(product["product_id"], "create")
        return JSONResponse(product, status_code=201)

    async def list_products(self, request: Request, body: bytes) -> Response:
        limit = _int_param(request, "limit", 10, 1, 50, LIMIT_RANGE)
        offset = _int_param(request, "offset", 0, 0, 500, "")
        marker = _marker(request)
        app_id = _app_filter(request)
        name = request.query_params.get("product_name") or None
        if name is not None and len(name) > 64:
            raise invalid("product_name", "must be at most 64 characters")
        rows = [
            (rid, p)
            for rid, p in sorted(self.project.products.items(), reverse=True)
            if (app_id is None or p["app_id"] == app_id) and (name is None or p["name"] == name)
        ]
        below = [(rid, p) for rid, p in rows if int(rid, 16) < marker]
        page = below[offset : offset + limit]
        return JSONResponse(
            {
                "products": [{k: p[k] for k in _SUMMARY_KEYS} for _, p in page],
                "page": {"count": len(rows), "marker": page[-1][0] if page else None},
            }
        )

    async def show_product(self, request: Request, body: bytes) -> Response:
        return JSONResponse(self._product(request)[1])

    async def update_product(self, request: Request, body: bytes) -> Response:
        data = _json_body(body)
        validate_product(data, create=False)
        body_app = data.get("app_id")
        if body_app is not None:
            _check_app(body_app)
        rid, product = self._product(request, body_app)
        name = data.get("name")
        if name is not None and self._name_taken(name, product["app_id"], except_rid=rid):
            raise IotdaError(409, PRODUCT_EXISTS, f"The product already exists: name {name} in this resource space.")  # fmt: skip
        changed = False
        for key in _UPDATABLE:
            if data.get(key) is not None:
                value = (
                    normalise_services(data[key]) if key == "service_capabilities" else data[key]
                )
                changed |= product[key] != value
                product[key] = value
        if changed:
            self.ops.count(product["product_id"], "update")
        return JSONResponse(product)

    async def delete_product(self, request: Request, body: bytes) -> Response:
        rid, product = self._product(request)
        if await drive(self.project.devices_of(product["product_id"]), request):
            raise IotdaError(409, PRODUCT_HAS_DEVICES, "Operation not allowed. Devices still use this product; delete them first.")  # fmt: skip
        del self.project.products[rid]
        self.ops.count(product["product_id"], "delete")
        return Response(status_code=204)

    # -- devices ---------------------------------------------------------------------------

    async def list_devices(self, request: Request, body: bytes) -> Response:
        limit = _int_param(request, "limit", 10, 1, 50, LIMIT_RANGE)
        offset = _int_param(request, "offset", 0, 0, 500, "")
        marker = _marker(request)
        filters: dict[str, str] = {}
        for key, max_len in (("product_id", 36), ("gateway_id", 128), ("node_id", 64), ("device_name", 256)):  # fmt: skip
            value = request.query_params.get(key)
            if value:
                if len(value) > max_len:
                    raise invalid(key, f"must be at most {max_len} characters")
                filters[key] = value
        app_id = _app_filter(request)
        if app_id is not None:
            filters["app_id"] = app_id
        project = self.project
        rows = await drive(project.page(filters, marker, offset, limit), request)
        # Read before the count's scan gives other requests a turn (they may delete a device).
        devices = [project.summary(device) for _, device in rows]
        count = await drive(project.count(filters), request)
        return JSONResponse(
            {
                "devices": devices,
                "page": {"count": count, "marker": f"{rows[-1][0]:024x}" if rows else None},
            }
        )

    def _device(self, request: Request) -> Device:
        device = self.project.find(request.path_params["device_id"])
        if device is None:
            raise IotdaError(404, DEVICE_NOT_FOUND, "The device does not exist.")
        return device

    async def show_device(self, request: Request, body: bytes) -> Response:
        return JSONResponse(self.project.show(self._device(request)))

    async def create_device(self, request: Request, body: bytes) -> Response:
        data = _json_body(body)
        validate_device(data)
        app_id = data.get("app_id") or DEFAULT_APP[0]
        _check_app(app_id)
        project = self.project
        found = project.find_product(data["product_id"])
        if found is None or found[1]["app_id"] != app_id:
            raise IotdaError(404, PRODUCT_NOT_FOUND, "The product does not exist.")
        gateway = None
        if data.get("gateway_id") is not None:
            gateway = project.find(data["gateway_id"])
            if gateway is None:
                raise invalid("gateway_id", "names no existing device")
            if project.depth(gateway) >= 2:
                raise invalid("gateway_id", "is a second-level sub-device: two levels at most")
        device_id = data.get("device_id") or f"{data['product_id']}_{data['node_id']}"
        if project.find(device_id) is not None:
            raise IotdaError(400, DEVICE_EXISTS, f"Invalid input. The device already exists: device_id {device_id}.")  # fmt: skip
        if project.node_taken(data["node_id"]):
            raise IotdaError(400, DEVICE_EXISTS, f"Invalid input. The device already exists: node_id {data['node_id']}.")  # fmt: skip
        device = project.create(data, found[1], gateway)
        self.ops.count(device["device_id"], "create")
        return JSONResponse(public(device), status_code=201)

    async def update_device(self, request: Request, body: bytes) -> Response:
        data = _json_body(body)
        validate_device_update(data)
        device = self._device(request)
        if self.project.update(device, data):
            self.ops.count(self.project.device_id_of(device), "update")
        return JSONResponse(self.project.show(device))

    async def delete_device(self, request: Request, body: bytes) -> Response:
        device = self._device(request)
        if self.project.has_sub_devices(device):
            raise IotdaError(409, DEVICE_HAS_SUB_DEVICES, "Operation not allowed. The device still has sub-devices; delete them first.")  # fmt: skip
        device_id = self.project.device_id_of(device)
        self.project.delete(device)
        self.ops.count(device_id, "delete")
        return Response(status_code=204)

    def routes(self) -> list[BaseRoute]:
        w = self._wrap
        return [
            Route(BASE + "/products", w(self.create_product), methods=["POST"]),
            Route(BASE + "/products", w(self.list_products), methods=["GET"]),
            Route(BASE + "/products/{product_id}", w(self.show_product), methods=["GET"]),
            Route(BASE + "/products/{product_id}", w(self.update_product), methods=["PUT"]),
            Route(BASE + "/products/{product_id}", w(self.delete_product), methods=["DELETE"]),
            Route(BASE + "/devices", w(self.list_devices), methods=["GET"]),
            Route(BASE + "/devices", w(self.create_device), methods=["POST"]),
            Route(BASE + "/devices/{device_id}", w(self.show_device), methods=["GET"]),
            Route(BASE + "/devices/{device_id}", w(self.update_device), methods=["PUT"]),
            Route(BASE + "/devices/{device_id}", w(self.delete_device), methods=["DELETE"]),
        ]


__all__ = ["IotdaApi"]
