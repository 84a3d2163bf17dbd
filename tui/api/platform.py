"""The Platform base class and the capability interfaces that screens ask for.

A screen asks `isinstance(platform, TrafficHistory)`, never which vendor it is talking to. An
adapter subclasses `Platform` and every capability it implements; each capability is a small
abstract class of async methods that raise `ApiError` on failure.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from tui.api.models import (
    Alarm,
    BasicHttpsConnectionCreate,
    CellularDeviceCreate,
    Connection,
    ConnectivityPlan,
    DeviceDetail,
    DeviceModel,
    DeviceSummary,
    DeviceUpdate,
    Downlink,
    IotFlowMqttConnectionCreate,
    LoRaWanDeviceCreate,
    MulticastGroupCreate,
    NetworkContext,
    TrafficBucket,
)
from tui.api.paging import Page
from tui.api.products import Product, ProductSummary


class Platform(ABC):
    """One connected platform account. Create it with its profile; `aclose()` when done."""

    #: the vendor's id, for messages and error attribution ("thingpark", "iotda", …)
    name: ClassVar[str]
    #: the human name shown in the header
    title: ClassVar[str]

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections."""

    async def __aenter__(self) -> Platform:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class DeviceDirectory(ABC):
    """Lists devices page by page, shows one, deletes one."""

    #: whether `list_devices(query=…)` filters on the server
    SERVER_FILTER: ClassVar[bool] = False
    #: the platform's own words for DeviceSummary fields, where they differ from LoRaWAN's
    #: (e.g. {"eui": "Node id"}); the device list titles its columns with them
    DEVICE_LABELS: ClassVar[dict[str, str]] = {}

    @abstractmethod
    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """One page of devices in the vendor's order; `cursor` comes from the previous page."""

    @abstractmethod
    async def get_device(self, key: str) -> DeviceDetail: ...

    @abstractmethod
    async def delete_device(self, key: str) -> None: ...


class DeviceProvisioning(ABC):
    """Creates and updates LoRaWAN and cellular devices, with the look-ups their forms need."""

    @abstractmethod
    async def device_models(self, connectivity: str) -> list[DeviceModel]: ...

    @abstractmethod
    async def connectivity_plans(self, connectivity: str) -> list[ConnectivityPlan]: ...

    @abstractmethod
    async def network_contexts(self) -> list[NetworkContext]: ...

    @abstractmethod
    async def create_lorawan_device(self, spec: LoRaWanDeviceCreate) -> DeviceDetail: ...

    @abstractmethod
    async def create_cellular_device(self, spec: CellularDeviceCreate) -> DeviceDetail: ...

    @abstractmethod
    async def update_device(self, key: str, change: DeviceUpdate) -> DeviceDetail: ...


class TrafficHistory(ABC):
    """Aggregated uplink/downlink counters of a device over time."""

    @abstractmethod
    async def traffic(
        self, key: str, *, duration: str, step: str, timezone: str
    ) -> list[TrafficBucket]:
        """Buckets oldest first; `duration` and `step` are ISO-8601 durations (P7D, PT1H)."""


class Alarms(ABC):
    @abstractmethod
    async def list_alarms(
        self, cursor: str | None = None, *, device_key: str | None = None
    ) -> Page[Alarm]: ...

    @abstractmethod
    async def acknowledge_alarm(self, key: str) -> None: ...


class Connections(ABC):
    """Where device data goes: application servers and IoT Flow connections."""

    @abstractmethod
    async def list_connections(self) -> list[Connection]: ...

    @abstractmethod
    async def create_basic_https_connection(
        self, spec: BasicHttpsConnectionCreate
    ) -> Connection: ...

    @abstractmethod
    async def create_iot_flow_connection(self, spec: IotFlowMqttConnectionCreate) -> Connection: ...


class Downlinks(ABC):
    @abstractmethod
    async def send_downlink(self, key: str, downlink: Downlink) -> None: ...


class MulticastGroups(ABC):
    @abstractmethod
    async def create_multicast_group(self, spec: MulticastGroupCreate) -> str:
        """Create the group; return its key (EUI)."""


class Products(ABC):
    """IoTDA-style product models: list, show, create, update (whole body), delete."""

    @abstractmethod
    async def list_products(
        self, cursor: str | None = None, *, name: str | None = None
    ) -> Page[ProductSummary]:
        """One page of products; `name` filters on the server by product name."""

    @abstractmethod
    async def get_product(self, product_id: str) -> Product: ...

    @abstractmethod
    async def create_product(self, product: Product) -> Product:
        """Create it; the answer is the server's copy (with its product_id and create_time)."""

    @abstractmethod
    async def update_product(self, product: Product) -> Product:
        """Replace the product's definition (PUT of the whole body); the server's copy comes back."""

    @abstractmethod
    async def delete_product(self, product_id: str) -> None: ...
