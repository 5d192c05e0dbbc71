"""Found by the load benchmark: after a full scan, item edits on the synthetic county failed almost
every time with UNIQUE duplicate_finding.fingerprint. The incremental refresh recomputes both sides
of every overlapping resource pair around the touched resources, but looked up the existing
findings only by `resource_id`, so the other side's finding (whose `other_resource_id` is the
touched resource) was missed and inserted a second time."""
from __future__ import annotations

from sqlalchemy import func, select

from search.duplicates import scan
from search.models import DuplicateFinding

SHARED = ("姓名", "公民身份号码", "出生日期", "联系电话", "家庭住址", "性别", "民族")


def _resource_findings(session) -> list[tuple]:
    return list(session.execute(select(DuplicateFinding.fingerprint, DuplicateFinding.active)
                                .where(DuplicateFinding.kind == "resource").order_by(DuplicateFinding.fingerprint)))


def test_refreshing_around_one_side_of_a_pair_updates_the_other_sides_finding_instead_of_inserting_it(reg, make):
    first = make.package(make.system(make.unit()), items=SHARED, sharing_type="conditional")
    make.package(make.system(make.unit()), items=SHARED, sharing_type="conditional")
    make.act("duplicate_scan", {})
    with reg.db.unit_of_work(write=True) as session:
        before = _resource_findings(session)
        assert len(before) == 2 and all(active for _fp, active in before)
        produced = scan.resource_findings(session, {first["id"]}, scan._names(session))  # both sides of the pair
        assert len(produced) == 2
        stats = scan.refresh_findings(session, set(), {first["id"]})
        assert stats["detected"] == 2 and stats["new"] == 0 and stats["inactive"] == 0
        assert _resource_findings(session) == before
        assert session.scalar(select(func.count()).select_from(DuplicateFinding)) == len(before) + \
            session.scalar(select(func.count()).select_from(DuplicateFinding).where(DuplicateFinding.kind == "item"))


def test_item_edits_after_a_scan_succeed(reg, make):
    first = make.package(make.system(make.unit()), items=SHARED, sharing_type="conditional")
    second = make.package(make.system(make.unit()), items=SHARED, sharing_type="conditional")
    make.act("duplicate_scan", {})
    for package in (first, second, first):
        make.act("item_patch", {"id": package["items"][0]["id"], "data_length": 77})
    with reg.db.unit_of_work() as session:
        assert len(_resource_findings(session)) == 2


def test_findings_around_a_resource_equal_those_of_the_full_scan_involving_it(reg, make):
    """The incremental refresh reads only the rows around the touched resources (search.duplicates.scan_view);
    here, where every pair is a candidate from either side, its findings are exactly the full scan's
    findings involving that resource (the full read computes the same weights from all rows)."""
    packages = [make.package(make.system(make.unit()), items=SHARED[:n] + extra, sharing_type=sharing)
                for n, extra, sharing in ((7, (), "conditional"), (6, ("车辆识别代号",), "unconditional"),
                                          (5, ("营业执照注册号", "车辆识别代号"), "conditional"), (3, (), "none"))]
    make.act("duplicate_scan", {})
    with reg.db.unit_of_work() as session:
        names = scan._names(session)
        around = {p["id"]: scan.resource_findings(session, {p["id"]}, names) for p in packages}
        everything = scan.resource_findings(session, None, names)
    assert any(around.values())
    for pid, found in around.items():
        expected = [f for f in everything if pid in (f["resource_id"], f["other_resource_id"])]
        assert sorted(found, key=lambda f: f["fingerprint"]) == sorted(expected, key=lambda f: f["fingerprint"])
