"""The demo county 云阳县: units, systems, resources and items for demos, screenshots and tests.

Pure Python, no database. The content (real-looking Chinese names) lives in `demo_data.json`
beside this module in a compact authoring form; `demo_county()` expands it into the
registry's exchange shape:

    [{"code", "name", "kind", "parent_code",
      "systems": [{"code", "name", "aliases", "description", "status", "network", "in_directory",
                   "resources": [{"code", "name", "format_class", "format_type", "sharing_type",
                                  "sharing_method", "open_to_public", "open_conditions",
                                  "update_cycle", "description",
                                  "items": [{"name", "data_type", "data_length", "sharing_type"}]}]}]}]

Every vocabulary value is a code of `catalog_schema.vocabularies`, except a few deliberate
non-standard values on the open lists (update cycle 每半年/每学期/按需, data type 二进制,
format type shp/json/mysql) so the non-standard display has something to show.

The demo plants cross-unit duplicate collection with varied names (公民身份号码 / 身份证号 /
身份证号码 / 证件号码(身份证), 统一社会信用代码 / 社会信用代码 / 社会统一信用代码 …);
`planted_duplicates()` lists the pairs a detector must find, `hard_negatives()` pairs it must
not report (出生日期 vs 死亡日期, 企业名称 vs 企业类型 …).

The output is deterministic: the content is hand-written and the only randomness (which
resources get a 备注 item, see `_EXTRA_NOTE_RATE`) comes from a fixed-seed generator.
"""
from __future__ import annotations

import copy
import json
import random
from functools import lru_cache
from pathlib import Path

from catalog_schema import vocabularies as vocab

DATA_FILE = Path(__file__).with_name("demo_data.json")
SEED = 20220328  # the date 云阳府办规〔2022〕4号 was issued
DEMO_PASSWORD = "demo12345"

# A share of resources gets a trailing free-text 备注 item, the way real forms often end.
_EXTRA_NOTE_RATE = 0.25

Triple = tuple[str, str, str]  # (unit_code, resource_name, item_name)


@lru_cache(maxsize=1)
def _raw() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def _parse_item(spec: str) -> dict:
    """`"公民身份号码|C|18"` / `"相片|二进制|"` / `"宗教信仰|C|2|none"` → an item dict."""
    parts = spec.split("|")
    if len(parts) not in (3, 4):
        raise ValueError(f"bad item spec {spec!r}")
    name, data_type, length = parts[0], parts[1], parts[2]
    return {
        "name": name,
        "data_type": data_type,
        "data_length": int(length) if length else None,
        "sharing_type": parts[3] if len(parts) == 4 else None,
    }


def _expand_resource(raw: dict, code: str, unit_name: str, system_name: str, rng: random.Random) -> dict:
    format_class, format_type = raw["fmt"].split("/")
    sharing_type, sharing_method = raw["share"].split("/")
    items = [_parse_item(spec) for spec in raw["items"]]
    if rng.random() < _EXTRA_NOTE_RATE and all(item["name"] != "备注" for item in items):
        items.append({"name": "备注", "data_type": "M", "data_length": 500, "sharing_type": None})
    return {
        "code": code,
        "name": raw["name"],
        "format_class": format_class,
        "format_type": format_type,
        "sharing_type": sharing_type,
        "sharing_method": sharing_method,
        "open_to_public": raw["open"],
        "open_conditions": raw.get("cond", ""),
        "update_cycle": raw["cycle"],
        "description": raw.get("desc") or f"{unit_name}在{system_name}中采集和维护的{raw['name']}。",
        "items": items,
    }


@lru_cache(maxsize=1)
def _built() -> tuple[dict, ...]:
    rng = random.Random(SEED)
    units = []
    for raw_unit in _raw()["units"]:
        systems = []
        for raw_system in raw_unit["systems"]:
            resources = [
                _expand_resource(raw_res, f"{raw_system['code']}-r{index:02d}", raw_unit["name"],
                                 raw_system["name"], rng)
                for index, raw_res in enumerate(raw_system["resources"], start=1)
            ]
            systems.append({
                "code": raw_system["code"],
                "name": raw_system["name"],
                "aliases": list(raw_system.get("aliases", [])),
                "description": raw_system.get("description", ""),
                "status": raw_system["status"],
                "network": raw_system["network"],
                "in_directory": raw_system["in_directory"],
                "resources": resources,
            })
        units.append({
            "code": raw_unit["code"],
            "name": raw_unit["name"],
            "kind": raw_unit["kind"],
            "parent_code": raw_unit["parent_code"],
            "systems": systems,
        })
    return tuple(units)


def demo_county() -> list[dict]:
    """The demo county as a list of unit dicts (a fresh deep copy on every call)."""
    return copy.deepcopy(list(_built()))


def _pairs(key: str) -> list[tuple[Triple, Triple]]:
    return [(tuple(a), tuple(b)) for a, b in _raw()[key]]  # type: ignore[misc]


def planted_duplicates() -> list[tuple[Triple, Triple]]:
    """Cross-unit duplicate collection planted in the demo: pairs of
    ((unit_code, resource_name, item_name), (unit_code, resource_name, item_name))
    that any competent duplicate detector must report."""
    return _pairs("planted_duplicates")


def hard_negatives() -> list[tuple[Triple, Triple]]:
    """Pairs that look alike but are different data (出生日期 vs 死亡日期, 企业名称 vs 企业类型 …);
    a detector must not report these as duplicates."""
    return _pairs("hard_negatives")


def demo_counts() -> dict[str, int]:
    """Sizes of the demo: units, systems, resources, items."""
    units = _built()
    systems = [s for u in units for s in u["systems"]]
    resources = [r for s in systems for r in s["resources"]]
    return {
        "units": len(units),
        "systems": len(systems),
        "resources": len(resources),
        "items": sum(len(r["items"]) for r in resources),
    }


def _demo_users() -> list[dict]:
    users = [
        {"username": unit["code"], "password": DEMO_PASSWORD, "role": "department",
         "unit_code": unit["code"], "display_name": unit["name"]}
        for unit in _raw()["units"]
    ]
    users += [
        {"username": "bureau", "password": DEMO_PASSWORD, "role": "bureau",
         "unit_code": "yydsjj", "display_name": "县大数据发展局（主管部门）"},
        {"username": "finance", "password": DEMO_PASSWORD, "role": "finance",
         "unit_code": "yyczj", "display_name": "县财政局（经费审核）"},
        {"username": "reviewer", "password": DEMO_PASSWORD, "role": "reviewer",
         "unit_code": None, "display_name": "监督查阅（发展改革委、审计局等）"},
        {"username": "admin", "password": DEMO_PASSWORD, "role": "admin",
         "unit_code": None, "display_name": "系统管理员"},
    ]
    for user in users:
        assert vocab.ROLE.normalize(user["role"]) == user["role"], user
    return users


DEMO_USERS: list[dict] = _demo_users()


if __name__ == "__main__":  # pragma: no cover - a quick look at the demo
    print(demo_counts(), f"planted duplicates: {len(planted_duplicates())}",
          f"hard negatives: {len(hard_negatives())}")
