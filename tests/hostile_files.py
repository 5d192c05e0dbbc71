"""Hostile spreadsheet files for the importer fuzz tests: hypothesis strategies for workbooks and
CSVs, and hand-made attacks on the .xlsx container (a zip bomb, deeply nested XML, an entity bomb)."""
from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

CONTROL = "".join(chr(c) for c in range(0, 32) if chr(c) not in "\t\n\r") + "\x7f\u200b\u202e\ufeff\ufffe"
HEADERS = ["部门名称", "信息资源名称", "信息资源格式", "信息项名称", "数据类型", "数据长度", "共享类型", "共享方式",
           "是否向社会开放", "开放条件", "数据更新周期", "系统名称", "金额", "单位", "金额（万元）"]
WORDS = ["云阳县民政局", "低保对象信息", "姓名", "公民身份号码", "字符型C", "有条件共享", "共享交换平台", "否", "每月",
         "数据库类", "oracle", "=SUM(A1:A9)", "=1/0", "=HYPERLINK(\"http://x\")", "#REF!", "12.5", "-3", "1e308",
         "公安人口系统", "100", "壹佰万元"]

texts = st.one_of(
    st.sampled_from(WORDS + HEADERS),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.text(alphabet=CONTROL + "名称ab", min_size=1, max_size=20),
    st.integers(1_000, 40_000).map(lambda n: "超长" * n),             # huge strings (up to 80 000 chars)
)
cells = st.one_of(st.none(), texts, st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=True, allow_infinity=True),
                  st.integers(1, 2_958_465).map(float),                  # dates as Excel serial numbers
                  st.booleans())


@st.composite
def workbook_specs(draw):
    """Rows (sometimes under a real header), merged ranges, several sheets."""
    sheets = []
    for _ in range(draw(st.integers(1, 3))):
        width = draw(st.integers(1, 14))
        rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width), max_size=25))
        if draw(st.booleans()):
            rows.insert(0, draw(st.permutations(HEADERS))[:width])
        merges = draw(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 14), st.integers(0, 5), st.integers(0, 3)),
                               max_size=6))
        sheets.append((draw(st.text(alphabet="表单abc数据", min_size=1, max_size=12)), rows, merges))
    return sheets


def write_workbook(spec, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    used = set()
    for n, (title, rows, merges) in enumerate(spec):
        ws = wb.create_sheet(f"{title}{n}"[:31] if f"{title}{n}" not in used else f"s{n}")
        used.add(ws.title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                ws.cell(r, c).value = _cell_value(value)
        taken: set[tuple[int, int]] = set()
        for row, col, height, width in merges:
            cells_ = {(row + i, col + j) for i in range(height + 1) for j in range(width + 1)}
            if (height or width) and not cells_ & taken:
                taken |= cells_
                ws.merge_cells(f"{get_column_letter(col)}{row}:{get_column_letter(col + width)}{row + height}")
    wb.save(path)
    return path


def _cell_value(value):
    if isinstance(value, str):
        # control characters as Excel stores them (_x0001_), which openpyxl decodes back on reading
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
        return value[:32_767]  # Excel's own limit; beyond it openpyxl refuses to write, not our reader
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf"
    return value


csv_rows = st.lists(st.lists(texts | st.integers().map(str), max_size=12), max_size=30)


def write_csv(rows, encoding: str, path: Path, header: bool) -> Path:
    lines = ([",".join(HEADERS[:11])] if header else []) + [
        ",".join('"' + v.replace('"', '""') + '"' if random.Random(len(v)).random() < 0.5 else v for v in row)
        for row in rows]
    path.write_bytes("\r\n".join(lines).encode(encoding, errors="replace"))
    return path


# ---- attacks on the container ----------------------------------------------------------------------

def _valid_parts() -> dict[str, bytes]:
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.append(["信息资源名称", "信息项名称"])
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(parts: dict[str, bytes], path: Path, compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def zip_bomb(path: Path, megabytes: int = 600) -> Path:
    """A workbook whose sheet inflates to `megabytes` of XML (a few hundred kB on disk)."""
    parts = _valid_parts()
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(head)
            chunk = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * (1 << 20) + b"</t></is></c></row>"
            for _ in range(megabytes):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return path


def deeply_nested(path: Path, depth: int = 200_000) -> Path:
    """A sheet whose cell holds XML nested `depth` levels deep."""
    parts = _valid_parts()
    nested = b"<is>" + b"<r>" * depth + b"x" + b"</r>" * depth + b"</is>"
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr">' + nested + b"</c></row></sheetData></worksheet>")
    return _rezip(parts, path)


def entity_bomb(path: Path) -> Path:
    """'Billion laughs' in the shared strings."""
    parts = _valid_parts()
    entities = b'<!ENTITY a0 "hahahahahahahahahaha">' + b"".join(
        b'<!ENTITY a%d "' % i + (b"&a%d;" % (i - 1)) * 10 + b'">' for i in range(1, 10))
    parts["xl/sharedStrings.xml"] = (b'<?xml version="1.0"?><!DOCTYPE sst [' + entities + b']>'
                                     b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                                     b'uniqueCount="1"><si><t>&a9;</t></si></sst>')
    return _rezip(parts, path)


def truncated(path: Path) -> Path:
    good = io.BytesIO()
    _rezip(_valid_parts(), Path("/dev/null")) if False else None
    wb = Workbook()
    wb.active.append(["信息资源名称"] * 5)
    wb.save(good)
    data = good.getvalue()
    path.write_bytes(data[: len(data) // 2])
    return path


ATTACKS = {"zip_bomb": zip_bomb, "deeply_nested_xml": deeply_nested, "entity_bomb": entity_bomb,
           "truncated_zip": truncated}
