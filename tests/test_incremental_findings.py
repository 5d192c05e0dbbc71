"""The duplicate refresh inside every write covers exactly what the write changed.

`search.engines.documents.sync_documents` compares the rewritten mappings with the stored ones and hands
`search.duplicates.scan.refresh_findings` only the keys whose holders changed and the resources whose key set,
title or sharing changed. These tests hold it to the full scan: after a series of edits of every
kind, the item findings the incremental path left behind equal those a full rescan computes."""
from __future__ import annotations

from sqlalchemy import select

from search.duplicates import scan
from search.engines.documents import sync_documents
from search.models import DuplicateFinding

PERSON = ("姓名", "公民身份号码", "出生日期", "联系电话", "家庭住址", "性别", "民族")


def _item_findings(reg) -> dict[str, tuple]:
    F = DuplicateFinding
    with reg.db.unit_of_work() as session:
        rows = session.execute(select(F).where(F.kind == "item", F.active.is_(True))).scalars()
        return {f.fingerprint: tuple(getattr(f, c) for c in scan.COMPUTED) for f in rows}


def _all_rows(reg) -> list[tuple]:
    F = DuplicateFinding
    with reg.db.unit_of_work() as session:
        return [tuple(r) for r in session.execute(select(F.fingerprint, F.digest, F.active, F.last_seen).order_by(F.id))]


def test_after_edits_of_every_kind_the_incremental_item_findings_equal_a_full_rescan(reg, make):
    civil, police, health = make.unit(), make.unit(), make.unit()
    a = make.package(make.system(civil), items=PERSON, sharing_type="none", sharing_method=None)
    b = make.package(make.system(police), items=PERSON[:5], sharing_type="conditional")
    c = make.package(make.system(health), items=("公民身份号码", "联系电话", "就诊日期"), sharing_type="none",
                     sharing_method=None)
    make.act("duplicate_scan", {})
    assert _item_findings(reg)  # the three units share keys
    make.act("item_patch", {"id": a["items"][1]["id"], "name": "身份证号码"})          # synonym: same key
    make.act("item_patch", {"id": a["items"][3]["id"], "name": "统一社会信用代码"})      # another element
    make.act("item_delete", {"id": c["items"][1]["id"]})                               # a holder leaves
    make.act("package_patch", {"id": b["id"], "sharing_type": "none", "sharing_method": None})  # provider gone
    make.act("package_patch", {"id": c["id"], "sharing_type": "unconditional", "sharing_method": "api"})
    make.package(make.system(health), items=("统一社会信用代码", "姓名"), sharing_type="none", sharing_method=None)
    make.act("package_delete", {"id": a["id"]})
    incremental = _item_findings(reg)
    make.act("duplicate_scan", {})
    assert _item_findings(reg) == incremental


def test_an_edit_that_leaves_every_mapping_alone_rewrites_no_finding(reg, make):
    first = make.package(make.system(make.unit()), items=PERSON)
    make.package(make.system(make.unit()), items=PERSON)
    make.act("duplicate_scan", {})
    before = _all_rows(reg)
    make.act("package_patch", {"id": first["id"], "description": "仅修改描述"})
    make.act("item_patch", {"id": first["items"][0]["id"], "position": 9})
    assert _all_rows(reg) == before
    with reg.db.unit_of_work(write=True) as session:
        assert not sync_documents(session, {first["id"]})  # documents already current: nothing changed


def test_a_full_scan_after_incremental_refreshes_finds_nothing_to_write(reg, make):
    make.package(make.system(make.unit()), items=PERSON)
    make.package(make.system(make.unit()), items=PERSON)
    before = _all_rows(reg)
    stats = make.act("duplicate_scan", {})
    assert stats["detected"] == len(before) > 0
    assert (stats["new"], stats["changed"], stats["inactive"]) == (0, 0, 0)
    assert [row[:3] for row in _all_rows(reg)] == [row[:3] for row in before]  # only last_seen moves
