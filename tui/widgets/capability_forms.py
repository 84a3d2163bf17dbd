"""One form per node of a product model (header, service, property, command, response, event,
parameter), checked by the vendor's rules in tui/api/products.py as the user types.

The node forms edit a local draft: `submit()` answers the node's vendor JSON and sends nothing
(the capability editor sends the whole product on ctrl+s). `NewProductForm` creates a product.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel

from tui.api.platform import Products
from tui.api.products import (
    DATA_FORMATS,
    DATA_TYPES,
    METHODS,
    OPTIONS,
    PROTOCOL_TYPES,
    FieldError,
    Product,
    ServiceCapability,
    ServiceCommand,
    ServiceCommandPara,
    ServiceCommandResponse,
    ServiceEvent,
    ServiceProperty,
    validate_command,
    validate_event,
    validate_para,
    validate_product_header,
    validate_property,
    validate_response,
    validate_service,
)
from tui.widgets.form import FieldSpec, FormScreen

__all__ = [
    "FORMS",
    "CommandForm",
    "EventForm",
    "NewProductForm",
    "NodeForm",
    "ParaForm",
    "ProductHeaderForm",
    "PropertyForm",
    "ResponseForm",
    "ServiceForm",
    "form_for",
]

Validator = Callable[[Any], list[FieldError]]
#: a stand-in for text that is not JSON, so that the model never sees it
_BAD_JSON = object()


def _options(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


#: the child lists of a node: their errors belong to the children's own forms
_CHILD_LISTS = frozenset({"properties", "commands", "events", "paras", "responses"})


def own_errors(errors: list[FieldError]) -> dict[str, str]:
    """Field name → first message, for the node's own fields (`enum_list[2]` → `enum_list`);
    errors inside child lists, such as `paras[0].max`, belong to other forms."""
    found: dict[str, str] = {}
    for error in errors:
        head = re.split(r"[.\[]", error.path, maxsplit=1)[0]
        if not head or (head in _CHILD_LISTS and error.path != head):
            continue
        message = error.message
        if error.path != head:
            message = f"{error.path.removeprefix(head)}: {message}"  # which enum value
        found.setdefault(head, message)
    return found


class NodeForm(FormScreen[dict[str, Any]]):
    """The form of one node kind; a subclass sets KIND, NAME, MODEL, VALIDATE and `fields()`.

    `taken` holds the sibling names the node's name must not repeat (unique in a service).
    """

    KIND: ClassVar[str] = "node"
    NAME: ClassVar[str] = "name"
    #: the label of the name field, for the kinds whose form is just their name
    NAME_LABEL: ClassVar[str] = "Name"
    VALIDATE: ClassVar[Validator]
    SUBMIT_LABEL = "Apply"
    #: the form edits the local draft; the platform is only called by the editor's save
    MUTATES = False

    DEFAULT_CSS = """
    NodeForm > #form { width: 80; }
    """

    def __init__(self, node: dict[str, Any], *, taken: set[str] | None = None) -> None:
        self.node = dict(node)
        self.taken = set(taken or ())
        name = node.get(self.NAME)
        self.TITLE = f"{self.KIND.capitalize()} {name}" if name else f"New {self.KIND}"
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        """Commands, responses and events: their form is their name (their children are nodes)."""
        return [FieldSpec(self.NAME, self.NAME_LABEL, value=self.value(self.NAME))]

    def value(self, key: str) -> Any:
        return self.node.get(key)

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def node_of(self, values: dict[str, Any]) -> dict[str, Any]:
        """The node's vendor JSON from the typed values (fields the form does not show are kept)."""
        data = {k: v for k, v in self.to_model_input(values).items() if v is not _BAD_JSON}
        return data

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        node = self.node_of(values)
        errors = own_errors(type(self).VALIDATE(node))
        name = node.get(self.NAME)
        if isinstance(name, str) and name in self.taken:
            errors.setdefault(self.NAME, f"{name!r} is already used here")
        return errors

    async def submit(self, model: Any) -> dict[str, Any]:
        assert isinstance(model, BaseModel)
        return model.model_dump(by_alias=True, exclude_none=True)


