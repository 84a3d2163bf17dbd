"""The subscriber's catalogues: device models (profiles), connectivity plans, network contexts, app servers.

Shapes follow the vendor page's briefs. Model IDs `SMTC/LoRaMoteA.1_EU` and `CUSTOM/LTE_Dongle`,
the plan `acme-cs/cellular-cp` and the network context `1AF3B` are the page's own examples, so the
page's request bodies work as written (with this subscriber's app server IDs).

Like the platform's, the device-profile catalogue is long: the ten models the generated devices
use, and 490 more drawn from the seed (`device_profiles()`): LoRaWAN models of fourteen vendors in
six ISM regions (ID `{VENDOR}/{model}.{revision}_{region}`, as the page's `SMTC/LoRaMoteA.1_EU`)
and cellular models of six module makers (ID `{VENDOR}/{model}_{technology}`, as
`CUSTOM/LTE_Dongle`). A client that reads only the first page of it misses most models.
"""

from __future__ import annotations

import random
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


def _vendor(vendor_id: str, name: str, commercial: str, description: str) -> None:
    _VENDORS[vendor_id] = {
        "name": name,
        "commercialName": commercial,
        "commercialDescription": description,
        "ID": vendor_id,
    }


for _row in (
    ("abeeway", "Abeeway", "Abeeway", "Geolocation trackers."),
    ("browan", "Browan", "Browan Communications", "Indoor building sensors."),
    ("decentlab", "Decentlab", "Decentlab", "Precision environmental sensors."),
    ("dragino", "Dragino", "Dragino Technology", "LoRaWAN end nodes and sensors."),
    ("imbuildings", "IMBuildings", "IMBuildings", "Occupancy and comfort sensors."),
    ("netvox", "Netvox", "Netvox Technology", "Wireless sensors for buildings and industry."),
    ("rak", "RAKwireless", "RAKwireless", "LoRaWAN modules and sensor hubs."),
    ("tektelic", "Tektelic", "TEKTELIC Communications", "Industrial and home sensors."),
    ("watteco", "Watteco", "Watteco", "Sensors for smart buildings and cities."),
    ("nordic", "Nordic", "Nordic Semiconductor", "Cellular IoT systems in package."),
    ("quectel", "Quectel", "Quectel Wireless Solutions", "LTE-M and NB-IoT modules."),
    ("sierra", "Sierra Wireless", "Sierra Wireless", "Cellular modules and routers."),
    ("telit", "Telit", "Telit Cinterion", "Cellular IoT modules."),
    ("ublox", "u-blox", "u-blox", "Cellular and positioning modules."),
):
    _vendor(*_row)

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
    bands: list[dict[str, str]] = _EU_BANDS,
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
        "defaultIsmBands": bands,
        # Not in the vendor brief: where the model's logo lives and a short name for device names.
        "_logo": f"{LOGO}/{logo}",
        "_short": short,
    }


def _cell(
    model_id: str, name: str, logo: int, short: str, vendor: str = "generic"
) -> dict[str, Any]:
    return {
        "commercialName": name,
        "vendor": _VENDORS[vendor],
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

#: ISM regions of generated LoRaWAN models: the ID suffix and the model's default bands.
_REGIONS: dict[str, list[dict[str, str]]] = {
    "EU": _EU_BANDS,
    "US": [{"name": "US902-928 (US915)", "ID": "us915"}],
    "AS": [{"name": "AS923-925 (AS923)", "ID": "as923"}],
    "AU": [{"name": "AU915-928 (AU915)", "ID": "au915"}],
    "IN": [{"name": "IN865-867 (IN865)", "ID": "in865"}],
    "KR": [{"name": "KR920-923 (KR920)", "ID": "kr920"}],
}
#: (ID prefix, vendor, models) of generated LoRaWAN models; trackers are MOBILE.
_LORA_MAKERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("ABEEWAY", "abeeway", ("Asset-Tracker", "Micro-Tracker", "Smart-Badge", "Industrial-Tracker")),
    ("ADEUNIS", "adeunis", ("TEMP", "COMFORT", "DRY-CONTACTS", "ANALOG", "DELTA-P", "MOTION")),
    ("BROWAN", "browan", ("TBDW100", "TBMS100", "TBHH100", "TBWL100", "TBSL100")),
    ("DECENTLAB", "decentlab", ("DL-PR26", "DL-SHT35", "DL-LP8P", "DL-MBX", "DL-TRS12")),
    ("DRAGINO", "dragino", ("LHT65", "LDS01", "LSN50", "LWL02", "LDDS75", "LSE01")),
    ("ELSYS", "elsys", ("ERS", "ERS-Lite", "ERS-Sound", "ELT-2", "EMS", "ERS-Eye")),
    ("IMBUILDINGS", "imbuildings", ("PeopleCounter", "ComfortSensor", "Button")),
    ("MCHP", "microchip", ("RN2903A", "WLR089U0", "SAMR34")),
    ("MILESIGHT", "milesight", ("AM107", "AM319", "EM500-CO2", "EM310-UDL", "WS301", "VS121")),
    ("NETVOX", "netvox", ("R718A", "R311A", "R718N3", "R602A", "R718PA")),
    ("RAK", "rak", ("RAK7204", "RAK10701", "RAK2270-Tracker", "RAK7431")),
    ("SMTC", "semtech", ("SX1262-DevKit", "LR1110-Tracker", "LoRaMoteB")),
    ("TEKTELIC", "tektelic", ("KonaHome", "Vivid", "Sparrow", "Breeze", "Tundra")),
    ("WATTECO", "watteco", ("RemoteTemp", "Ventilo", "PulseSenso", "SmartPlug", "Atmo")),
]
#: (ID prefix, vendor, models) of generated cellular models, each in several radio technologies.
_CELL_MAKERS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "CUSTOM",
        "generic",
        ("Gas_Meter", "Heat_Meter", "Water_Meter", "Tracker", "Router", "Smart_Lock", "Vending"),
    ),
    ("NORDIC", "nordic", ("nRF9160-DK", "Thingy91", "nRF9161", "nRF9151")),
    ("QUECTEL", "quectel", ("BG95", "BG77", "BC660K", "EG915U", "BG96", "BG600L", "BC66")),
    ("SIERRA", "sierra", ("HL7812", "HL7800", "RV55", "XR80", "WP7702")),
    ("TELIT", "telit", ("ME910C1", "ME910G1", "LE910C4", "LE910R1", "ME310G1", "EXS62")),
    ("UBLOX", "ublox", ("SARA-R510", "SARA-R422", "LARA-R6", "LENA-R8", "SARA-N310")),
]
_CELL_TECHNOLOGIES = ("LTE", "LTE-M", "NB-IoT", "5G-RedCap")
#: How many generated models join the ten fixed ones.
GENERATED_LORA_PROFILES = 370
GENERATED_CELL_PROFILES = 120


