"""Runs EnOS's own Python device SDK, unchanged, against the simulator's broker.

Run in a virtual environment with `enos-mqtt-sdk-python` and `paho-mqtt<2` (the test makes
one): `python enos_sdk_script.py tcp://127.0.0.1:PORT`. The gateway logs in with the demo
credentials, registers two sub-devices, then the first one again; one JSON line on stdout says
what the SDK got back (whether a deviceSecret came, never the secret itself).
"""

import json
import sys

from enos.core.MqttClient import MqttClient
from enos.core.util.StringI18n import StringI18n
from enos.message.upstream.register.DeviceRegisterRequest import DeviceRegisterRequest


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
    return {
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
        result["register"] = register(client, "sdk-dev-01", "sdk-dev-02")
        result["again"] = register(client, "sdk-dev-01")
    finally:
        client.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
