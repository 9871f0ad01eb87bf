"""Spotify's `fields` filter on playlist responses: `name,tracks.items(added_at,track(name,uri))`.
A comma separates fields, a dot or parentheses go one level down; a list is filtered item by item."""

from __future__ import annotations

from typing import Any

from tonearm.errors import BadRequest

__all__ = ["Fields", "parse_fields", "select_fields"]

Fields = dict[str, "Fields | None"]


def parse_fields(text: str) -> Fields:
    tree, rest = _parse(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")) or not tree:
        raise BadRequest(
            f"fields '{text[:80]}' is not a fields filter such as 'name,tracks.items(track(name))'"
        )
    return tree


def _parse(text: str, at: int) -> tuple[Fields, int]:
    tree: Fields = {}
    while at < len(text):
        start = at
        while at < len(text) and text[at] not in ",().":
            at += 1
        name = text[start:at]
        if not name:
            raise BadRequest(f"fields '{text[:80]}' has an empty field name")
        below: Fields | None = None
        if at < len(text) and text[at] == ".":
            below, at = _parse_one(text, at + 1)
        elif at < len(text) and text[at] == "(":
            below, at = _parse(text, at + 1)
            if at >= len(text) or text[at] != ")":
                raise BadRequest(f"fields '{text[:80]}' has an unclosed '('")
            at += 1
        tree[name] = _merge(tree[name], below) if name in tree else below
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        break
    return tree, at


def _parse_one(text: str, at: int) -> tuple[Fields, int]:
    """One dotted step: `a.b(c)` below `a` is just `b(c)`, not the fields after a comma."""
    start = at
    while at < len(text) and text[at] not in ",().":
        at += 1
    name = text[start:at]
    if not name:
        raise BadRequest(f"fields '{text[:80]}' has an empty field name")
    below: Fields | None = None
    if at < len(text) and text[at] == ".":
        below, at = _parse_one(text, at + 1)
    elif at < len(text) and text[at] == "(":
        below, at = _parse(text, at + 1)
        if at >= len(text) or text[at] != ")":
            raise BadRequest(f"fields '{text[:80]}' has an unclosed '('")
        at += 1
    return {name: below}, at


def _merge(a: Fields | None, b: Fields | None) -> Fields | None:
    # A field named whole (None) wins over parts of it named elsewhere.
    if a is None or b is None:
        return None
    merged = dict(a)
    for key, value in b.items():
        merged[key] = _merge(merged[key], value) if key in merged else value
    return merged


def select_fields(value: Any, fields: Fields | None) -> Any:
    if fields is None:
        return value
    if isinstance(value, list):
        return [select_fields(item, fields) for item in value]
    if isinstance(value, dict):
        return {key: select_fields(value[key], below) for key, below in fields.items() if key in value}
    return value
