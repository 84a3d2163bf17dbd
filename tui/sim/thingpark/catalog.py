"""The subscriber's small fixed resources: device models, connectivity plans, network contexts, app servers.

Shapes follow the vendor page's briefs. Model IDs `SMTC/LoRaMoteA.1_EU` and `CUSTOM/LTE_Dongle`,
the plan `acme-cs/cellular-cp` and the network context `1AF3B` are the page's own examples, so the
page's request bodies work as written (with this subscriber's app server IDs).
"""

from __future__ import annotations

from typing import Any

from tui.sim.credentials import THINGPARK_SUBSCRIBER_ID

OSS_BASE = "/thingpark/wireless/rest"
SUB_HREF = f"{OSS_BASE}/subscriptions/{THINGPARK_SUBSCRIBER_ID}"
LOGO = f"{OSS_BASE}/resources/files/logo/deviceProfile"

_VENDORS: dict[str, dict[str, str]] = {
    "semtech": {
        "name": "Semtech",
        "commercialName": "Semtech",
        "commercialDescription": "Supplier of analog and mixed-signal semiconductors.",
        "ID": "semtech",
    },
    "microchip": {
        "name": "Microchip",
        "commercialName": "Microchip Technology",
        "commercialDescription": "Microcontroller, mixed-signal and LoRa module supplier.",
        "ID": "microchip",
    },
    "milesight": {
        "name": "Milesight",
        "commercialName": "Milesight IoT",
        "commercialDescription": "LoRaWAN sensors and gateways.",
        "ID": "milesight",
    },
    "adeunis": {
        "name": "Adeunis",
        "commercialName": "Adeunis",
        "commercialDescription": "Industrial LoRaWAN field test devices and sensors.",
        "ID": "adeunis",
    },
    "elsys": {
        "name": "Elsys",
        "commercialName": "ELSYS.se",
        "commercialDescription": "Indoor environment sensors.",
        "ID": "elsys",
    },
    "generic": {
        "name": "Generic",
        "commercialName": "Generic",
        "commercialDescription": "Generic devices.",
        "ID": "generic",
    },
}

_EU_BANDS = [
    {"name": "EU863-870 (EU868)", "ID": "eu868"},
    {"name": "RU864-870 (RU864)", "ID": "ru864"},
]


def _lora(
    model_id: str,
    name: str,
    vendor: str,
    logo: int,
    short: str,
    minor: int = 3,
    motion: str = "RANDOM",
) -> dict[str, Any]:
    return {
        "commercialName": name,
        "typeMAC": "LoRaMAC",
        "vendor": _VENDORS[vendor],
        "connectivity": "LORAWAN",
        "macMajorVersion": 0 if minor < 4 else 1,
        "macMinorVersion": minor,
        "motionModelIndicator": motion,
        "ID": model_id,
        "defaultIsmBands": _EU_BANDS,
        # Not in the vendor brief: where the model's logo lives and a short name for device names.
        "_logo": f"{LOGO}/{logo}",
        "_short": short,
    }


def _cell(model_id: str, name: str, logo: int, short: str) -> dict[str, Any]:
    return {
        "commercialName": name,
        "vendor": _VENDORS["generic"],
        "connectivity": "CELLULAR",
        "motionModelIndicator": "RANDOM",
        "ID": model_id,
        "_logo": f"{LOGO}/{logo}",
        "_short": short,
    }


MODELS: list[dict[str, Any]] = [
    _lora("SMTC/LoRaMoteA.1_EU", "LoRaMote EU fw4 - class A", "semtech", 42, "LoRaMote"),
    _lora("MCHP/RN2483A.1_EU", "RN2483 Class A EU", "microchip", 43, "RN2483"),
    _lora("MILESIGHT/EM300-TH.1_EU", "EM300-TH Temperature & Humidity", "milesight", 44, "EM300"),
    _lora("MILESIGHT/WS101.1_EU", "WS101 Smart Button", "milesight", 45, "WS101"),
    _lora("ADEUNIS/FTD.1_EU", "Field Test Device", "adeunis", 46, "FTD", motion="MOBILE"),
    _lora("ADEUNIS/PULSE.1_EU", "Pulse Meter Interface", "adeunis", 47, "Pulse", minor=4),
    _lora("ELSYS/ERS-CO2.1_EU", "ERS CO2", "elsys", 48, "ERS-CO2", minor=4),
    _lora("ELSYS/EMS-DOOR.1_EU", "EMS Door", "elsys", 49, "EMS-Door", minor=4),
    _cell("CUSTOM/LTE_Dongle", "LTE Dongle", 50, "LTE-Dongle"),
    _cell("CUSTOM/NBIOT_Meter", "NB-IoT Water Meter", 51, "NB-Meter"),
]
MODELS_BY_ID = {m["ID"]: m for m in MODELS}


