"""Real Attachment 2 files for the import tests, written with openpyxl (xlwt for .xls), in the
shapes departments actually send: merged resource cells, values repeated on every row, blank
continuation rows, title lines, extra columns, notes under the table, several sheets."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

HEADER = ["部门名称", "信息资源\n名称", "信息资源格式", None, "信息项\n名称", "数据\n类型", "数据\n长度", "共享类型",
          "共享方式", "是否向社会开放", "开放条件", "数据更新周期"]
SUB_HEADER = [None, None, "分类", "类型"]
RESOURCE_COLUMNS = (1, 2, 3, 4, 9, 10, 11, 12)   # 1-based, without 共享类型 (per item)
NOTES = ["填表说明：1. 信息资源名称：描述政务信息资源内容的标题，如XX处罚信息；",
         "2. 信息资源格式分类：分为电子文件、电子表格、数据库类、图形图像类、流媒体类、自表述格式；"]

# (title, 分类, 类型, 共享类型, 共享方式, 是否开放, 开放条件, 更新周期, items: (name, type, length, own sharing))
DIBAO = ("低保对象信息", "数据库类", "oracle", "有条件共享", "共享交换平台", "否", None, "每月",
         (("姓名", "字符型C", 50, None), ("公民身份号码", "字符型C", 18, None), ("宗教信仰", "字符型C", 2, "不予共享")))
JIUZHU = ("救助资金发放信息", "电子表格", "xlsx", "无条件共享", "接口", "是", "依法公开", "每季度",
          (("发放金额", "货币型Y", 16, None), ("发放日期", "日期型D", 8, None)))
HUJI = ("户籍人口信息", "数据库类", "Dm", "有条件共享", "共享交换平台", "否", None, "实时",
        (("公民身份号码", "字符型C", 18, None), ("姓名", "字符型C", 50, None)))
CIVIL, POLICE = "云阳县民政局", "云阳县公安局"

# What DIBAO and JIUZHU become in the database.
EXPECTED = {
    "低保对象信息": ({"format_class": "database", "format_type": "oracle", "sharing_type": "conditional",
                   "sharing_method": "platform", "open_to_public": False, "open_conditions": "",
                   "update_cycle": "monthly"},
                  [("姓名", "C", 50, None), ("公民身份号码", "C", 18, None), ("宗教信仰", "C", 2, "none")]),
    "救助资金发放信息": ({"format_class": "spreadsheet", "format_type": "xlsx", "sharing_type": "unconditional",
                      "sharing_method": "api", "open_to_public": True, "open_conditions": "依法公开",
                      "update_cycle": "quarterly"},
                     [("发放金额", "Y", 16, None), ("发放日期", "D", 8, None)]),
}


def form_rows(resources=(DIBAO, JIUZHU), unit: str | None = CIVIL, shape: str = "blank", lead=(),
              first_row: int = 1, system_column: str | None = None, pad_left: int = 0):
    """Rows of a sheet (title lines `lead`, the two header rows, data) and the merges for `shape`.

    shape: "blank" (resource cells only on a resource's first row), "repeated" (on every row) or
    "merged" (first row, merged vertically over the resource's rows).
    """
    rows = [list(line) for line in lead]
    header, sub = list(HEADER), list(SUB_HEADER) + [None] * 8
    if system_column is not None:
        header.insert(1, "系统名称")
        sub.insert(1, None)
    rows += [[None] * pad_left + header, [None] * pad_left + sub]
    merges = []
    unit_written = False
    for res in resources:
        title, fclass, ftype, sharing, method, open_, cond, cycle, items = res
        start = first_row + len(rows)
        for n, (name, dtype, length, own) in enumerate(items):
            first = n == 0 or shape == "repeated"
            row = [unit if (first and (shape == "repeated" or not unit_written)) else None,
                   title if first else None, fclass if first else None, ftype if first else None,
                   name, dtype, length, (sharing if n == 0 or shape == "repeated" and own is None else own),
                   method if first else None, open_ if first else None, cond if first else None,
                   cycle if first else None]
            unit_written = True
            if system_column is not None:
                row.insert(1, system_column if first else None)
            rows.append([None] * pad_left + row)
        end = first_row + len(rows) - 1
        if shape == "merged" and end > start:
            shift = pad_left + (1 if system_column is not None else 0)
            for column in RESOURCE_COLUMNS[1:]:
                column += shift if column > 1 else pad_left
                letter = get_column_letter(column)
                merges.append(f"{letter}{start}:{letter}{end}")
    return rows, merges


def write_xlsx(path: Path, sheets: dict[str, tuple[list, list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, (rows, merges) in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(r, c, value)
        for rng in merges:
            ws.merge_cells(rng)
    book.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, tuple[list, list]]) -> Path:
    import xlwt
    book = xlwt.Workbook(encoding="utf-8")
    for name, (rows, merges) in sheets.items():
        ws = book.add_sheet(name)
        covered = set()
        for rng in merges:
            from openpyxl.worksheet.cell_range import CellRange
            cr = CellRange(rng)
            top = rows[cr.min_row - 1][cr.min_col - 1]
            ws.write_merge(cr.min_row - 1, cr.max_row - 1, cr.min_col - 1, cr.max_col - 1, top)
            covered |= {(r, c) for r in range(cr.min_row, cr.max_row + 1) for c in range(cr.min_col, cr.max_col + 1)}
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None and (r, c) not in covered:
                    ws.write(r - 1, c - 1, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list, encoding: str) -> Path:
    import csv
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def counts(reg) -> dict[str, int]:
    """Rows per catalog table and in the audit log: "database unchanged" means these are equal."""
    from registry.core.audit_log import AuditLog
    from registry.catalog.models import InformationItem, InformationResource, InformationSystem, Unit
    with reg.db.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Unit, InformationSystem, InformationResource, InformationItem, AuditLog)}


def catalog_records(reg) -> list[tuple]:
    """Every resource with its items, as comparable tuples (no ids, slugs or timestamps)."""
    from registry.catalog.models import InformationItem as I, InformationResource as R, InformationSystem as S, Unit as U
    with reg.db.sessions() as session:
        items: dict[int, list] = {}
        for row in session.execute(select(I.resource_id, I.name, I.data_type, I.data_length, I.sharing_type,
                                          I.position).order_by(I.resource_id, I.position)):
            items.setdefault(row[0], []).append(tuple(row[1:]))
        rows = session.execute(select(R.id, U.name, S.name, R.title, R.format_class, R.format_type, R.sharing_type,
                                      R.sharing_method, R.open_to_public, R.open_conditions, R.update_cycle)
                               .join(S, S.id == R.system_id).join(U, U.id == R.unit_id))
        return sorted((*row[1:], tuple(items.get(row[0], ()))) for row in rows)


def synthetic_units(units: int, systems: int, resources: int, items: int, seed: int = 7) -> list[dict]:
    """`registry.synthetic` units with system and resource names made unique where they repeat."""
    from registry.synthetic import synthetic_county
    result = []
    for unit in synthetic_county(units, systems, resources, items, seed=seed):
        seen_systems: set[str] = set()
        for system in unit["systems"]:
            system["name"] = _unique(system["name"], seen_systems)
            seen_titles: set[str] = set()
            for res in system["resources"]:
                res["name"] = _unique(res["name"], seen_titles)
        result.append(unit)
    return result


def _unique(name: str, seen: set[str]) -> str:
    candidate, n = name, 1
    while candidate in seen:
        n += 1
        candidate = f"{name}{n}"
    seen.add(candidate)
    return candidate


def write_county(units: list[dict], path: Path) -> Path:
    """All units in one sheet with 部门名称 and 系统名称 columns, values repeated on every row."""
    from catalog_schema import vocabularies as vocab
    from importers.layout import data_type_label
    rows = [["部门名称", "系统名称", "信息资源名称", "分类", "类型", "信息项名称", "数据类型", "数据长度", "共享类型",
             "共享方式", "是否向社会开放", "开放条件", "数据更新周期"]]
    for unit in units:
        for system in unit["systems"]:
            for res in system["resources"]:
                for item in res["items"]:
                    own = item["sharing_type"] or res["sharing_type"]
                    rows.append([unit["name"], system["name"], res["name"],
                                 vocab.FORMAT_CLASS.label_of(res["format_class"]),
                                 vocab.FORMAT_TYPE.label_of(res["format_type"]), item["name"],
                                 data_type_label(item["data_type"]), item["data_length"],
                                 vocab.SHARING_TYPE.label_of(own), vocab.SHARING_METHOD.label_of(res["sharing_method"]),
                                 vocab.OPEN_TO_PUBLIC.label_of(res["open_to_public"]), res["open_conditions"] or None,
                                 vocab.UPDATE_CYCLE.label_of(res["update_cycle"])])
    return write_xlsx(path, {"全县": (rows, [])})
