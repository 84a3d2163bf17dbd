"""The scripting CLI: `fleet devices list|get`, `fleet alarms list`, `fleet connections list`,
`fleet products list|export|import` and each platform's own lists (`fleet definitions list`,
`fleet tokens list`, `fleet base-stations list`), written to stdout as a table, JSON, JSON Lines
or CSV.

A cursor-paged list is walked with `tui.api.paging.walk` (one request kept ahead) and each page is
written with one write as it arrives, so memory stays flat whatever the fleet's size and a pipe
sees the first rows at once. A reader that goes away (`| head`) ends the command quietly with 0.
Exit status: 0 done, 1 the platform refused or failed (its code and message on stderr), 2 a
usage error (argparse's own, an unknown profile, a platform without that list), 130 Ctrl-C.

Whatever a platform sends is data: in JSON its control characters, C1 controls and
bidirectional overrides are `\\u` escapes, in a table or CSV cell they are written as escapes
(`tui.cli._shown`). This module imports no Textual: a script's `fleet` starts in a fraction of
the console's time.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from pydantic import BaseModel
    from pydantic_core import SchemaSerializer

    from tui.api.platform import Platform
    from tui.config import ProfileBase

__all__ = ["COMMANDS", "add_parsers", "run"]

FORMATS = ("table", "json", "jsonl", "csv")
#: the widest a table column gets (a longer cell is shortened with "…")
MAX_WIDTH = 40
#: what a secret field of a device's detail shows instead of its value
MASK = "********"


class UsageError(Exception):
    """The command cannot apply (a platform without that list, a read-only profile): exit 2."""


# ---------------------------------------------------------------------------- safe text

# Bytes of UTF-8 JSON that a terminal would act on and that JSON leaves raw: DEL, C1 controls,
# bidirectional marks, overrides and isolates, line and paragraph separators.
_UNSAFE_JSON = re.compile(
    rb"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)


def _json_escape(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode())


def safe_json(data: bytes) -> bytes:
    """UTF-8 JSON with every character a terminal would act on as a `\\u` escape (still JSON)."""
    if data.isascii() and b"\x7f" not in data:  # the common case, in a fraction of the search
        return data
    return _UNSAFE_JSON.sub(_json_escape, data) if _UNSAFE_JSON.search(data) else data


def _shown(text: object) -> str:
    from tui.cli import _shown as shown

    return shown(text)


# ---------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """A table column: its title and how a row's cell is made (the zone for times)."""

    title: str
    cell: Callable[[Any, ZoneInfo], str]


