"""Bounded parsing: a workbook of too many shared strings, rows or cells is refused while its parts are
streamed, before any parser builds objects (Chinese message, nothing imported); a reviewer cannot make
the server stage or parse a declaration form; uploads are parsed a few at a time per process."""
from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from importers import actions as import_actions
from importers.problems import ImportRefused
from importers.sources import MAX_ROWS_PER_SHEET, MAX_SHARED_STRINGS, check_file


def _workbook_with_part(tmp_path: Path, part: str, xml: bytes) -> Path:
    base = tmp_path / "base.xlsx"
    wb = Workbook()
    wb.active.append(["信息资源名称", "信息项名称"])
    wb.save(base)
    out = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item, source.read(item.filename))
        target.writestr(part, xml)
    return out


def _shared_strings(count: int) -> bytes:
    body = b"".join(b"<si><t>%d</t></si>" % n for n in range(count))
    return (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            b' count="%d" uniqueCount="%d">' % (count, count) + body + b"</sst>")


def test_too_many_shared_strings_are_refused_while_streaming(tmp_path):
    path = _workbook_with_part(tmp_path, "xl/sharedStrings.xml", _shared_strings(MAX_SHARED_STRINGS + 1))
    with pytest.raises(ImportRefused) as refused:
        check_file(path, "目录.xlsx", 50 * 1024 * 1024)
    assert "共享字符串超过" in refused.value.message and "拆分" in refused.value.message


def test_too_many_rows_in_one_sheet_are_refused_while_streaming(tmp_path):
    rows = b"".join(b'<row r="%d"/>' % n for n in range(1, MAX_ROWS_PER_SHEET + 2))
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>")
    path = _workbook_with_part(tmp_path, "xl/worksheets/sheet1.xml", xml)
    with pytest.raises(ImportRefused) as refused:
        check_file(path, "目录.xlsx", 50 * 1024 * 1024)
    assert "行超过" in refused.value.message


def test_an_ordinary_workbook_passes_the_counts(tmp_path):
    path = _workbook_with_part(tmp_path, "xl/sharedStrings.xml", _shared_strings(1000))
    assert check_file(path, "目录.xlsx", 50 * 1024 * 1024) == "xlsx"


def test_a_reviewer_cannot_make_the_server_stage_or_parse_a_declaration(client, make):
    make.user("reviewer", username="rev")
    token = make.act("api_token_create", {"user": "rev"})["token"]
    damaged = io.BytesIO(b"PK\x03\x04" + b"0" * 1000)  # parsed, it would be refused as damaged (409)
    answer = client.post("/api/3/action/project_import_declaration", headers={"Authorization": token},
                         data={"upload": (damaged, "申报表.xlsx")}, content_type="multipart/form-data")
    assert answer.status_code == 403
    assert "不能导入项目申报表" in answer.get_json()["error"]["message"]


def test_uploads_are_parsed_a_few_at_a_time(tmp_path):
    inside, peak, lock = [0], [0], threading.Lock()
    barrier = threading.Barrier(6)

    def upload(n):
        path = tmp_path / f"f{n}.csv"
        path.write_text("a\n")
        barrier.wait()
        with import_actions.staged_upload(import_actions.LocalFile(path, path.name), 1 << 20):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            threading.Event().wait(0.05)
            with lock:
                inside[0] -= 1
    threads = [threading.Thread(target=upload, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] <= import_actions.MAX_PARALLEL_UPLOADS
