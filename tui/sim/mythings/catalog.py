"""The demo company's catalogues: thing types with their containers, vendors, connectivity plans,
configuration templates and business rules.

Choices where the vendor page is silent: the page's `ThingTypeDTO` has no id, yet `POST /things`
needs a `thingTypeId`; the simulator adds `id` to each thing type (the page's own examples use ids
10, 24 and 33, which are here: 10 temperature and humidity, 33 GPS tracker, 24 the Ethernet type).
Container ids follow the vendor's stream example (`0x0402.0x0000.0.m2m` for a temperature).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.sim.credentials import MYTHINGS_COMPANY_ID

COMPANY_ID = MYTHINGS_COMPANY_ID
COMPANY_NAME = "Fleet Demo"
#: The subscriber id of the company on the LoRa network (the vendor's stream example's CustomerID).
SUBSCRIBER_ID = "100000987"


@dataclass(frozen=True)
class ContainerDef:
    """One container of a thing type: what it measures and how the simulator makes its values."""

    container_id: int
    container: str
    name: str
    type: str
    unit: str
    #: How values are made: temperature, humidity, battery, motion, co2, door, pulse, location.
    kind: str


@dataclass(frozen=True)
class ThingType:
    """A thing type of the catalogue; `weight` is its share of the generated fleet."""

    id: int
    name: str
    vendor: str
    vendor_reference: str
    version: int
    connectivity: str  # LORA or ETHERNET
    containers: tuple[ContainerDef, ...]
    short: str
    #: The DevEUI block (6 hex digits) of the vendor; generated identifiers start with it.
    prefix: str
    #: Seconds between two uplinks.
    period: int
    weight: int


def _c(cid: int, container: str, name: str, kind: str, unit: str, type_: str = "") -> ContainerDef:
    return ContainerDef(cid, container, name, type_ or name.capitalize(), unit, kind)


TEMPERATURE = _c(1, "0x0402.0x0000.0.m2m", "temperature", "temperature", "°C")
HUMIDITY = _c(2, "0x0405.0x0000.0.m2m", "humidity", "humidity", "%")
BATTERY = _c(3, "0x0050.0x0006.0.m2m", "battery", "battery", "V")
MOTION = _c(4, "0x0406.0x0000.0.m2m", "motion", "motion", "count", "Occupancy")
CO2 = _c(5, "0x800C.0x0000.0.m2m", "co2", "co2", "ppm", "CO2")
DOOR = _c(6, "0x000F.0x0055.0.m2m", "door", "door", "", "Open/Close")
PULSE = _c(7, "0x000F.0x0402.0.m2m", "index", "pulse", "l", "Counter")
LOCATION = _c(8, "0x0000.0x0001.0.gps", "location", "location", "", "GPS")

THING_TYPES: tuple[ThingType, ...] = (
    ThingType(10, "Temperature and humidity", "NKE Watteco", "50-70-053", 1, "LORA",
              (TEMPERATURE, HUMIDITY, BATTERY), "TH", "70B3D5", 900, 30),
    ThingType(12, "PIR motion sensor", "Elsys", "ERS-EYE", 2, "LORA",
              (MOTION, TEMPERATURE, BATTERY), "PIR", "A81758", 600, 18),
    ThingType(15, "CO2 sensor", "Elsys", "ERS-CO2", 1, "LORA",
              (CO2, TEMPERATURE, HUMIDITY), "CO2", "A81759", 900, 14),
    ThingType(18, "Door contact", "Adeunis", "ARF8170", 1, "LORA",
              (DOOR, BATTERY), "DOOR", "0018B2", 1800, 12),
    ThingType(21, "Water meter pulse", "Adeunis", "ARF8230", 3, "LORA",
              (PULSE, BATTERY), "PULSE", "0018B3", 3600, 10),
    ThingType(33, "GPS tracker", "Abeeway", "MICRO-TRACKER", 2, "LORA",
              (LOCATION, TEMPERATURE, BATTERY), "GPS", "20635F", 1200, 16),
    ThingType(24, "Ethernet environment sensor", "Proximus", "ETH-ENV", 1, "ETHERNET",
              (TEMPERATURE, HUMIDITY), "ETH", "", 0, 0),
)  # fmt: skip
THING_TYPES_BY_ID = {t.id: t for t in THING_TYPES}
#: The types the generated fleet is made of (LoRa ones).
GENERATED_TYPES = tuple(t for t in THING_TYPES if t.weight)
VENDORS = sorted({t.vendor for t in THING_TYPES})

#: LoRa connectivity plans of the demo subscriber (the page's two examples, and a third).
CONNECTIVITY_PLANS: tuple[tuple[str, str], ...] = (
    ("pxs-iot-cs/96-up-transactions-0-down", "96 up transactions, 0 down"),
    ("pxs-iot-cs/288-up-transactions-24-down", "288 up transactions, 24 down"),
    ("pxs-iot-cs/1440-up-transactions-48-down", "1440 up transactions, 48 down"),
)
PLAN_IDS = tuple(plan_id for plan_id, _ in CONNECTIVITY_PLANS)

MOTION_INDICATORS = ("Near static", "Walking speed", "Vehicle speed", "Random")

#: Configuration templates: (uid, name, fPort, payload) sent by POST /downlink/template/{uid}.
CONFIGURATION_TEMPLATES: tuple[tuple[str, str, int, str], ...] = (
    ("2c9f8a7e-0b1d-4c6e-8f10-000000000001", "Reporting interval 10 minutes", 9, "0102000A"),
    ("2c9f8a7e-0b1d-4c6e-8f10-000000000002", "Reporting interval 1 hour", 9, "0102003C"),
    ("2c9f8a7e-0b1d-4c6e-8f10-000000000003", "Reboot", 2, "FF"),
    ("2c9f8a7e-0b1d-4c6e-8f10-000000000004", "Enable confirmed uplinks", 9, "0301"),
)
TEMPLATES_BY_UID = {t[0]: t for t in CONFIGURATION_TEMPLATES}


@dataclass(frozen=True)
class Rule:
    """A business rule, as the page's `rule` model, plus its id and the container it watches."""

    id: int
    name: str
    container: ContainerDef
    operator: str
    threshold: float
    action: str
    trigger_once: bool
    time_to_wait: int
    time_to_reset: int
    #: How many times it fired over the 30 days of history.
    fired: int

    def dto(self) -> dict[str, object]:
        """The page's `rule` model."""
        return {
            "action": self.action,
            "email": "ops@fleet-demo.example" if self.action == "EMAIL" else None,
            "name": self.name,
            "operator": self.operator,
            "operator2": None,
            "parameter1": self.container.name,
            "parameter2": None,
            "templateName": "Reboot" if self.action == "DOWNLINK" else None,
            "threshold": self.threshold,
            "threshold2": None,
            "timeToReset": self.time_to_reset,
            "timeToWait": self.time_to_wait,
            "triggerOnce": self.trigger_once,
        }


