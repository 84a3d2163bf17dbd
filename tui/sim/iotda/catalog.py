"""The demo resource spaces and ~25 products (the vendor page's Thermometer among them), with their capability models.

Product ids are 24-hex ObjectIds (creation second + 8 bytes), as the vendor's example
`5ba24f5ebbe8f56f5a14f605` is; for demo products the record id used as a list marker is the
product id itself. `kind` says how a product's devices connect: `direct` (node_type GATEWAY,
gateway_id = its own device_id), `gateway` (an edge gateway, node_type GATEWAY) or `sub` (a
sub-device behind a gateway, node_type ENDPOINT). `weight` is its share of the generated devices.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: (app_id, app_name): the default resource space first, then the vendor page's example.
DEFAULT_APP = ("f6c3b1a2d4e5f60718293a4b5c6d7e8f", "DefaultApp_fleetdemo")
APPS: dict[str, str] = {
    DEFAULT_APP[0]: DEFAULT_APP[1],
    "jeQDJQZltU8iKgFFoW060F5SGZka": "testAPP01",
    "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6": "smart_city_ops",
}
TEST_APP = "jeQDJQZltU8iKgFFoW060F5SGZka"
CITY_APP = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"

THERMOMETER_ID = "5ba24f5ebbe8f56f5a14f605"


def _para(
    name: str,
    data_type: str,
    *,
    required: bool = False,
    enum_list: list[str] | None = None,
    min: str | None = None,
    max: str | None = None,
    max_length: int | None = None,
    step: float | None = None,
    unit: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    return {
        "para_name": name,
        "required": required,
        "data_type": data_type,
        "enum_list": enum_list,
        "min": min,
        "max": max,
        "max_length": max_length,
        "step": step,
        "unit": unit,
        "description": description,
    }


def _prop(name: str, data_type: str, method: str = "R", **kw: Any) -> dict[str, Any]:
    default_value = kw.pop("default_value", None)
    para = _para(name, data_type, **kw)
    out = {"property_name": para.pop("para_name"), **para, "method": method}
    out["default_value"] = default_value
    return out


def _cmd(name: str, paras: list[dict[str, Any]], ack: bool = True) -> dict[str, Any]:
    responses = (
        [{"response_name": "ACK", "paras": [_para("result", "enum", enum_list=["OK", "FAIL"])]}]
        if ack
        else []
    )
    return {"command_name": name, "paras": paras, "responses": responses}


def _svc(
    service_id: str,
    properties: list[dict[str, Any]],
    commands: list[dict[str, Any]] | None = None,
    option: str = "Optional",
    description: str | None = None,
    service_type: str | None = None,
) -> dict[str, Any]:
    return {
        "service_id": service_id,
        "service_type": service_type or service_id,
        "properties": properties,
        "commands": commands or [],
        "events": [],
        "description": description,
        "option": option,
    }


def _num(
    name: str, unit: str, lo: str, hi: str, step: float = 0.1, dt: str = "decimal"
) -> dict[str, Any]:
    return _prop(name, dt, "R", min=lo, max=hi, step=step, unit=unit)


# The vendor page's example, as its 201 response shows it.
THERMOMETER_SERVICES = [
    {
        "service_id": "temperature",
        "service_type": "temperature",
        "properties": [
            {
                "property_name": "temperature",
                "required": True,
                "data_type": "decimal",
                "enum_list": None,
                "min": "1",
                "max": "100",
                "max_length": 100,
                "step": 0.1,
                "unit": "centigrade",
                "method": "RW",
                "description": "force",
                "default_value": {"color": "red", "size": 1},
            }
        ],
        "commands": [
            {
                "command_name": "reboot",
                "paras": [
                    _para(
                        "force",
                        "string",
                        min="1",
                        max="100",
                        max_length=100,
                        step=0.1,
                        unit="km/h",
                        description="force",
                    )
                ],
                "responses": [
                    {
                        "response_name": "ACK",
                        "paras": [
                            _para(
                                "force",
                                "string",
                                min="1",
                                max="100",
                                max_length=100,
                                step=0.1,
                                unit="km/h",
                                description="force",
                            )
                        ],
                    }
                ],
            }
        ],
        "events": [],
        "description": "temperature",
        "option": "Mandatory",
    }
]

_BATTERY = _svc(
    "Battery",
    [_num("batteryLevel", "%", "0", "100", 1, "int"), _num("voltage", "V", "0", "5", 0.01)],
)
_CONN = _svc(
    "Connectivity",
    [
        _num("signalStrength", "dBm", "-140", "0", 1, "int"),
        _num("snr", "dB", "-20", "40", 0.1),
        _prop("cellId", "string", max_length=32),
    ],
)
_REBOOT = _cmd("reboot", [_para("delay", "int", min="0", max="3600", step=1, unit="s")])
_DEVINFO = _svc(
    "DeviceInfo",
    [_prop("firmware", "string", max_length=32), _prop("model", "string", max_length=32)],
    [_REBOOT],
    option="Master",
)
_SWITCH = _cmd("setSwitch", [_para("state", "enum", required=True, enum_list=["ON", "OFF"])])


@dataclass(frozen=True)
class ProductSpec:
    """One demo product: its header fields, how its devices connect, and its share of devices."""

    product_id: str
    name: str
    device_type: str
    protocol_type: str
    industry: str
    manufacturer_name: str
    description: str
    services: list[dict[str, Any]]
    kind: str = "direct"
    weight: int = 4
    app_id: str = DEFAULT_APP[0]
    data_format: str = "json"


def _oid(year: int, month: int, name: str) -> str:
    second = int(datetime(year, month, 1 + len(name) % 27, 8, tzinfo=UTC).timestamp())
    return f"{second:08x}" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _spec(
    year: int,
    month: int,
    name: str,
    device_type: str,
    protocol: str,
    industry: str,
    maker: str,
    description: str,
    services: list[dict[str, Any]],
    **kw: Any,
) -> ProductSpec:
    # Product names, manufacturers and industries allow no spaces (the page's NAME character set),
    # so the readable names below are written with underscores on the platform.
    name, maker, industry = (text.replace(" ", "_") for text in (name, maker, industry))
    return ProductSpec(
        _oid(year, month, name),
        name,
        device_type,
        protocol,
        industry,
        maker,
        description,
        services,
        **kw,
    )


PRODUCTS: list[ProductSpec] = [
    ProductSpec(
        THERMOMETER_ID,
        "Thermometer",
        "Thermometer",
        "MQTT",
        "smartCity",
        "ABC",
        "this is a thermometer produced by Huawei",
        THERMOMETER_SERVICES,
        app_id=TEST_APP,
        weight=6,
    ),
    _spec(
        2019,
        2,
        "Smart Water Meter NB",
        "WaterMeter",
        "CoAP",
        "smartCity",
        "Ningbo Meters",
        "NB-IoT water meter with valve control",
        [
            _svc(
                "WaterMeter",
                [
                    _num("totalFlow", "m3", "0", "99999999", 0.001),
                    _num("flowRate", "m3/h", "0", "100", 0.01),
                    _prop("valveState", "enum", "RW", enum_list=["OPEN", "CLOSED"]),
                ],
                [
                    _cmd(
                        "setValve",
                        [_para("state", "enum", required=True, enum_list=["OPEN", "CLOSED"])],
                    )
                ],
                option="Master",
            ),
            _BATTERY,
            _CONN,
        ],
        data_format="binary",
        weight=9,
        app_id=CITY_APP,
    ),
    _spec(
        2019,
        5,
        "Smart Street Light",
        "StreetLight",
        "CoAP",
        "smartCity",
        "Lumina",
        "Dimmable LED street light controller",
        [
            _svc(
                "Light",
                [
                    _prop("brightness", "int", "RW", min="0", max="100", step=1, unit="%"),
                    _prop("lightState", "enum", "RWE", enum_list=["ON", "OFF"]),
                    _num("power", "W", "0", "400"),
                ],
                [
                    _SWITCH,
                    _cmd(
                        "setBrightness",
                        [_para("brightness", "int", required=True, min="0", max="100", step=1)],
                    ),
                ],
                option="Master",
            ),
            _DEVINFO,
        ],
        weight=8,
        app_id=CITY_APP,
    ),
    _spec(
        2019,
        9,
        "Parking Sensor",
        "ParkingDetector",
        "CoAP",
        "smartCity",
        "Nwave",
        "Geomagnetic parking space sensor",
        [
            _svc(
                "Parking",
                [_prop("occupied", "boolean", "RE"), _prop("lastChange", "DateTime")],
                option="Master",
            ),
            _BATTERY,
        ],
        weight=8,
        app_id=CITY_APP,
    ),
    _spec(
        2020,
        1,
        "Smoke Detector",
        "SmokeDetector",
        "CoAP",
        "firefighting",
        "FireGuard",
        "NB-IoT independent smoke alarm",
        [
            _svc(
                "Smoke",
                [
                    _prop("alarm", "enum", "RE", enum_list=["NORMAL", "ALARM", "TEST"]),
                    _num("smokeDensity", "dB/m", "0", "10", 0.01),
                ],
                [_cmd("mute", [])],
                option="Master",
            ),
            _BATTERY,
        ],
        weight=7,
    ),
    _spec(
        2020,
        3,
        "Industrial Edge Gateway",
        "Gateway",
        "MQTT",
        "manufacturing",
        "Huawei",
        "Edge gateway for Modbus and OPC-UA field devices",
        [
            _DEVINFO,
            _svc(
                "GatewayStatus",
                [
                    _prop("subDeviceCount", "int", min="0", max="5000", step=1),
                    _num("cpuUsage", "%", "0", "100", 0.1),
                ],
            ),
        ],
        kind="gateway",
        weight=5,
    ),
    _spec(
        2020,
        4,
        "Modbus Energy Meter",
        "EnergyMeter",
        "Modbus",
        "energy",
        "Schneider",
        "Three-phase power meter behind a gateway",
        [
            _svc(
                "Energy",
                [
                    _num("activeEnergy", "kWh", "0", "9999999", 0.01),
                    _num("activePower", "kW", "0", "1000", 0.01),
                    _num("voltageL1", "V", "0", "500"),
                    _num("currentL1", "A", "0", "1000"),
                ],
                option="Master",
            )
        ],
        kind="sub",
        weight=10,
    ),
    _spec(
        2020,
        6,
        "PLC Controller",
        "PLC",
        "OPC-UA",
        "manufacturing",
        "Siemens",
        "OPC-UA PLC exposed through an edge gateway",
        [
            _svc(
                "Process",
                [
                    _prop("mode", "enum", "RW", enum_list=["AUTO", "MANUAL", "STOP"]),
                    _prop("cycleCount", "long", min="0", max="9999999999", step=1),
                    _prop("alarms", "string list"),
                ],
                [
                    _cmd(
                        "setMode",
                        [
                            _para(
                                "mode", "enum", required=True, enum_list=["AUTO", "MANUAL", "STOP"]
                            )
                        ],
                    )
                ],
                option="Master",
            )
        ],
        kind="sub",
        weight=5,
    ),
    _spec(
        2020,
        8,
        "Vibration Sensor",
        "VibrationSensor",
        "Modbus",
        "manufacturing",
        "SKF",
        "Machine condition monitoring sensor",
        [
            _svc(
                "Vibration",
                [
                    _num("rms", "mm/s", "0", "50", 0.01),
                    _num("peak", "g", "0", "16", 0.01),
                    _num("temperature", "Cel", "-40", "125"),
                ],
                option="Master",
            )
        ],
        kind="sub",
        weight=7,
    ),
    _spec(
        2020,
        11,
        "Cold Chain Tracker",
        "Tracker",
        "MQTT",
        "logistics",
        "Teltonika",
        "GPS tracker with temperature logging for reefers",
        [
            _svc(
                "Location",
                [
                    _num("latitude", "deg", "-90", "90", 0.000001),
                    _num("longitude", "deg", "-180", "180", 0.000001),
                    _num("speed", "km/h", "0", "300"),
                ],
                option="Master",
            ),
            _svc("Temperature", [_num("temperature", "Cel", "-40", "85")]),
            _BATTERY,
            _CONN,
        ],
        weight=9,
    ),
    _spec(
        2021,
        1,
        "Smart Lock",
        "DoorLock",
        "MQTT",
        "smartHome",
        "Yale",
        "Wi-Fi door lock",
        [
            _svc(
                "Lock",
                [_prop("lockState", "enum", "RE", enum_list=["LOCKED", "UNLOCKED", "JAMMED"])],
                [
                    _cmd("unlock", [_para("duration", "int", min="1", max="60", step=1, unit="s")]),
                    _cmd("lock", []),
                ],
                option="Master",
            ),
            _BATTERY,
        ],
        weight=6,
    ),
    _spec(
        2021,
        3,
        "Air Quality Monitor",
        "AirMonitor",
        "MQTT",
        "environment",
        "Sensirion",
        "PM2.5, CO2 and VOC monitor",
        [
            _svc(
                "AirQuality",
                [
                    _prop("pm25", "int", min="0", max="1000", step=1, unit="ug/m3"),
                    _prop("co2", "int", min="0", max="10000", step=1, unit="ppm"),
                    _num("voc", "ppb", "0", "60000", 1),
                    _prop("level", "enum", enum_list=["GOOD", "MODERATE", "POOR", "HAZARDOUS"]),
                ],
                option="Master",
            )
        ],
        weight=7,
    ),
    _spec(
        2021,
        4,
        "Soil Moisture Probe",
        "SoilSensor",
        "HTTP",
        "agriculture",
        "Decagon",
        "Soil moisture, temperature and EC probe",
        [
            _svc(
                "Soil",
                [
                    _num("moisture", "%", "0", "100"),
                    _num("temperature", "Cel", "-20", "60"),
                    _num("ec", "dS/m", "0", "20", 0.01),
                ],
                option="Master",
            ),
            _BATTERY,
        ],
        weight=6,
    ),
    _spec(
        2021,
        6,
        "Irrigation Valve",
        "Valve",
        "MQTT",
        "agriculture",
        "Rain Bird",
        "Remote irrigation valve",
        [
            _svc(
                "Irrigation",
                [
                    _prop("valveState", "enum", "RWE", enum_list=["OPEN", "CLOSED"]),
                    _num("flow", "l/min", "0", "500"),
                ],
                [
                    _cmd(
                        "irrigate",
                        [
                            _para(
                                "minutes",
                                "int",
                                required=True,
                                min="1",
                                max="240",
                                step=1,
                                unit="min",
                            )
                        ],
                    )
                ],
                option="Master",
            )
        ],
        weight=4,
    ),
    _spec(
        2021,
        8,
        "Smart Plug",
        "Plug",
        "MQTT",
        "smartHome",
        "Tuya",
        "Metering Wi-Fi plug",
        [
            _svc(
                "Switch",
                [
                    _prop("state", "enum", "RWE", enum_list=["ON", "OFF"]),
                    _num("power", "W", "0", "3680"),
                ],
                [_SWITCH],
                option="Master",
            )
        ],
        weight=8,
    ),
    _spec(
        2021,
        10,
        "EV Charger",
        "Charger",
        "HTTPS",
        "energy",
        "ABB",
        "22 kW AC charging station",
        [
            _svc(
                "Charging",
                [
                    _prop(
                        "status",
                        "enum",
                        "RE",
                        enum_list=["AVAILABLE", "CHARGING", "FAULTED", "RESERVED"],
                    ),
                    _num("energy", "kWh", "0", "1000", 0.01),
                    _num("power", "kW", "0", "22", 0.01),
                    _prop("sessionId", "string", max_length=36),
                ],
                [
                    _cmd(
                        "startCharging",
                        [_para("connector", "int", required=True, min="1", max="2", step=1)],
                    ),
                    _cmd("stopCharging", []),
                ],
                option="Master",
            ),
            _DEVINFO,
        ],
        weight=4,
    ),
    _spec(
        2022,
        1,
        "Solar Inverter",
        "Inverter",
        "Modbus",
        "energy",
        "Huawei",
        "String inverter read by a data logger",
        [
            _svc(
                "Inverter",
                [
                    _num("pvPower", "kW", "0", "100", 0.01),
                    _num("dailyYield", "kWh", "0", "1000", 0.01),
                    _prop("state", "enum", enum_list=["STANDBY", "GRID", "FAULT"]),
                ],
                option="Master",
            )
        ],
        kind="sub",
        weight=6,
    ),
    _spec(
        2022,
        2,
        "IP Camera",
        "Camera",
        "ONVIF",
        "security",
        "Hikvision",
        "ONVIF network camera",
        [
            _svc(
                "Video",
                [_prop("streamUrl", "string", max_length=256), _prop("recording", "boolean", "RW")],
                [_cmd("snapshot", [])],
                option="Master",
            ),
            _DEVINFO,
        ],
        weight=4,
    ),
    _spec(
        2022,
        4,
        "Elevator Monitor",
        "ElevatorMonitor",
        "TCP",
        "buildings",
        "KONE",
        "Elevator operation and fault monitor",
        [
            _svc(
                "Elevator",
                [
                    _prop("floor", "int", min="-5", max="120", step=1),
                    _prop("direction", "enum", enum_list=["UP", "DOWN", "IDLE"]),
                    _prop("doorOpen", "boolean"),
                    _prop("faultCode", "string", max_length=16),
                ],
                option="Master",
            )
        ],
        weight=3,
    ),
    _spec(
        2022,
        6,
        "Manhole Cover Sensor",
        "ManholeSensor",
        "UDP",
        "smartCity",
        "Nwave",
        "Tilt and water-level sensor for manhole covers",
        [
            _svc(
                "Manhole",
                [_num("tilt", "deg", "0", "90", 0.1), _prop("waterLevelAlarm", "boolean", "RE")],
                option="Master",
            ),
            _BATTERY,
        ],
        weight=5,
        app_id=CITY_APP,
    ),
    _spec(
        2022,
        9,
        "Asset Tag BLE",
        "AssetTag",
        "Other",
        "logistics",
        "Minew",
        "Bluetooth asset tag reported through a gateway",
        [
            _svc(
                "Beacon",
                [
                    _prop("rssi", "int", min="-120", max="0", step=1, unit="dBm"),
                    _prop("lastSeen", "DateTime"),
                ],
                option="Master",
            ),
            _BATTERY,
        ],
        kind="sub",
        weight=8,
    ),
    _spec(
        2023,
        1,
        "HVAC Controller",
        "HVAC",
        "OPC-DA",
        "buildings",
        "Honeywell",
        "Air handling unit controller",
        [
            _svc(
                "Climate",
                [
                    _num("setpoint", "Cel", "10", "30", 0.5),
                    _num("supplyTemp", "Cel", "-10", "60"),
                    _prop("fanSpeed", "enum", "RW", enum_list=["LOW", "MEDIUM", "HIGH", "AUTO"]),
                    _prop("schedule", "jsonObject", "RW"),
                ],
                [
                    _cmd(
                        "setSetpoint",
                        [_para("value", "decimal", required=True, min="10", max="30", step=0.5)],
                    )
                ],
                option="Master",
            )
        ],
        kind="sub",
        weight=4,
    ),
    _spec(
        2023,
        3,
        "Wearable Health Band",
        "Wearable",
        "HTTPS",
        "healthcare",
        "Huawei",
        "Heart rate and SpO2 band",
        [
            _svc(
                "Health",
                [
                    _prop("heartRate", "int", min="20", max="250", step=1, unit="bpm"),
                    _prop("spo2", "int", min="50", max="100", step=1, unit="%"),
                    _prop("fallDetected", "boolean", "RE"),
                ],
                option="Master",
            ),
            _BATTERY,
        ],
        weight=5,
    ),
    _spec(
        2023,
        6,
        "Beehive Scale",
        "Scale",
        "MQTT",
        "agriculture",
        "BeeSmart",
        "Hive weight and climate",
        [
            _svc(
                "Hive",
                [_num("weight", "kg", "0", "200", 0.01), _num("humidity", "%", "0", "100")],
                option="Master",
            ),
            _BATTERY,
            _CONN,
        ],
        weight=2,
    ),
    _spec(
        2023,
        9,
        "Retail Freezer",
        "Freezer",
        "MQTT",
        "retail",
        "Carrier",
        "Supermarket freezer cabinet monitor",
        [
            _svc(
                "Refrigeration",
                [
                    _num("cabinetTemp", "Cel", "-40", "10"),
                    _prop("doorOpen", "boolean", "RE"),
                    _prop("defrost", "boolean", "RW"),
                ],
                [_cmd("startDefrost", [])],
                option="Master",
            )
        ],
        weight=4,
        app_id=TEST_APP,
    ),
]
