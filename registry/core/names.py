"""Names in the order a Chinese reader expects: by pinyin (大数据局, 公安局, 交通运输委员会, 人民医院,
中医院), not by code point (中医院 before 交通运输委员会).

One helper for every list that sorts names: `pinyin_key` / `sort_by_name` in Python (pypinyin, pure
Python), and `by_pinyin(column)` in SQL so a paged list sorts the same way: SQLite through the
`pinyin` collation registered on every connection (registry.core.db), PostgreSQL through ICU's Chinese
collation (zh-x-icu, pinyin order).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterable, TypeVar

from pypinyin import Style, lazy_pinyin
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

T = TypeVar("T")
PG_COLLATION = "zh-x-icu"


@lru_cache(maxsize=65536)
def pinyin_key(text: str | None) -> tuple:
    """Sort key: the syllables with tone numbers (yun2 yang2 xian4 …), then the text itself."""
    text = text or ""
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)), text


def sort_by_name(rows: Iterable[T], key: Callable[[T], str | None] = lambda r: r, reverse: bool = False) -> list[T]:
    return sorted(rows, key=lambda r: pinyin_key(key(r)), reverse=reverse)


def sqlite_collation(a: str, b: str) -> int:
    ka, kb = pinyin_key(a), pinyin_key(b)
    return (ka > kb) - (ka < kb)


class by_pinyin(ColumnElement):  # noqa: N801 - used like a SQL function
    """`column` compared in pinyin order (ORDER BY by_pinyin(Unit.name))."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(by_pinyin)
def _plain(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(by_pinyin, "sqlite")
def _sqlite(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} COLLATE pinyin"


@compiles(by_pinyin, "postgresql")
def _postgresql(element, compiler, **kw):
    return f'{compiler.process(element.column, **kw)} COLLATE "{PG_COLLATION}"'
