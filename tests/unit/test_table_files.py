"""CSV rows read as a form's input (line and column of each mistake), lists written out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tui.api.models import LoRaWanDeviceCreate, NameChange
from tui.api.table_files import columns, parse_rows, read_rows, write_rows

HEADER = "name,eui,app_key,model_key,connection_keys\n"
GOOD = "Lyon 1,70B3D5E75E00AA01,00112233445566778899AABBCCDDEEFF,MCHP/RN2483A.1_EU,TWA_1;TWA_2\n"


def test_columns_are_the_forms_fields_required_first() -> None:
    names = [c.name for c in columns(LoRaWanDeviceCreate)]
    assert names[:5] == ["name", "eui", "app_key", "model_key", "connection_keys"]
    assert names[-1] == "app_eui"
    assert [c.name for c in columns(NameChange, key=True)] == ["key", "name"]
    assert "separated by ;" in next(
        c.help for c in columns(LoRaWanDeviceCreate) if c.name == "connection_keys"
    )


def test_good_rows_become_targets() -> None:
    rows = parse_rows(HEADER + GOOD + "\n", LoRaWanDeviceCreate)
    assert not rows.errors and len(rows.targets) == 1
    target = rows.targets[0]
    assert target.label == "Lyon 1" and target.values["connection_keys"] == ["TWA_1", "TWA_2"]


def test_each_bad_row_names_its_line_and_column_and_nothing_is_used() -> None:
    bad = GOOD.replace("70B3D5E75E00AA01", "70B3")
    rows = parse_rows(HEADER + GOOD + bad + GOOD.replace("Lyon 1", ""), LoRaWanDeviceCreate)
    assert rows.targets == ()
    assert [str(e) for e in rows.errors] == [
        "line 3, eui: DevEUI must be 16 hexadecimal characters",
        "line 4, name: Field required",
    ]


def test_the_header_is_checked_first() -> None:
    rows = parse_rows("name,colour\nx,red\n", LoRaWanDeviceCreate)
    assert rows.errors[0].line == 1 and rows.errors[0].column == "colour"
    assert {e.column for e in rows.errors} >= {"eui", "app_key", "model_key", "connection_keys"}
    assert parse_rows("", NameChange).errors[0].message == "the file is empty"
    keyed = parse_rows("key,name\n,x\n", NameChange, key=True)
    assert [str(e) for e in keyed.errors] == ["line 2, key: required"]


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"name\n\xff\xfe\n")
    assert "not UTF-8" in read_rows(path, NameChange).errors[0].message


async def test_lists_are_written_as_csv_or_json_lines(tmp_path: Path) -> None:
    async def rows() -> AsyncIterator[dict[str, Any]]:
        yield {"key": "A", "name": 'x, "quoted"', "tags": ["a", "b"]}
        yield {"key": "B", "name": "y", "tags": []}

    assert await write_rows(tmp_path / "out.csv", rows(), "csv") == 2
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == 'A,"x, ""quoted""",a;b'
    assert await write_rows(tmp_path / "out.jsonl", rows(), "jsonl") == 2
    first = json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])
    assert first == {"key": "A", "name": 'x, "quoted"', "tags": ["a", "b"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.jsonl"]