def _time(when: datetime | None, zone: ZoneInfo) -> str:
    """As the console shows a time: `2026-11-30 18:40` in the profile's time zone."""
    return "—" if when is None else when.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _text(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


def _field(name: str) -> Callable[[Any, ZoneInfo], str]:
    return lambda item, _zone: _text(getattr(item, name))


def device_columns(labels: dict[str, str | None]) -> list[Column]:
    """The device list's columns, titled in the platform's words, as the console shows them."""
    columns = [
        ("name", "Name", _field("name")),
        ("eui", "DevEUI", lambda d, _z: d.eui or d.key),
        ("connectivity", "Radio", _field("connectivity")),
        ("activation", "Activation", _field("activation")),
        ("model", "Model", _field("model")),
        ("connection", "Connection", _field("connection")),
        ("health", "Health", _field("health")),
        ("last_activity", "Last activity", lambda d, z: _time(d.last_activity, z)),
    ]
    shown = []
    for name, default, cell in columns:
        title = labels.get(name, default)
        if title is not None:
            shown.append(Column(title, cell))
    return shown


def _alarm_state(alarm: Any, _zone: ZoneInfo) -> str:
    state = alarm.state or "—"
    return f"{state} ✓" if alarm.acknowledged else state


ALARM_COLUMNS = [
    Column("Severity", lambda a, _z: str(a.severity)),
    Column("State", _alarm_state),
    Column("Device", lambda a, _z: a.device_name or a.device_key or "—"),
    Column("Type", _field("type")),
    Column("Raised", lambda a, z: _time(a.raised_at, z)),
    Column("Last", lambda a, z: _time(a.occurred_at, z)),
    Column("Message", _field("message")),
]


def connection_columns(
    labels: dict[str, str | None], kinds: dict[str, tuple[str, str]]
) -> list[Column]:
    def cell(name: str) -> Callable[[Any, ZoneInfo], str]:
        if name == "kind":
            return lambda c, _z: kinds.get(c.kind, (c.kind, ""))[0]
        if name == "device_count":
            return lambda c, _z: "—" if c.device_count is None else f"{c.device_count:,}"
        return _field(name)

    shown = []
    from tui.api.platform import CONNECTION_FIELDS

    for name, default in CONNECTION_FIELDS:
        title = labels.get(name, default)
        if title:
            shown.append(Column(title, cell(name)))
    return shown


def _count(name: str) -> Callable[[Any, ZoneInfo], str]:
    return lambda item, _zone: str(len(getattr(item, name)) or "—")


DEFINITION_COLUMNS = [
    Column("Key", _field("key")),
    Column("Name", _field("name")),
    Column("Version", _field("version")),
    Column("Attributes", _count("attributes")),
    Column("Properties", _count("properties")),
    Column("Alarms", _count("alarms")),
    Column("Methods", _count("methods")),
]
TOKEN_COLUMNS = [
    Column("Name", _field("name")),
    Column("Id", _field("key")),
    Column("Auto-registers as", _field("definition")),
    Column("Auto-registration tags", lambda a, _z: ", ".join(a.auto_reg_tags) or "—"),
]
BASE_STATION_COLUMNS = [
    Column("Name", _field("name")),
    Column("Id", _field("key")),
    Column("State", _field("state")),
    Column("Latitude", _field("latitude")),
    Column("Longitude", _field("longitude")),
    Column("Location", _field("location_name")),
    Column("Firmware", _field("firmware")),
]
PRODUCT_COLUMNS = [
    Column("Name", _field("name")),
    Column("Product ID", _field("product_id")),
    Column("Device type", _field("device_type")),
    Column("Protocol", _field("protocol_type")),
    Column("Format", _field("data_format")),
    Column("Industry", _field("industry")),
]


# ---------------------------------------------------------------------------- output formats


#: A row of a list: a model, or a dict of a model's fields in its order (`model_dump()`), which
#: an adapter builds without a model per row where a list is long (see tui/api/platform.py `DeviceRows`).
Row: TypeAlias = "BaseModel | dict[str, Any]"


class Output:
    """Rows written to a binary stream page by page: one write and one flush per page, so a pipe
    sees each page as it arrives. `close()` ends the document (a JSON array's `]`)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def emit(self, data: bytes) -> None:
        if data:
            self.stream.write(data)
            self.stream.flush()

    def page(self, items: Sequence[Row]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        return


@cache
def _dict_serializer() -> SchemaSerializer:
    from pydantic import TypeAdapter

    # The same Rust serializer as a model's: a dict of a model's fields comes out as the model's
    # JSON (same keys, order and values; times as `2026-11-30T18:40:00Z`).
    return TypeAdapter(Any).serializer


def _serializer(items: Sequence[Row]) -> SchemaSerializer:
    """The serializer of a page's rows (all of one kind): the model's own, or the dicts'."""
    first = items[0]
    return _dict_serializer() if isinstance(first, dict) else type(first).__pydantic_serializer__


def _to_json(items: Sequence[Row]) -> list[bytes]:
    """Each row as compact JSON, as `model_dump_json()` writes it (one Rust call a row)."""
    return list(map(_serializer(items).to_json, items)) if items else []


class JsonLines(Output):
    """One JSON object a line (model_dump(mode="json") of each row)."""

    def page(self, items: Sequence[Row]) -> None:
        if items:
            self.emit(safe_json(b"\n".join(_to_json(items)) + b"\n"))


class JsonArray(Output):
    """One JSON array, written incrementally: `[` with the first page, `]` at the end."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(stream)
        self.started = False

    def page(self, items: Sequence[Row]) -> None:
        if not items:
            return
        head = b",\n" if self.started else b"[\n"
        self.started = True
        self.emit(head + safe_json(b",\n".join(_to_json(items))))

    def close(self) -> None:
        self.emit(b"\n]\n" if self.started else b"[]\n")


class Csv(Output):
    """A header of the model's field names, then one row per item; a list or object field is
    its JSON text, a missing value an empty cell, outside text escaped."""

    def __init__(self, stream: IO[bytes], fields: Sequence[str]) -> None:
        super().__init__(stream)
        self.fields = list(fields)
        self.emit(self._lines([self.fields]))

    @staticmethod
    def _cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dict | list):
            return _shown(json.dumps(value, ensure_ascii=False))
        return _shown(value)

    def _lines(self, rows: list[list[Any]]) -> bytes:
        import csv
        import io

        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(rows)
        return text.getvalue().encode()

    def page(self, items: Sequence[Row]) -> None:
        if not items:
            return
        dump = _serializer(items).to_python
        rows = []
        for item in items:
            data = dump(item, mode="json")  # model_dump(mode="json")
            rows.append([self._cell(data.get(name)) for name in self.fields])
        self.emit(self._lines(rows))


class Table(Output):
    """Plain-text columns, widths fitted to the first page (at most MAX_WIDTH): what the console
    shows, in a form `grep`, `sort` and eyes can read."""

    def __init__(self, stream: IO[bytes], columns: Sequence[Column], zone: ZoneInfo) -> None:
        super().__init__(stream)
        self.columns = list(columns)
        self.zone = zone
        self.widths: list[int] | None = None

    @staticmethod
    def _fit(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    def _line(self, cells: Sequence[str]) -> str:
        assert self.widths is not None
        return "  ".join(
            self._fit(cell, width).ljust(width)
            for cell, width in zip(cells, self.widths, strict=True)
        ).rstrip()

    def page(self, items: Sequence[Row]) -> None:
        rows = [[_shown(c.cell(item, self.zone)) for c in self.columns] for item in items]
        lines = []
        if self.widths is None:
            titles = [c.title for c in self.columns]
            self.widths = [
                min(MAX_WIDTH, max([len(title), *(len(row[i]) for row in rows)]))
                for i, title in enumerate(titles)
            ]
            lines.append(self._line(titles))
        lines += [self._line(row) for row in rows]
        if lines:
            self.emit(("\n".join(lines) + "\n").encode())

    def close(self) -> None:
        if self.widths is None:  # nothing came: the header still says what would have
            self.page([])


def make_output(
    form: str,
    stream: IO[bytes],
    *,
    model: type[BaseModel],
    columns: Sequence[Column],
    zone: ZoneInfo,
) -> Output:
    if form == "jsonl":
        return JsonLines(stream)
    if form == "json":
        return JsonArray(stream)
    if form == "csv":
        return Csv(stream, list(model.model_fields))
    return Table(stream, columns, zone)


# ---------------------------------------------------------------------------- the commands


@dataclass
class Context:
    """What a command runs with: the opened profile and platform, its arguments, stdout."""

    profile: ProfileBase
    platform: Platform
    args: argparse.Namespace
    stream: IO[bytes]
    #: set by Ctrl-C (SIGINT): the command ends with status 130 whatever became of the cancel
    interrupted: bool = False

    @property
    def zone(self) -> ZoneInfo:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.profile.timezone)

    def require(self, capability: type, what: str) -> Any:
        """The platform as `capability`, or a UsageError naming what it lacks."""
        if not isinstance(self.platform, capability):
            label = getattr(self.platform, "title", self.platform.name)
            raise UsageError(f"profile {self.profile.name} ({label}) has no {what}")
        return self.platform

    def output(self, model: type[BaseModel], columns: Sequence[Column]) -> Output:
        return make_output(
            self.args.output, self.stream, model=model, columns=columns, zone=self.zone
        )


async def _write_pages(out: Output, pages: AsyncIterator[Sequence[Row]]) -> None:
    from contextlib import aclosing

    async with aclosing(pages):  # type: ignore[type-var]
        async for items in pages:
            out.page(items)
    out.close()


async def _pages(fetch: Callable[[str | None], Any], platform: str) -> AsyncIterator[Any]:
    """Every page's items of a cursor-paged list, the next request kept ahead."""
    from contextlib import aclosing

    from tui.api.paging import walk

    async with aclosing(walk(fetch, platform=platform)) as pages:
        async for page in pages:
            yield page.items


async def _one(items: Any) -> AsyncIterator[Any]:
    """A list the platform answers whole, as one page."""
    yield await items


async def devices_list(ctx: Context) -> None:
    from tui.api.models import DeviceSummary
    from tui.api.platform import DeviceDirectory, DeviceRows

    platform = ctx.require(DeviceDirectory, "device list")
    out = ctx.output(DeviceSummary, device_columns(platform.DEVICE_LABELS))
    fetch = platform.list_devices
    if ctx.args.output != "table" and isinstance(platform, DeviceRows):
        fetch = platform.list_device_rows
    await _write_pages(out, _pages(fetch, ctx.platform.name))


async def devices_get(ctx: Context) -> None:
    from tui.api.platform import DeviceDirectory

    platform = ctx.require(DeviceDirectory, "device list")
    detail = await platform.get_device(ctx.args.key)
    sections = [
        {
            "title": section.title,
            "fields": {f.label: MASK if f.secret else f.value for f in section.fields},
        }
        for section in detail.sections
    ]
    form = ctx.args.output
    if form in ("json", "jsonl"):
        body = {
            "key": detail.key,
            "name": detail.name,
            "summary": detail.summary.model_dump(mode="json"),
            "sections": sections,
        }
        indent = 2 if form == "json" else None
        text = json.dumps(body, ensure_ascii=False, indent=indent) + "\n"
        Output(ctx.stream).emit(safe_json(text.encode()))
        return
    if form == "csv":
        rows = [["section", "field", "value"]]
        rows += [[s["title"], k, v] for s in sections for k, v in s["fields"].items()]
        import csv
        import io

        text_io = io.StringIO()
        csv.writer(text_io, lineterminator="\n").writerows(
            [[_shown(cell) for cell in row] for row in rows]
        )
        Output(ctx.stream).emit(text_io.getvalue().encode())
        return
    lines = [f"{_shown(detail.name)}  ({_shown(detail.key)})"]
    for section in sections:
        lines.append("")
        lines.append(_shown(section["title"]))
        fields = section["fields"]
        width = min(MAX_WIDTH, max((len(_shown(k)) for k in fields), default=0))
        lines += [f"  {_shown(k).ljust(width)}  {_shown(v)}" for k, v in fields.items()]
    Output(ctx.stream).emit(("\n".join(lines) + "\n").encode())


async def alarms_list(ctx: Context) -> None:
    from tui.api.models import Alarm
    from tui.api.platform import Alarms

    platform = ctx.require(Alarms, "alarms")
    device = ctx.args.device

    async def fetch(cursor: str | None) -> Any:
        return await platform.list_alarms(cursor, device_key=device)

    await _write_pages(ctx.output(Alarm, ALARM_COLUMNS), _pages(fetch, ctx.platform.name))


async def _whole_list(
    ctx: Context,
    capability: type[Any],
    what: str,
    model: type[BaseModel],
    columns: Sequence[Column] | Callable[[Any], Sequence[Column]],
    read: Callable[[Any], Awaitable[Sequence[Any]]],
) -> None:
    """A list a platform gives whole (one call, no cursor), written as one page."""
    platform = ctx.require(capability, what)
    shown = columns(platform) if callable(columns) else columns
    await _write_pages(ctx.output(model, shown), _one(read(platform)))


async def connections_list(ctx: Context) -> None:
    from tui.api.models import Connection
    from tui.api.platform import Connections

    def columns(platform: Connections) -> Sequence[Column]:
        return connection_columns(platform.CONNECTION_LABELS, platform.CONNECTION_KINDS)

    await _whole_list(
        ctx, Connections, "connections", Connection, columns, lambda p: p.list_connections()
    )


async def definitions_list(ctx: Context) -> None:
    from tui.api.models import ThingDefinition
    from tui.api.platform import ThingDefinitions

    await _whole_list(
        ctx,
        ThingDefinitions,
        "thing definitions",
        ThingDefinition,
        DEFINITION_COLUMNS,
        lambda p: p.thing_definitions(),
    )


async def tokens_list(ctx: Context) -> None:
    from tui.api.models import Application
    from tui.api.platform import ApplicationTokens

    await _whole_list(
        ctx, ApplicationTokens, "application tokens", Application, TOKEN_COLUMNS,
        lambda p: p.applications(),
    )  # fmt: skip


async def base_stations_list(ctx: Context) -> None:
    from tui.api.models import BaseStation
    from tui.api.platform import BaseStations

    await _whole_list(
        ctx, BaseStations, "base stations", BaseStation, BASE_STATION_COLUMNS,
        lambda p: p.list_base_stations(),
    )  # fmt: skip


async def products_list(ctx: Context) -> None:
    from tui.api.platform import Products
    from tui.api.products import ProductSummary

    platform = ctx.require(Products, "products")
    out = ctx.output(ProductSummary, PRODUCT_COLUMNS)
    await _write_pages(out, _pages(platform.list_products, ctx.platform.name))


async def products_export(ctx: Context) -> None:
    from tui.api.platform import Products

    platform = ctx.require(Products, "products")
    product = await platform.get_product(ctx.args.product_id)
    # The vendor's create body: the server's read-only fields are excluded by the model.
    text = json.dumps(product.body(), indent=2, ensure_ascii=False) + "\n"
    if ctx.args.file is None or ctx.args.file == "-":
        Output(ctx.stream).emit(safe_json(text.encode()))
        return
    path = Path(ctx.args.file).expanduser()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"product {_shown(product.product_id)} written to {_shown(path)}", file=sys.stderr)


