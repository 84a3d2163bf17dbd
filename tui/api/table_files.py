"""Rows in and out of files: CSV rows read as a form's input, lists written as CSV or JSON Lines.

Reading (`read_rows`): the first line names the columns, which are the form's own field names
(`columns(model)` lists them, required ones first), plus `key` where the rows act on existing
devices; a list field takes its items separated by `;`, a yes/no field `true`/`false`; an empty
cell leaves the field out (its default applies). Every row is validated by the form's model
before anything is sent; a bad row is reported with its line number and field, and none of the
file is used until every row is right.

Writing (`write_rows`): dictionaries as CSV (a header of their keys) or as JSON Lines, through
a temporary file renamed at the end, so that a cancelled export leaves no half-written file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from tui.api.bulk import Target

__all__ = ["Column", "RowError", "Rows", "columns", "parse_rows", "read_rows", "write_rows"]

#: a file larger than this is refused before it is read (a CSV of a whole fleet is far smaller)
MAX_BYTES = 50 * 1024 * 1024
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    title: str
    help: str


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: the file's line number (1 is the header) and the column."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass(frozen=True)
class Rows:
    """A file's rows as targets, or what is wrong with it (then `targets` is empty)."""

    targets: tuple[Target, ...]
    errors: tuple[RowError, ...]


def _listed(model: type[BaseModel], name: str) -> bool:
    """Whether the field is a list (`list[str]` or `list[str] | None`)."""
    annotation = model.model_fields[name].annotation
    if get_origin(annotation) is list:
        return True
    return any(get_origin(a) is list for a in get_args(annotation))


def _boolean(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return annotation is bool or bool in get_args(annotation)


def columns(model: type[BaseModel], *, key: bool = False) -> list[Column]:
    """The columns a file for this form has: `key` first when rows name existing devices,
    then the required fields, then the optional ones."""
    out = [Column("key", True, "Device", "the device each row acts on")] if key else []
    fields = model.model_fields
    ordered = sorted(fields, key=lambda n: not fields[n].is_required())
    for name in ordered:
        info = fields[name]
        help_text = info.description or ""
        if _listed(model, name):
            help_text = (help_text + "; " if help_text else "") + "items separated by ;"
        out.append(Column(name, info.is_required(), info.title or name, help_text))
    return out


def _cell(model: type[BaseModel], name: str, text: str) -> Any:
    text = text.strip()
    if _listed(model, name):
        return [item.strip() for item in text.split(";") if item.strip()]
    if _boolean(model, name):
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return text


def read_rows(path: Path, model: type[BaseModel], *, key: bool = False) -> Rows:
    """The file's rows as targets for a form (see the module docstring)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Rows((), (RowError(0, "file", f"larger than {MAX_BYTES // 2**20} MB"),))
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else exc.strerror or str(exc)
        return Rows((), (RowError(0, "file", f"{path}: {reason}"),))
    return parse_rows(text, model, key=key)


def parse_rows(text: str, model: type[BaseModel], *, key: bool = False) -> Rows:
    """`read_rows` on text already read."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error):
        return Rows((), (RowError(1, "header", "the file is empty"),))
    known = {c.name for c in columns(model, key=key)}
    errors: list[RowError] = []
    for name in header:
        if name not in known:
            errors.append(
                RowError(1, name, f"unknown column (columns: {', '.join(sorted(known))})")
            )
    for column in columns(model, key=key):
        if column.required and column.name not in header:
            errors.append(RowError(1, column.name, "missing column"))
    if errors:
        return Rows((), tuple(errors))
    targets: list[Target] = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) > len(header):
                errors.append(
                    RowError(line, "row", f"{len(cells)} cells for {len(header)} columns")
                )
                continue
            named = dict(zip(header, cells, strict=False))
            device = named.pop("key", "").strip() if key else ""
            if key and not device:
                errors.append(RowError(line, "key", "required"))
                continue
            values = {n: _cell(model, n, t) for n, t in named.items() if t.strip()}
            try:
                parsed = model.model_validate(values)
            except ValidationError as exc:
                for error in exc.errors(include_url=False, include_input=False):
                    where = ".".join(str(p) for p in error.get("loc") or ()) or "row"
                    message = str(error["msg"]).removeprefix("Value error, ")
                    head, sep, rest = message.partition(": ")
                    if sep and head in model.model_fields:
                        where, message = head, rest
                    errors.append(RowError(line, where, message))
                continue
            # What the plan and the report call the row: the model's own `label` where it has
            # one (EnOS: productKey/deviceKey), else its name, else the key, else the line.
            own = getattr(parsed, "label", None)
            label = own if isinstance(own, str) and own else None
            label = str(label or values.get("name") or values.get("device_name") or device)
            label = label or f"line {line}"
            targets.append(Target(device, label, values))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "row", f"not CSV: {exc}"))
    if errors:
        return Rows((), tuple(errors))
    if not targets:
        return Rows((), (RowError(2, "row", "no rows under the header"),))
    return Rows(tuple(targets), ())


async def write_rows(
    path: Path,
    rows: AsyncIterable[dict[str, Any]],
    fmt: Literal["csv", "jsonl"],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every row to `path` (atomically: a temporary file renamed at the end); how many."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer: Any = None
            async for row in rows:
                if fmt == "jsonl":
                    handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                else:
                    if writer is None:
                        writer = csv.DictWriter(handle, fieldnames=list(row), extrasaction="ignore")
                        writer.writeheader()
                    writer.writerow({k: _flat(v) for k, v in row.items()})
                count += 1
                if progress is not None and count % 500 == 0:
                    progress(count)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return "" if value is None else value
