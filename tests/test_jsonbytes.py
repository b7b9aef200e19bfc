"""`jsonbytes.dumps` writes what `json.dumps` would, compact, as UTF-8, whatever the value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.jsonbytes import dumps


def _reference(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@pytest.mark.parametrize("value", [
    {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": [
        {"t": "Header", "c": [2, ["AES", ["term"], [["lang", "de"]]],
                              [{"t": "Str", "c": "Größe ‚AES‘ \u2028"}]]}]},
    ["tab\tquote\"backslash\\ and a control \x01", "emoji 🔐", "", None, True, 0, -7, 2.5],
    {"nested": [[[[[]]]]], "empty": {}},
])
def test_the_bytes_are_those_of_json(value: Any) -> None:
    assert dumps(value) == _reference(value)


@pytest.mark.parametrize("value", [
    {1: "a key that is no string"},
    [2 ** 70],  # past 64 bits
    json.loads("[" * 300 + "]" * 300),  # deeper than orjson nests
])
def test_what_orjson_refuses_is_written_by_json(value: Any) -> None:
    assert dumps(value) == _reference(value)
    assert json.loads(dumps(value)) == json.loads(_reference(value))
