"""Where the code applies an article: every function that cites one (`cite(N)`, `basis(N)`), registers
a rule for one (`funding_rule(..., (N,), ...)`) or names one (`article=N`, `articles=(N, …)`)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("registry", "importers", "search", "catalog_schema")


def _ints(node) -> list[int]:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for elt in node.elts for n in _ints(elt)]
    return []


def _articles(call: ast.Call) -> list[int]:
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    found = []
    if name in ("cite", "basis"):
        found += [n for arg in call.args for n in _ints(arg)]
    if name == "funding_rule" and len(call.args) >= 2:
        found += _ints(call.args[1])
    for kw in call.keywords:
        if kw.arg in ("article", "articles"):
            found += _ints(kw.value)
    return found


def scan() -> dict[int, set[str]]:
    """article → {"module:function"} (the outermost function or class holding the reference)."""
    found: dict[int, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or path.parts[-2:] == ("measures", "index.py"):
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for top in tree.body:
                owner = getattr(top, "name", None) or "<module>"
                for node in ast.walk(top):
                    if isinstance(node, ast.Call):
                        for n in _articles(node):
                            found.setdefault(n, set()).add(f"{module}:{owner}")
    return found
