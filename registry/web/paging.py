"""Paging and sorting of every list page: ?page=&per_page=&sort=&dir= parsed once, here.

A page declares the columns it may be sorted by (keys the action's own whitelist accepts) and its
default; anything else in the query string (a word for a page number, an unknown column, a huge
page size) falls back to the defaults instead of failing. The action sorts and slices in SQL; this
only carries the choice there and back, and builds the links of the pager and the sortable headers
(templates/_ui.html). A page with two lists gives each a prefix (?req_page=2&rec_page=1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import request, url_for

PER_PAGE_CHOICES = (10, 20, 50, 100)
MAX_PAGE = 100_000  # beyond any real list; the last page is shown instead


def _number(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


@dataclass
class Paging:
    sorts: dict[str, str]          # sort key → column label (the whitelist)
    sort: str
    descending: bool
    page: int = 1
    per_page: int = 20
    default_per_page: int = 20
    max_per_page: int = 100
    prefix: str = ""
    fragment: str | None = None    # the list's anchor, so a link lands on the list
    total: int = 0
    defaults: tuple[str, bool] = ("", False)
    per_page_choices: tuple[int, ...] = field(default=PER_PAGE_CHOICES)

    # ---- what the action receives -----------------------------------------------------------
    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def sort_param(self) -> str:
        return f"{self.sort} {'desc' if self.descending else 'asc'}"

    def query(self, rows: str = "rows", start: str = "start", sort: str = "sort") -> dict:
        """The action's paging arguments (names differ between actions: rows/start, *_rows/*_start)."""
        return {sort: self.sort_param, rows: self.per_page, start: self.offset}

    def load(self, fetch: Callable[["Paging"], dict], count: Callable[[dict], int] = lambda r: r["count"]) -> dict:
        """Run `fetch(self)`; a page past the end (an old link, a typed number) shows the last page."""
        result = fetch(self)
        self.total = count(result)
        if self.page > self.pages:
            self.page = self.pages
            result = fetch(self)
        return result

    # ---- what the templates show ------------------------------------------------------------
    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_row(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers around the current one, with the first and last; None marks a gap."""
        shown = sorted({1, self.pages, *range(max(self.page - size, 1), min(self.page + size, self.pages) + 1)})
        out: list[int | None] = []
        for number in shown:
            if out and number - (out[-1] or 0) > 1:
                out.append(None)
            out.append(number)
        return out

    def direction_of(self, key: str) -> str | None:
        """aria-sort of a column: ascending, descending, or None when the list is not sorted by it."""
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def url(self, **changes) -> str:
        """This page's URL with other query arguments kept and this list's paging changed."""
        args = request.args.to_dict(flat=False)
        for name, value in changes.items():
            key = self.prefix + name
            if value is None:
                args.pop(key, None)
            else:
                args[key] = [str(value)]
        values = {**args, **(request.view_args or {})}
        if self.fragment:
            values["_anchor"] = self.fragment
        return url_for(request.endpoint, **values)

    def page_url(self, number: int) -> str:
        return self.url(page=number if number > 1 else None)

    def sort_url(self, key: str) -> str:
        """Sort by `key`; the sorted column toggles its direction. Back to the first page."""
        descending = not self.descending if key == self.sort else False
        return self.url(sort=key, dir="desc" if descending else "asc", page=None)

    def per_page_url(self, size: int) -> str:
        return self.url(per_page=size, page=None)

    def hidden_fields(self) -> dict[str, str]:
        """The current paging as form fields, so a form on the list can come back to the same page."""
        return {self.prefix + "page": str(self.page), self.prefix + "per_page": str(self.per_page),
                self.prefix + "sort": self.sort, self.prefix + "dir": "desc" if self.descending else "asc"}


def parse(sorts: dict[str, str], default: str, *, descending: bool = False, per_page: int = 20,
          max_per_page: int = 100, prefix: str = "", fragment: str | None = None, args=None) -> Paging:
    """Read ?page=&per_page=&sort=&dir= (with `prefix`); invalid values fall back to the defaults."""
    args = request.args if args is None else args
    sort = args.get(prefix + "sort", "")
    direction = args.get(prefix + "dir", "")
    if sort not in sorts:
        sort, desc = default, descending
    else:
        desc = direction == "desc" if direction in ("asc", "desc") else (descending if sort == default else False)
    size = _number(args.get(prefix + "per_page"))
    size = per_page if size is None or size < 1 else min(size, max_per_page)
    page = _number(args.get(prefix + "page"))
    page = 1 if page is None or page < 1 else min(page, MAX_PAGE)
    choices = tuple(c for c in PER_PAGE_CHOICES if c <= max_per_page)
    if per_page not in choices:
        choices = tuple(sorted({*choices, per_page}))
    return Paging(sorts=sorts, sort=sort, descending=desc, page=page, per_page=size, default_per_page=per_page,
                  max_per_page=max_per_page, prefix=prefix, fragment=fragment, defaults=(default, descending),
                  per_page_choices=choices)


def back_args(form, prefix: str = "") -> dict[str, str]:
    """Paging fields a form posted back (hidden_fields), for the redirect to the same list page."""
    names = [prefix + n for n in ("page", "per_page", "sort", "dir")]
    return {n: form[n] for n in names if form.get(n) and len(form[n]) <= 40 and form[n].replace("_", "").isalnum()}