class _ValueForm(NodeForm):
    """Properties and parameters: a data type and the rules that hang on it."""

    def value_fields(self) -> list[FieldSpec]:
        enum_list = self.value("enum_list")
        return [
            FieldSpec(
                "data_type",
                "Data type",
                "choice",
                value=self.value("data_type"),
                options=_options(DATA_TYPES),
            ),
            FieldSpec("required", "Required", "bool", value=bool(self.value("required"))),
            FieldSpec(
                "min",
                "Min",
                placeholder="a number for int, long, decimal",
                value=_text(self.value("min")),
                optional=True,
            ),
            FieldSpec(
                "max",
                "Max",
                placeholder="number ≥ min",
                value=_text(self.value("max")),
                optional=True,
            ),
            FieldSpec("step", "Step", "float", value=self.value("step"), optional=True),
            FieldSpec(
                "max_length",
                "Max length",
                "int",
                value=self.value("max_length"),
                optional=True,
                placeholder="length of string values",
            ),
            FieldSpec(
                "enum_list",
                "Enum values",
                value=", ".join(enum_list) if enum_list else None,
                optional=True,
                placeholder="a, b, c (required for enum)",
            ),
            FieldSpec("unit", "Unit", value=self.value("unit"), optional=True),
            FieldSpec("description", "Description", value=self.value("description"), optional=True),
        ]

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        data = dict(values)
        enum_text = data.pop("enum_list", None)
        if isinstance(enum_text, str):
            data["enum_list"] = [v.strip() for v in enum_text.split(",") if v.strip()]
        if "default_value" in data:
            try:
                data["default_value"] = json.loads(data["default_value"])
            except (TypeError, ValueError):
                data["default_value"] = _BAD_JSON
        return data

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        errors = super().check(values)
        data = self.to_model_input(values)
        # The vendor accepts an enum list on any type, but only an enum reads it: the editor keeps
        # new models clean. (max_length stays allowed everywhere: the vendor's own Thermometer
        # example puts it on a decimal, and refusing it would refuse the vendor's product.)
        if data.get("enum_list") and data.get("data_type") != "enum":
            errors.setdefault("enum_list", "enumerated values are only for the enum data type")
        if data.get("default_value") is _BAD_JSON:
            errors.setdefault("default_value", 'must be JSON, e.g. 20 or "on" or {"a": 1}')
        return errors


class PropertyForm(_ValueForm):
    KIND = "property"
    NAME = "property_name"
    MODEL = ServiceProperty
    VALIDATE = staticmethod(validate_property)

    def fields(self) -> list[FieldSpec]:
        default = self.value("default_value")
        value = self.value_fields()
        return [
            FieldSpec("property_name", "Name", value=self.value("property_name")),
            value[0],
            FieldSpec(
                "method",
                "Access",
                "choice",
                value=self.value("method"),
                options=[(m, m) for m in METHODS],
                help="R read · W write · E event on change",
            ),
            *value[1:],
            FieldSpec(
                "default_value",
                "Default (JSON)",
                optional=True,
                value=None if default is None else json.dumps(default, ensure_ascii=False),
                placeholder='e.g. 20 or {"color": "red"}',
            ),
        ]


class ParaForm(_ValueForm):
    KIND = "parameter"
    NAME = "para_name"
    MODEL = ServiceCommandPara
    VALIDATE = staticmethod(validate_para)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("para_name", "Name", value=self.value("para_name")), *self.value_fields()]


class ServiceForm(NodeForm):
    KIND = "service"
    NAME = "service_id"
    MODEL = ServiceCapability
    VALIDATE = staticmethod(validate_service)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("service_id", "Service ID", value=self.value("service_id")),
            FieldSpec("service_type", "Service type", value=self.value("service_type")),
            FieldSpec(
                "option",
                "Option",
                "choice",
                value=self.value("option") or "Optional",
                options=_options(OPTIONS),
            ),
            FieldSpec("description", "Description", value=self.value("description"), optional=True),
        ]


