"""Sorting and paging of list actions in SQL.

Each list action names the keys it may be sorted by (a whitelist mapped to columns) and ends every
ORDER BY on a unique column in the same direction, so consecutive pages never overlap or skip a
row and a descending list is exactly the ascending one reversed. Empty values sort last either way.
"""
from __future__ import annotations

from typing import Any, Iterable

from marshmallow import EXCLUDE, Schema, ValidationError, fields
from sqlalchemy import case

from catalog_schema.fields import Int
from registry.core.errors import ValidationFailed

SortSpec = tuple[str, bool]  # (key, descending)


def parse_sort(value, keys: Iterable[str], label: str = "排序") -> SortSpec:
    """'key', 'key asc' or 'key desc' with key from `keys` → (key, descending)."""
    keys = tuple(keys)
    bits = str(value).split() if isinstance(value, str) else []
    if not 1 <= len(bits) <= 2 or bits[0] not in keys or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
        raise ValidationError(f"{label}只能是 {'、'.join(keys)}，可加 asc（升序）或 desc（降序）")
    return bits[0], len(bits) == 2 and bits[1].lower() == "desc"


class Sort(fields.String):
    """A schema field for an action's `sort`: loads to (key, descending) or None when absent."""

    def __init__(self, keys: Iterable[str], label: str = "排序", **kw):
        self.keys = tuple(keys)
        kw.setdefault("load_default", None)
        super().__init__(allow_none=True, metadata={
            "label": label, "description": f"{label}：{'、'.join(self.keys)}，可加 asc/desc，如“{self.keys[0]} desc”"},
            error_messages={"invalid": f"{label}必须是文本"}, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text.strip():
            return None
        return parse_sort(text, self.keys, self.metadata["label"])


def ordered(stmt, sort: SortSpec | None, columns: dict[str, Any], default: SortSpec, *tiebreak):
    """`stmt` ordered by the whitelisted column(s) of `sort` (or `default`), then by `tiebreak`
    (unique columns) in the same direction."""
    key, descending = sort or default
    chosen = columns[key]
    chosen = list(chosen) if isinstance(chosen, (list, tuple)) else [chosen]
    order = [(c.desc() if descending else c.asc()).nulls_last() for c in chosen]
    order += [c.desc() if descending else c.asc() for c in tiebreak]
    return stmt.order_by(*order)


def vocab_order(column, vocabulary):
    """A coded column in the vocabulary's own order (无条件、有条件、不予共享), not by code;
    `vocabulary` is a Vocabulary or the codes in order."""
    codes = list(getattr(vocabulary, "codes", vocabulary))
    return case({code: index for index, code in enumerate(codes)}, value=column, else_=len(codes))


def child_page(data: dict, prefix: str, keys: Iterable[str], label: str) -> tuple[SortSpec | None, int | None, int]:
    """Optional paging of a record's child list in a *_show action (no schema of its own):
    `<prefix>_sort`, `<prefix>_rows` (absent: all), `<prefix>_start`."""
    schema = Schema.from_dict({
        "sort": Sort(keys, label=f"{label}排序", data_key=f"{prefix}_sort"),
        "rows": Int(f"{label}条数", minimum=0, maximum=1000, data_key=f"{prefix}_rows"),
        "start": Int(f"{label}起始位置", minimum=0, load_default=0, data_key=f"{prefix}_start"),
    })(unknown=EXCLUDE)
    try:
        loaded = schema.load({k: v for k, v in data.items() if k.startswith(prefix + "_")})
    except ValidationError as exc:
        raise ValidationFailed({k: [str(m) for m in v] for k, v in exc.messages.items()}) from None
    return loaded.get("sort"), loaded.get("rows"), loaded.get("start") or 0