def device_profiles(seed: int) -> list[dict[str, Any]]:
    """The demo's device-profile catalogue: `MODELS`, then 490 more drawn from the seed."""
    rng = random.Random(f"device-profiles:{seed}")
    lora = [
        (prefix, vendor, model, revision, region)
        for prefix, vendor, models in _LORA_MAKERS
        for model in models
        for revision in (1, 2, 3)
        for region in _REGIONS
    ]
    cell = [
        (prefix, vendor, model, technology)
        for prefix, vendor, models in _CELL_MAKERS
        for model in models
        for technology in _CELL_TECHNOLOGIES
    ]
    profiles = list(MODELS)
    logo = 100
    for prefix, vendor, model, revision, region in rng.sample(lora, GENERATED_LORA_PROFILES):
        logo += 1
        name = model.replace("-", " ") + (f" v{revision}" if revision > 1 else "") + f" {region}"
        motion = "MOBILE" if "Track" in model else "RANDOM"
        minor = rng.choice((2, 3, 3, 4))
        model_id = f"{prefix}/{model}.{revision}_{region}"
        profiles.append(_lora(model_id, name, vendor, logo, model, minor, motion, _REGIONS[region]))
    for prefix, vendor, model, technology in rng.sample(cell, GENERATED_CELL_PROFILES):
        logo += 1
        name = f"{model.replace('_', ' ')} {technology}"
        profiles.append(_cell(f"{prefix}/{model}_{technology}", name, logo, model, vendor))
    return profiles


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


def _app_server(ref: int, name: str, type_: str) -> dict[str, Any]:
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
    }


#: The `type` of an OSS application server that stands for a ThingPark X IoT Flow connection.
#: The vendor page names the connection kind and its `tpxIotFlow.connectionId` property but shows
#: no such brief; the simulator writes the product's name in the platform's enum style.
IOT_FLOW_TYPE = "TPX_IOT_FLOW"


def iot_flow_app_server(ref: int, connection: dict[str, Any]) -> dict[str, Any]:
    """The OSS twin of a DX Core IoT Flow connection: the same name, and the DX `id` (a string,
    as DX Core writes it) in `tpxIotFlow.connectionId`, as the vendor page says."""
    server = _app_server(ref, connection["name"], IOT_FLOW_TYPE)
    server["tpxIotFlow"] = {"connectionId": connection["id"]}
    return server


def seed_connections() -> dict[str, dict[str, Any]]:
    """The DX Core IoT Flow connections the demo subscriber starts with, by id (fresh copies)."""
    return {
        "1101": {
            "id": "1101",
            "connectorId": "actility-mqtt-iot",
            "name": "Smart metering IoT Flow",
            "state": "OPENED",
            "configuration": {
                "uplinkTopicPattern": "metering/{DevEUI}/up",
                "downlinkTopicPattern": "metering/{DevEUI}/down",
                "hostName": "broker.metering.example:8883",
                "protocol": "SSL",
                "username": "metering",
            },
        },
        "1102": {
            "id": "1102",
            "connectorId": "actility-aws-iot",
            "name": "AWS IoT Core (tracking)",
            "state": "OPENED",
            "configuration": {"region": "eu-west-1", "accessKeyId": "AKIAFLEETDEMO0000000"},
        },
    }


def seed_app_servers(connections: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The application servers the demo subscriber starts with (fresh copies: they are mutable),
    the OSS twins of its IoT Flow `connections` among them."""
    return [
        _app_server(1972, "my MQTT application", "KAFKA"),
        _app_server(1973, "Building management HTTPS", "HTTP"),
        iot_flow_app_server(1974, connections["1101"]),
        _app_server(1975, "Asset tracking Kafka", "KAFKA"),
        _app_server(1976, "Cellular message routing", "HTTP"),
        iot_flow_app_server(1977, connections["1102"]),
    ]