def read_product(path: str) -> Any:
    """A product from a JSON file (the vendor's create body), checked by IoTDA's rules; a
    UsageError says what is wrong."""
    from tui.api.products import read_product_file

    try:
        return read_product_file(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


async def products_import(ctx: Context) -> None:
    from tui.api.platform import Products

    platform = ctx.require(Products, "products")
    if ctx.args.readonly or ctx.profile.readonly:
        why = "--readonly" if ctx.args.readonly else f"profile {ctx.profile.name} is read-only"
        raise UsageError(f"{why}: fleet products import would change the platform; not run")
    product = read_product(ctx.args.file)
    from tui.api.journal import Journal, JournalError

    try:
        journal: Journal | None = Journal()
    except JournalError:
        journal = None
    if journal is not None:  # every mutating call goes to the audit log, as in the console
        ctx.platform.set_recorder(journal.recorder(ctx.profile.name))
    try:
        created = await platform.create_product(product)
    finally:
        ctx.platform.set_recorder(None)
        if journal is not None:
            journal.close()
    Output(ctx.stream).emit(f"{_shown(created.product_id)}\n".encode())
    print(f"product {_shown(created.name)} created", file=sys.stderr)


# ---------------------------------------------------------------------------- the parsers

#: the top-level commands this module adds to `fleet`
COMMANDS = (
    "devices",
    "alarms",
    "connections",
    "products",
    "definitions",
    "tokens",
    "base-stations",
)

_FORMAT_HELP = "output: table (default), json (one array), jsonl (a line per row), csv"


def _common(parser: argparse.ArgumentParser, *, formats: bool = True) -> None:
    # SUPPRESS: an absent option leaves the top-level `fleet -p NAME` alone.
    parser.add_argument(
        "--profile",
        "-p",
        default=argparse.SUPPRESS,
        help="profile to use (default: the configured default, else the demo profile)",
    )
    if formats:
        parser.add_argument("-o", "--output", choices=FORMATS, default="table", help=_FORMAT_HELP)


def _command(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    text: str,
    example: str,
    handler: Callable[[Context], Any],
    *,
    formats: bool = True,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=text,
        description=f"{text[0].upper()}{text[1:]}.",
        epilog=f"example:\n  {example}\n\nexit status: 0 done, 1 API error (its code and "
        "message on stderr), 2 usage, 130 interrupted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser, formats=formats)
    parser.set_defaults(handler=handler)
    return parser


def _group(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    text: str,
) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    parser = sub.add_parser(name, help=text, description=f"{text[0].upper()}{text[1:]}.")
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the scripting commands under `fleet`'s sub-commands."""
    devices = _group(sub, "devices", "list devices or show one, for scripts")
    _command(
        devices,
        "list",
        "every device of the profile, page by page as the platform answers",
        "fleet devices list -p demo-thingpark -o jsonl | wc -l",
        devices_list,
    )
    get = _command(
        devices,
        "get",
        "one device's detail, its fields by section (secret keys masked)",
        "fleet devices get 0018B20000000001 -o json",
        devices_get,
    )
    get.add_argument("key", metavar="KEY", help="the device's key (DevEUI, device id, thing key)")

    alarms = _group(sub, "alarms", "list alarms, for scripts")
    listing = _command(
        alarms,
        "list",
        "every alarm, newest raised first",
        "fleet alarms list -o csv > alarms.csv",
        alarms_list,
    )
    listing.add_argument("--device", metavar="KEY", help="only this device's alarms")

    connections = _group(sub, "connections", "list connections, for scripts")
    _command(
        connections,
        "list",
        "every connection (application servers, IoT Flow, stream definitions, SIMs)",
        "fleet connections list -p demo-telit -o json",
        connections_list,
    )

    products = _group(sub, "products", "list, export or import IoTDA products")
    _command(
        products,
        "list",
        "every product",
        "fleet products list -p demo-iotda",
        products_list,
    )
    export = _command(
        products,
        "export",
        "a product as the vendor's create body (JSON), to stdout or a file",
        "fleet products export PRODUCT_ID -p demo-iotda -f thermometer.json",
        products_export,
        formats=False,
    )
    export.add_argument("product_id", metavar="PRODUCT_ID")
    export.add_argument("-f", "--file", metavar="FILE", help="write to FILE (default: stdout)")
    imported = _command(
        products,
        "import",
        "create a product from a JSON file (the vendor's create body); prints its product id",
        "fleet products import thermometer.json -p demo-iotda",
        products_import,
        formats=False,
    )
    imported.add_argument("file", metavar="FILE")

    definitions = _group(sub, "definitions", "list Telit thing definitions, for scripts")
    _command(
        definitions,
        "list",
        "every thing definition",
        "fleet definitions list -p demo-telit -o jsonl",
        definitions_list,
    )
    tokens = _group(sub, "tokens", "list Telit application tokens, for scripts")
    _command(
        tokens,
        "list",
        "every application whose token lets gateways connect (never the token)",
        "fleet tokens list -p demo-telit",
        tokens_list,
    )
    stations = _group(sub, "base-stations", "list MyThings base stations, for scripts")
    _command(
        stations,
        "list",
        "every base station with its state and location",
        "fleet base-stations list -p demo-mythings -o csv",
        base_stations_list,
    )


# ---------------------------------------------------------------------------- running


def _fail(message: str, code: int) -> int:
    print(f"fleet: {_shown(message)}", file=sys.stderr)
    return code


def _quiet_stdout() -> None:
    """The reader went away: point stdout at /dev/null so that the interpreter's last flush
    does not complain (Python's documented way for SIGPIPE)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


async def _execute(ctx: Context) -> None:
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None

    def interrupt() -> None:
        # Said here, not read off the task's end: a cancel that lands as a request completes
        # can be lost inside a library (Python 3.11's wait_for), and Ctrl-C must still say so.
        ctx.interrupted = True
        main.cancel()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        await ctx.args.handler(ctx)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await ctx.platform.aclose()


def run(args: argparse.Namespace) -> int:
    """Run one scripting command; its exit status."""
    import asyncio

    from tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        return _fail(str(exc), 2)
    name = args.profile if args.profile is not None else config.default_profile
    if name not in config.profiles:
        known = ", ".join(sorted(config.profiles))
        return _fail(f"no profile named {name!r} (known: {known})", 2)

    from tui.api.errors import ApiError
    from tui.secrets import SecretError, SecretResolver
    from tui.session import EmbeddedSimulator, UnsupportedPlatform, open_platform

    simulator = EmbeddedSimulator()
    scrub: Callable[[str], str] = str
    try:
        try:
            profile, platform = open_platform(config.profiles[name], SecretResolver(), simulator)
        except (SecretError, UnsupportedPlatform, ValueError, ApiError) as exc:
            return _fail(f"cannot open profile {name}: {exc}", 1)
        scrub = platform.scrub
        ctx = Context(profile, platform, args, sys.stdout.buffer)
        try:
            asyncio.run(_execute(ctx))
        except asyncio.CancelledError:
            if not ctx.interrupted:
                raise
        if ctx.interrupted:
            raise KeyboardInterrupt
        return 0
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except UsageError as exc:
        return _fail(scrub(str(exc)), 2)
    except ApiError as exc:
        return _fail(scrub(exc.summary), 1)
    except KeyboardInterrupt:
        print("fleet: interrupted", file=sys.stderr)
        return 130
    finally:
        simulator.stop()