def public(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource without the simulator's private `_` keys."""
    return {k: v for k, v in resource.items() if not k.startswith("_")}


NETWORK_SUBSCRIPTIONS: list[dict[str, Any]] = [
    {
        "commercialName": "LoRaWAN CP",
        "ID": "actility-cs/lorawan-cp",
        "supplier": {"ID": "actility-cs", "commercialName": "Actility Connectivity Supplier"},
        "used": 0,
        "granted": 10_000_000,
        "href": f"{SUB_HREF}/networkSubscriptions/97",
        "connectivity": "LORAWAN",
        "communicationType": "UNICAST",
        "nwGeolocalization": False,
        "prAllowed": False,
        "maxDestinationPerRoute": 5,
        "thingParkCloudRouting": True,
        "thirdPartyAppServersRouting": True,
        "thingParkKafkaRouting": False,
    },
    {
        "commercialName": "LoRaWAN Multicast CP",
        "ID": "actility-cs/lorawan-mc-cp",
        "supplier": {"ID": "actility-cs", "commercialName": "Actility Connectivity Supplier"},
        "used": 0,
        "granted": 1000,
        "href": f"{SUB_HREF}/networkSubscriptions/99",
        "connectivity": "LORAWAN",
        "communicationType": "MULTICAST",
        "nwGeolocalization": False,
        "prAllowed": False,
        "maxDestinationPerRoute": 5,
        "thingParkCloudRouting": True,
        "thirdPartyAppServersRouting": True,
        "thingParkKafkaRouting": False,
    },
    {
        "commercialName": "Cellular CP",
        "ID": "acme-cs/cellular-cp",
        "supplier": {"ID": "acme-cs", "commercialName": "ACME Connectivity Supplier"},
        "used": 0,
        "granted": 10_000_000,
        "href": f"{SUB_HREF}/networkSubscriptions/98",
        "connectivity": "CELLULAR",
        "communicationType": "UNICAST",
        "nwGeolocalization": False,
        "prAllowed": False,
        "maxDestinationPerRoute": 5,
        "thingParkCloudRouting": True,
        "thirdPartyAppServersRouting": True,
        "thingParkKafkaRouting": False,
    },
]
NETWORK_SUBSCRIPTIONS_BY_ID = {n["ID"]: n for n in NETWORK_SUBSCRIPTIONS}

_OCC = {"version": 0, "lastUpdate": 1546598395000, "who": "John Doe"}

NETWORK_CONTEXTS: list[dict[str, Any]] = [
    {
        "ID": "1AF3B",
        "name": "My cellular network context",
        "mode": "MIXED",
        "gtpTunnel": {
            "subnet": "10.20.0.0/16",
            "dhcpPool": "10.20.0.1-10.20.255.254",
            "dns1": "10.10.0.1",
            "dns2": "10.10.0.2",
        },
        "greTunnels": [{"peerAddress": "192.0.2.1"}],
        "messageRouting": {"sourcePort": 45826},
        "appServersReporting": {"microflowEvents": False},
        "occContext": _OCC,
    },
    {
        "ID": "2C81D",
        "name": "Metering network context",
        "mode": "MESSAGE",
        "gtpTunnel": {
            "subnet": "10.30.0.0/16",
            "dhcpPool": "10.30.0.1-10.30.255.254",
            "dns1": "10.10.0.1",
            "dns2": "10.10.0.2",
        },
        "greTunnels": [{"peerAddress": "192.0.2.2"}],
        "messageRouting": {"sourcePort": 45827},
        "appServersReporting": {"microflowEvents": True},
        "occContext": _OCC,
    },
]
NETWORK_CONTEXTS_BY_ID = {c["ID"]: c for c in NETWORK_CONTEXTS}


def app_server_id(ref: int) -> str:
    """The OSS ID of an app server (connection) from its numeric ref."""
    return f"TWA_{THINGPARK_SUBSCRIBER_ID}.{ref}.AS"


def _app_server(ref: int, name: str, type_: str, lora: bool, cell: bool) -> dict[str, Any]:
    return {
        "ID": app_server_id(ref),
        "baseStationCount": 0,
        "deviceCount": 0,
        "href": f"{SUB_HREF}/appServers/{ref}",
        "multicastGroupCount": 0,
        "name": name,
        "state": "ACTIVE",
        "healthState": "ACTIVE",
        "notification": {"baseStationAlarms": True, "deviceAlarms": True},
        "type": type_,
        "validationState": "VALIDATED",
        "_ref": ref,
        # Which generated devices use it: LoRaWAN and/or cellular ones.
        "_lora": lora,
        "_cell": cell,
    }


def seed_app_servers() -> list[dict[str, Any]]:
    """The connections the demo subscriber starts with (fresh copies: they are mutable)."""
    servers = [
        _app_server(1972, "my MQTT application", "KAFKA", True, False),
        _app_server(1973, "Building management HTTPS", "HTTP", True, False),
        _app_server(1974, "Smart metering IoT Flow", "TPX_IOT_FLOW", True, True),
        _app_server(1975, "Asset tracking Kafka", "KAFKA", True, False),
        _app_server(1976, "Cellular message routing", "HTTP", False, True),
    ]
    servers[2]["tpxIotFlow"] = {"connectionId": "1101"}
    return servers
