"""Finding English words (and Python reprs) in what a Chinese user reads: pages and the command line.

An allow-list holds what is not prose: product and format names, codes a user types (role codes,
command names, option values), units of measure. Everything else in Latin letters is a finding.
"""
from __future__ import annotations

import re

ALLOWED = {
    # products, formats, protocols
    "excel", "wps", "csv", "xlsx", "xls", "xlsm", "et", "json", "zip", "sha", "api", "ckan", "openapi", "uuid",
    "http", "https", "www", "url", "sqlite", "postgresql", "elasticsearch", "opensearch", "waitress", "gunicorn",
    "ie", "id", "ip", "gb", "mb", "kb", "ik", "smartcn", "pg_trgm", "gov", "cn", "com", "yunyang", "gx", "svg",
    "registry", "pdf", "ofd", "sql", "server", "oracle", "mysql", "kingbasees", "dm", "gaussdb", "oceanbase", "shp", "ca",
    "his", "lis", "pacs", "ctrl", "ga", "ris", "emr", "word", "wps", "gis", "app", "gps", "usb", "vpn", "cpu", "ssl", "tls", "ocr", "ai", "oa", "erp", "crm", "sms", "ukey",
    # role codes, command names, option values a user types
    "bureau", "finance", "reviewer", "admin", "department", "unit", "catalog", "declaration", "init", "demo",
    "serve", "user", "add", "token", "create", "import", "export", "template", "scan", "reindex", "duplicates",
    "funding", "report", "directory", "list", "admit", "retire", "merge", "due", "sharing", "overdue", "backup",
    "restore", "calendar", "show", "set", "open", "confirmed", "dismissed", "asc", "desc", "yyga",
}
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
REPR = re.compile(r"<[a-zA-Z_.]+ (?:object|method|function|built-in)[^>]*>|\b(?:None|True|False)\b|\{'|\['")
OPTION = re.compile(r"(?<![A-Za-z])--?[A-Za-z][\w-]*")
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")       # addresses are typed data, not prose
CODE = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,6}[-_]?\d[\w-]*")   # DE0001, res-1a2b, yygaj-s01: codes


def english_words(text: str, extra_allowed=()) -> list[str]:
    """Words in Latin letters that are not on the allow-list (options like --year are codes)."""
    allowed = ALLOWED | {w.lower() for w in extra_allowed}
    text = CODE.sub(" ", OPTION.sub(" ", URL.sub(" ", text)))
    return sorted({w for w in WORD.findall(text) if w.lower() not in allowed})


def reprs(text: str) -> list[str]:
    return REPR.findall(text)
