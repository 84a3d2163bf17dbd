"""The capability editor: its pure draft (tree operations, undo/redo) and the editor flows on the sim."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.app.conftest import SIZES, notifications, wait_for
from tui.api.platform import Products
from tui.api.products import Product, diff_products
from tui.screens.capability_editor import (
    ROOT,
    CapabilityDraft,
    CapabilityEditorScreen,
    DiffScreen,
    kind_of,
    unique_name,
)
from tui.screens.confirm import ConfirmScreen
from tui.screens.products import ProductDetailScreen, ProductsScreen
from tui.widgets.capability_forms import CommandForm, ParaForm, PropertyForm, ServiceForm


def thermometer() -> dict[str, Any]:
    return {
        "product_id": "5ba24f5ebbe8f56f5a14f605",
        "name": "Thermometer",
        "device_type": "Thermometer",
        "protocol_type": "MQTT",
        "data_format": "json",
        "service_capabilities": [
            {
                "service_id": "temperature",
                "service_type": "temperature",
                "properties": [
                    {
                        "property_name": "temperature",
                        "data_type": "decimal",
                        "required": True,
                        "min": "1",
                        "max": "100",
                        "step": 0.1,
                        "unit": "centigrade",
                        "method": "RW",
                    }
                ],
                "commands": [
                    {
                        "command_name": "reboot",
                        "paras": [{"para_name": "force", "data_type": "string", "max_length": 100}],
                        "responses": [{"response_name": "ACK", "paras": []}],
                    }
                ],
                "option": "Mandatory",
            }
        ],
    }


SERVICE = ("service_capabilities", 0)


# ---------------------------------------------------------------- the pure draft


def test_kinds_of_paths() -> None:
    assert kind_of(()) == "product"
    assert kind_of(ROOT) == "list"
    assert kind_of(SERVICE) == "service"
    assert kind_of((*SERVICE, "properties", 0)) == "property"
    assert kind_of((*SERVICE, "commands", 0, "paras", 0)) == "para"
    assert kind_of((*SERVICE, "commands", 0, "responses", 0)) == "response"
    assert kind_of((*SERVICE, "events", 0)) == "event"


def test_add_puts_the_right_kind_under_the_cursor() -> None:
    draft = CapabilityDraft(thermometer())
    # On a service: a property, last in its list.
    path = draft.add(SERVICE)
    assert path == (*SERVICE, "properties", 1)
    assert draft.get(path)["property_name"] == "new_property"
    # On a property (no children): a sibling right after it, with a unique name.
    path = draft.add((*SERVICE, "properties", 0))
    assert path == (*SERVICE, "properties", 1)
    assert draft.get(path)["property_name"] == "new_property_2"
    # On a command: a parameter; on the responses list: a response; on the product: a service.
    assert draft.add((*SERVICE, "commands", 0)) == (*SERVICE, "commands", 0, "paras", 1)
    assert draft.add((*SERVICE, "commands", 0, "responses")) == (
        *SERVICE,
        "commands",
        0,
        "responses",
        1,
    )
    assert draft.add(()) == ("service_capabilities", 1)
    # A list missing from the product (no events) is created on the first add.
    assert draft.add((*SERVICE, "events")) == (*SERVICE, "events", 0)
    assert draft.get((*SERVICE, "events", 0)) == {"event_type": "new_event", "paras": []}


def test_duplicate_delete_move() -> None:
    draft = CapabilityDraft(thermometer())
    prop = (*SERVICE, "properties", 0)
    copy_path = draft.duplicate(prop)
    assert copy_path == (*SERVICE, "properties", 1)
    assert draft.get(copy_path)["property_name"] == "temperature_copy"
    assert draft.get(copy_path)["min"] == "1"
    assert draft.move(copy_path, -1) == prop
    assert draft.get(prop)["property_name"] == "temperature_copy"
    assert draft.move(prop, -1) == prop  # already first: nothing moves
    assert draft.delete(prop) == prop
    assert [p["property_name"] for p in draft.get((*SERVICE, "properties"))] == ["temperature"]
    assert draft.delete(prop) == (*SERVICE, "properties")
    with pytest.raises(ValueError):
        draft.delete((*SERVICE, "properties"))
    with pytest.raises(ValueError):
        draft.duplicate(())


def test_undo_and_redo_walk_the_history() -> None:
    original = thermometer()
    draft = CapabilityDraft(original)
    assert not draft.dirty
    a = draft.add(SERVICE)
    draft.replace(a, {"property_name": "humidity", "data_type": "int", "method": "R"})
    assert draft.dirty
    assert draft.undo() == a
    assert draft.get(a)["property_name"] == "new_property"
    assert draft.undo() == SERVICE
    assert draft.product == original and not draft.dirty
    assert draft.undo() is None
    assert draft.redo() == SERVICE
    assert draft.redo() == a
    assert draft.get(a)["property_name"] == "humidity"
    assert draft.redo() is None
    # A new change after an undo drops the redo history.
    draft.undo()
    draft.delete(SERVICE)
    assert draft.redo() is None


def test_replace_keeps_child_lists_and_ignores_no_change() -> None:
    draft = CapabilityDraft(thermometer())
    command = (*SERVICE, "commands", 0)
    draft.replace(command, {"command_name": "restart"})
    assert draft.get(command)["paras"][0]["para_name"] == "force"
    assert len(draft.undo_stack) == 1
    draft.replace(command, {"command_name": "restart"})
    assert len(draft.undo_stack) == 1
    header = {k: v for k, v in draft.product.items() if k != "service_capabilities"}
    draft.replace((), {**header, "name": "Thermo 2"})
    assert draft.product["name"] == "Thermo 2"
    assert draft.product["service_capabilities"][0]["service_id"] == "temperature"


def test_reset_after_a_save_and_replace_all() -> None:
    draft = CapabilityDraft(thermometer())
    draft.add(SERVICE)
    saved = copy.deepcopy(draft.product)
    draft.reset(saved)
    assert not draft.dirty and not draft.undo_stack
    other = {**thermometer(), "name": "Imported"}
    draft.replace_all(other)
    assert draft.product["name"] == "Imported"
    draft.undo()
    assert draft.product == saved


def test_unique_name() -> None:
    assert unique_name(set(), "a") == "a"
    assert unique_name({"a", "a_2"}, "a") == "a_3"


# ---------------------------------------------------------------- the editor on the simulator

THERMOMETER = "5ba24f5ebbe8f56f5a14f605"


async def open_editor(pilot, app) -> CapabilityEditorScreen:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ProductsScreen) and app.screen.state.state != "loading",
    )
    app.push_screen(ProductDetailScreen(THERMOMETER))
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.product is not None,
    )
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, CapabilityEditorScreen))
    await pilot.pause()
    return app.screen


def cursor(app) -> tuple:
    return app.screen.cursor


def field_error(form, name: str) -> str:
    return str(form.form_field(name).query_one(".field-error").render())


async def type_into(pilot, form, name: str, text: str) -> None:
    """Focus a field, clear it as a user would (end, ctrl+u) and type."""
    form.form_field(name).input.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


async def test_done_when_add_a_property_and_a_command_see_the_diff_save_and_reload(
    make_app,
) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app)
        assert cursor(app) == ()
        await pilot.press("down", "down")  # the service, its properties
        assert cursor(app) == (*SERVICE, "properties")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PropertyForm))
        form = app.screen
        # Each bad value is refused at its field, as it is typed.
        await type_into(pilot, form, "property_name", "temperature")
        assert "already used" in field_error(form, "property_name")
        await type_into(pilot, form, "property_name", "humidity")
        assert field_error(form, "property_name") == ""
        await type_into(pilot, form, "min", "abc")
        assert "integer" in field_error(form, "min")
        await type_into(pilot, form, "min", "10")
        await type_into(pilot, form, "max", "5")
        assert "less than min" in field_error(form, "max")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PropertyForm)  # refused while an error is open
        assert "to fix" in str(form.query_one("#form-summary").render())
        await type_into(pilot, form, "max", "90")
        await type_into(pilot, form, "default_value", "{oops")
        assert "JSON" in field_error(form, "default_value")
        await type_into(pilot, form, "default_value", "40")
        await type_into(pilot, form, "enum_list", "low, high")
        assert "only for the enum data type" in field_error(form, "enum_list")
        await type_into(pilot, form, "enum_list", "")
        assert field_error(form, "enum_list") == ""
        await type_into(pilot, form, "unit", "%")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is editor)
        prop = editor.draft.get((*SERVICE, "properties", 1))
        assert prop["property_name"] == "humidity"
        assert (prop["min"], prop["max"], prop["default_value"], prop["unit"]) == (
            "10",
            "90",
            40,
            "%",
        )
        # A command with a parameter: on the commands list, `a` adds a command; on it, a para.
        await pilot.press("down")
        assert cursor(app) == (*SERVICE, "commands")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandForm))
        await type_into(pilot, app.screen, "command_name", "set interval")
        assert "may contain only" in field_error(app.screen, "command_name")
        await type_into(pilot, app.screen, "command_name", "setInterval")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is editor)
        assert cursor(app) == (*SERVICE, "commands", 1)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ParaForm))
        para_form = app.screen
        await type_into(pilot, para_form, "para_name", "seconds")
        await type_into(pilot, para_form, "step", "-1")
        assert "negative" in field_error(para_form, "step")
        await type_into(pilot, para_form, "step", "1")
        await type_into(pilot, para_form, "min", "1")
        await type_into(pilot, para_form, "max", "3600")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is editor)
        assert cursor(app) == (*SERVICE, "commands", 1, "paras", 0)
        assert editor.draft.dirty and not editor.errors
        # The diff against the server's copy, then save.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen))
        diff = app.screen
        paths = {(c.kind, c.path) for c in diff.changes}
        assert ("added", "service_capabilities[temperature].properties[humidity]") in paths
        assert ("added", "service_capabilities[temperature].commands[setInterval]") in paths
        await pilot.press("y")
        await wait_for(pilot, lambda: editor.saved is not None and not editor.saving)
        assert any("saved" in n for n in notifications(app))
        assert not editor.draft.dirty
        # Reloaded from the server: the server's copy holds the change.
        fresh = await app.platform.get_product(THERMOMETER)
        service = fresh.service_capabilities[0]
        assert [p.property_name for p in service.properties] == ["temperature", "humidity"]
        command = service.commands[1]
        assert command.command_name == "setInterval"
        assert command.paras[0].para_name == "seconds" and command.paras[0].max == "3600"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProductDetailScreen))
        assert "humidity" in str(app.screen.product)


async def test_undo_redo_duplicate_delete_reorder_by_keys(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, app)
        original = copy.deepcopy(editor.draft.product)
        await pilot.press("down", "down", "down")
        prop = (*SERVICE, "properties", 0)
        assert cursor(app) == prop
        await pilot.press("c")
        assert cursor(app) == (*SERVICE, "properties", 1)
        assert editor.draft.get(cursor(app))["property_name"] == "temperature_copy"
        await pilot.press("K")
        assert cursor(app) == prop
        assert editor.draft.get(prop)["property_name"] == "temperature_copy"
        await pilot.press("shift+down")
        assert cursor(app) == (*SERVICE, "properties", 1)
        await pilot.press("x")
        assert len(editor.draft.get((*SERVICE, "properties"))) == 1
        await pilot.press("u", "ctrl+z")
        assert editor.draft.get(prop)["property_name"] == "temperature_copy"
        await pilot.press("U")
        assert editor.draft.get(prop)["property_name"] == "temperature"
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")
        assert editor.draft.product == original
        assert "redo 4" in str(app.screen.query_one("#editor-status").render())
        await pilot.press("ctrl+y", "ctrl+y", "ctrl+y", "ctrl+y")
        assert len(editor.draft.get((*SERVICE, "properties"))) == 1
        assert editor.draft.dirty is False  # copy, move, delete: back to the same model
        # Leaving with unsaved changes asks first.
        assert cursor(app) == (*SERVICE, "properties")  # the deleted copy's list
        await pilot.press("down", "c", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        assert app.screen is editor


async def test_saving_is_refused_while_an_error_is_open(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, app)
        prop = (*SERVICE, "properties", 0)
        # A value the server sent or a file held can be wrong: the editor marks it and refuses.
        editor.draft.replace(prop, {**editor.draft.get(prop), "min": "500", "max": "5"})
        editor.refresh_tree(())
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        assert any("error(s) open" in n for n in notifications(app))
        assert cursor(app) == prop  # the cursor goes to the first node in error
        assert "less than min" in str(editor.query_one("#editor-errors").render())
        await pilot.press("u")
        assert not editor.errors


async def test_export_then_import_round_trip(make_app, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, app)
        original = copy.deepcopy(editor.draft.product)
        await pilot.press("o", "enter")  # the default path: <product_id>.json here
        exported = tmp_path / f"{THERMOMETER}.json"
        await wait_for(pilot, exported.exists)
        body = json.loads(exported.read_text())
        assert body["service_capabilities"] == original["service_capabilities"]
        assert "create_time" not in body
        await pilot.press("down", "x")  # delete the service
        assert editor.draft.get(("service_capabilities",)) == []
        bad = tmp_path / "bad.json"
        bad.write_text('{"name": "x"}')
        await pilot.press("i", *str(bad), "enter")
        await wait_for(pilot, lambda: any("device_type" in n for n in notifications(app)))
        await pilot.press("i", *str(exported), "enter")
        await wait_for(pilot, lambda: any("Imported" in n for n in notifications(app)))
        assert editor.draft.product["service_capabilities"] == original["service_capabilities"]
        assert not diff_products(editor.draft.server, editor.draft.product)
        await pilot.press("u")  # the import is one undoable step
        assert editor.draft.get(("service_capabilities",)) == []


async def test_a_refused_save_keeps_the_draft(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.platform, Products))
        spare = Product(
            product_id="fleet-spare-02",
            name="Spare",
            device_type="Spare",
            protocol_type="MQTT",
            service_capabilities=[],
        )
        await app.platform.create_product(spare)
        app.push_screen(ProductDetailScreen("fleet-spare-02"))
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.product is not None,
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CapabilityEditorScreen))
        editor = app.screen
        await pilot.press("a")  # on the product: a service
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceForm))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is editor)
        # Someone deletes the product meanwhile: the vendor refuses the PUT.
        await app.platform.delete_product("fleet-spare-02")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: any("Saving product" in n for n in notifications(app)))
        await wait_for(pilot, lambda: not editor.saving)
        assert app.screen is editor
        assert editor.draft.dirty and editor.saved is None


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_editor(snap_compare, make_app, size) -> None:
    app = make_app(profile="demo-iotda", view="products")

    async def run_before(pilot) -> None:
        await open_editor(pilot, app)
        await pilot.press("down", "down", "down")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_property_form_with_errors(snap_compare, make_app, size) -> None:
    app = make_app(profile="demo-iotda", view="products")

    async def run_before(pilot) -> None:
        await open_editor(pilot, app)
        await pilot.press("down", "down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PropertyForm))
        form = app.screen
        await type_into(pilot, form, "min", "abc")
        await type_into(pilot, form, "max", "x1")
        await type_into(pilot, form, "property_name", "temp erature")
        await pilot.press("ctrl+s")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_diff(snap_compare, make_app, size) -> None:
    app = make_app(profile="demo-iotda", view="products")

    async def run_before(pilot) -> None:
        editor = await open_editor(pilot, app)
        await pilot.press("down", "down", "down", "c")
        prop = (*SERVICE, "properties", 0)
        editor.draft.replace(prop, {**editor.draft.get(prop), "unit": "kelvin"})
        editor.draft.delete((*SERVICE, "commands", 0, "responses", 0))
        editor.refresh_tree()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen))

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_editor_with_errors(snap_compare, make_app, size) -> None:
    app = make_app(profile="demo-iotda", view="products")

    async def run_before(pilot) -> None:
        editor = await open_editor(pilot, app)
        prop = (*SERVICE, "properties", 0)
        editor.draft.replace(prop, {**editor.draft.get(prop), "min": "500", "max": "5"})
        editor.refresh_tree(())
        await pilot.pause()
        await pilot.press("ctrl+s")  # refused: the cursor goes to the node in error
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