RULES: tuple[Rule, ...] = (
    Rule(501, "High temperature", TEMPERATURE, ">", 28.0, "EMAIL", False, 300, 3600, 120),
    Rule(502, "Frost warning", TEMPERATURE, "<", 3.0, "SMS", True, 600, 7200, 25),
    Rule(503, "Humid room", HUMIDITY, ">", 70.0, "EMAIL", False, 900, 3600, 60),
    Rule(504, "Low battery", BATTERY, "<", 3.2, "EMAIL", True, 0, 86400, 40),
    Rule(505, "CO2 too high", CO2, ">", 1200.0, "DOWNLINK", False, 300, 1800, 80),
    Rule(506, "Door left open", DOOR, "=", 1.0, "SMS", False, 1800, 3600, 45),
    Rule(507, "Motion after hours", MOTION, ">", 0.0, "EMAIL", False, 60, 600, 0),
)
RULES_BY_ID = {r.id: r for r in RULES}


def container_definitions() -> list[dict[str, str]]:
    """Every container of every thing type (`ContainerDefinitionDTO`)."""
    return [
        {
            "connectivityType": t.connectivity,
            "container": c.container,
            "name": c.name,
            "thingTypeName": t.name,
            "vendor": t.vendor,
        }
        for t in THING_TYPES
        for c in t.containers
    ]


def thing_type_dto(t: ThingType) -> dict[str, object]:
    """`ThingTypeDTO`, with the `id` POST /things needs (see the module docstring)."""
    return {
        "id": t.id,
        "connectivityType": t.connectivity,
        "name": t.name,
        "vendor": t.vendor,
        "vendorReference": t.vendor_reference,
        "version": t.version,
    }
