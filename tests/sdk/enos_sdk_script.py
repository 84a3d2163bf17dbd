"""Runs EnOS's own Python device SDK, unchanged, against the simulator's broker.

Run in a virtual environment with `enos-mqtt-sdk-python` and `paho-mqtt<2` (the test makes
one): `python enos_sdk_script.py tcp://127.0.0.1:PORT`. The gateway logs in with the demo
credentials, registers two sub-devices, then the first one again, attaches the two (each signed
with its new secret by the SDK) and lists its topology; one JSON line on stdout says what the
SDK got back (whether a deviceSecret came, never the secret itself).
"""

import json
import sys

from enos.core.MqttClient import MqttClient
from enos.core.util.StringI18n import StringI18n
from enos.message.upstream.register.DeviceRegisterRequest import DeviceRegisterRequest
from enos.message.upstream.topo.SubDeviceInfo import SubDeviceInfo
from enos.message.upstream.topo.TopoAddRequest import TopoAddRequest
from enos.message.upstream.topo.TopoGetRequest import TopoGetRequest


def name(default, english, chinese):
    value = StringI18n(default)
    value.set_localized_value("en_US", english)
    value.set_localized_value("zh_CN", chinese)
    return value


def register(client, *keys):
    builder = DeviceRegisterRequest.builder()
    for n, key in enumerate(keys, 1):
        builder.add_register_information(
            "fleetSubPK1",
            key,
            name(f"sdk device {n}", f"SDK device {n}", f"SDK 设备 {n}"),
            "registered by the EnOS SDK",
            "+08:00",
            {"location": "Shanghai"},
        )
    response = client.publish(builder.build())
    data = response.get_data() or []
    secrets = {item.get("deviceKey"): item.get("deviceSecret") for item in data}
    return secrets, {
        "code": response.get_code(),
        "data": [
            {
                "productKey": item.get("productKey"),
                "deviceKey": item.get("deviceKey"),
                "assetId": item.get("assetId"),
                "hasSecret": bool(item.get("deviceSecret")),
            }
            for item in data
        ],
    }


def main(url):
    client = MqttClient(url, "fleetGwPK", "fleet-gw-01", "enos-demo-gateway-secret")
    client.get_profile().set_operation_timeout(20)
    client.connect()
    result = {"connected": client.is_connected()}
    try:
        secrets, result["register"] = register(client, "sdk-dev-01", "sdk-dev-02")
        _, result["again"] = register(client, "sdk-dev-01")
        add = TopoAddRequest.builder()
        for key, secret in secrets.items():
            add.add_sub_device(SubDeviceInfo("fleetSubPK1", key, secret))
        result["topo_add"] = client.publish(add.build()).get_code()
        listed = client.publish(TopoGetRequest.builder().build())
        result["topo_get"] = {
            "code": listed.get_code(),
            "deviceKeys": sorted(item["deviceKey"] for item in listed.get_data() or []),
        }
    finally:
        client.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
