"""Forms declared by the platforms: fields generated from the input models, keys checked."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tui.api.forms import KeySpec, ui
from tui.api.models import Downlink, IotFlowMqttConnectionCreate, MulticastGroupCreate
from tui.api.platforms.iotda import Iotda
from tui.api.platforms.iotda_forms import IotdaDeviceCreate
from tui.api.platforms.thingpark import ThingPark
from tui.widgets.form import fields_from_model


class Sample(BaseModel):
    name: str = Field(title="Name", json_schema_extra=ui(placeholder="e.g. x"))
    key: str = Field(title="Key", json_schema_extra=ui(secret=True))
    count: int = Field(default=3)
    ratio: float
    on: bool = False
    kind: str = Field(default="a", json_schema_extra=ui(options=(("A", "a"), ("B", "b"))))
    tags: list[str] = []
    targets: list[str] = Field(min_length=1, title="Targets")
    note: str | None = Field(default=None, description="free text")


def test_each_field_kind_comes_from_the_model() -> None:
    specs = {s.name: s for s in fields_from_model(Sample, choices={"targets"})}
    assert [s.name for s in fields_from_model(Sample)] == list(Sample.model_fields)
    assert (specs["name"].kind, specs["name"].label, specs["name"].placeholder) == (
        "text",
        "Name",
        "e.g. x",
    )
    assert specs["key"].kind == "secret"
    assert (specs["count"].kind, specs["count"].value, specs["count"].optional) == ("int", 3, False)
    assert specs["ratio"].kind == "float" and specs["ratio"].label == "Ratio"
    assert specs["on"].kind == "bool" and not specs["on"].optional
    assert specs["kind"].kind == "choice" and specs["kind"].options == (("A", "a"), ("B", "b"))
    assert specs["tags"].kind == "text" and specs["tags"].optional  # typed "a, b"
    assert specs["targets"].kind == "choices"
    assert specs["note"].optional and specs["note"].help == "free text"


def test_the_vendor_forms_generate() -> None:
    downlink = {s.name: s for s in fields_from_model(Downlink)}
    assert downlink["payload_hex"].label == "Payload (hex)" and downlink["fport"].kind == "int"
    group = {s.name: s for s in fields_from_model(MulticastGroupCreate, {"connection_keys"})}
    assert group["nwk_skey"].kind == "secret" and group["device_class"].value == "C"
    flow = {s.name: s for s in fields_from_model(IotFlowMqttConnectionCreate)}
    assert flow["uplink_topic"].value == "mqtt/things/{DevEUI}/uplink"
    assert flow["password"].kind == "secret" and flow["password"].optional
    device = {s.name: s for s in fields_from_model(IotdaDeviceCreate, {"product_id"})}
    assert device["product_id"].kind == "choice" and device["secret"].kind == "secret"


def test_a_rule_across_fields_names_its_field() -> None:
    try:
        IotFlowMqttConnectionCreate(name="x", host="h:1", password="p")
    except ValueError as exc:
        assert "username: required with a password" in str(exc)
    else:
        raise AssertionError("a password without a username was accepted")


def test_device_keys_as_each_platform_writes_them() -> None:
    eui = ThingPark.DEVICE_KEY
    assert eui.check("70b3d5e75412a26d") is None and eui.normal(" 70b3d5e75412a26d ") == (
        "70B3D5E75412A26D"
    )
    assert eui.check("70B3") == "a DevEUI is 16 hexadecimal digits"
    assert eui.check("") == "type a DevEUI"
    device = Iotda.DEVICE_KEY
    assert device.check("6512a3f0c2a1b0d7e8f90123_864975040010001") is None
    assert device.check("a/b") is not None and device.normal("ab") == "ab"
    assert KeySpec("thing key").check("anything") is None


def test_the_iotda_device_body_is_the_vendors() -> None:
    spec = IotdaDeviceCreate(node_id="8649", product_id="p1", secret="s3cret-key", device_name="M")
    assert spec.body() == {
        "node_id": "8649",
        "product_id": "p1",
        "device_name": "M",
        "auth_info": {"auth_type": "SECRET", "secret": "s3cret-key"},
    }
    for bad in ({"node_id": "a b"}, {"secret": "short"}, {"device_name": "a b"}):
        try:
            IotdaDeviceCreate(**{"node_id": "n", "product_id": "p", "secret": "12345678", **bad})
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")