class CommandForm(NodeForm):
    KIND = "command"
    NAME = "command_name"
    MODEL = ServiceCommand
    VALIDATE = staticmethod(validate_command)


class ResponseForm(NodeForm):
    KIND = "response"
    NAME = "response_name"
    MODEL = ServiceCommandResponse
    VALIDATE = staticmethod(validate_response)


class EventForm(NodeForm):
    KIND = "event"
    NAME = "event_type"
    MODEL = ServiceEvent
    VALIDATE = staticmethod(validate_event)

    NAME_LABEL = "Event type"


class ProductHeaderForm(NodeForm):
    """The product's own fields; in the editor, the product id and resource space stay fixed."""

    KIND = "product"
    NAME = "name"
    MODEL = Product
    VALIDATE = staticmethod(validate_product_header)
    #: a new product may choose its id and resource space; an existing one cannot change them
    NEW: ClassVar[bool] = False

    def __init__(self, node: dict[str, Any] | None = None) -> None:
        super().__init__(node or {"protocol_type": "MQTT", "data_format": "json"})
        if not self.NEW:
            self.TITLE = f"Product {self.node.get('name') or ''}".strip()

    def fields(self) -> list[FieldSpec]:
        specs = [
            FieldSpec("name", "Name", value=self.value("name")),
            FieldSpec("device_type", "Device type", value=self.value("device_type")),
            FieldSpec(
                "protocol_type",
                "Protocol",
                "choice",
                value=self.value("protocol_type"),
                options=_options(PROTOCOL_TYPES),
            ),
            FieldSpec(
                "data_format",
                "Data format",
                "choice",
                value=self.value("data_format"),
                options=_options(DATA_FORMATS),
            ),
            FieldSpec(
                "manufacturer_name",
                "Manufacturer",
                value=self.value("manufacturer_name"),
                optional=True,
            ),
            FieldSpec("industry", "Industry", value=self.value("industry"), optional=True),
            FieldSpec("description", "Description", value=self.value("description"), optional=True),
        ]
        if self.NEW:
            specs += [
                FieldSpec(
                    "product_id",
                    "Product ID",
                    optional=True,
                    placeholder="blank: the platform assigns one",
                ),
                FieldSpec("app_id", "Resource space", optional=True, placeholder="blank: default"),
            ]
        return specs

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        # The header form never edits services: they ride along unchanged (none for a new one).
        return {**values, "service_capabilities": self.node.get("service_capabilities") or []}

    async def submit(self, model: Any) -> dict[str, Any]:
        assert isinstance(model, Product)
        body = model.model_dump(by_alias=True, exclude_none=True)
        body.pop("service_capabilities", None)
        return body


class NewProductForm(ProductHeaderForm):
    """Creates a product with no services yet (the editor adds them); answers the created one."""

    TITLE = "New product"
    SUBMIT_LABEL = "Create"
    MUTATES = True
    NEW = True

    async def submit(self, model: Any) -> Any:  # the created Product
        platform = self.platform
        if not isinstance(platform, Products):
            raise RuntimeError("this platform has no products")
        return await platform.create_product(model)


#: node kind (see capability_editor.ITEM_KIND) → its form
FORMS: dict[str, type[NodeForm]] = {
    "service": ServiceForm,
    "property": PropertyForm,
    "command": CommandForm,
    "response": ResponseForm,
    "event": EventForm,
    "para": ParaForm,
}


def form_for(kind: str, node: dict[str, Any], taken: set[str]) -> NodeForm:
    """The form editing a node of `kind` (the product header for "product")."""
    if kind == "product":
        return ProductHeaderForm(node)
    return FORMS[kind](node, taken=taken)
