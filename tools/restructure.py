#!/usr/bin/env python3
"""Move the registry's modules into folders that show the architecture (issue 17), and rewrite every
reference to them. Run once from the repository root on the merged main, then run the suite:

    python3 tools/restructure.py            # git mv + rewrite + compile + import every module
    ./test.sh                               # and on PostgreSQL

Re-runnable and idempotent: a module already at its new path is not moved again, and a reference
is rewritten by pattern wherever it is, so a tree that gained files (or new imports of old paths)
since this script was written is handled the same way; a second run changes nothing.
`--check` only reports what a run would change and exits 1 if anything would (0 when done).

What is rewritten, in every text file git knows about (tracked, or untracked and not ignored):
- Python import statements (parsed with `ast`): `import a.b`, `import a.b as c`, `from a.b import x`,
  `from a import b` where b is a moved module (kept under its local name with `as`), relative
  imports (made absolute when the importing file or the imported module moves), and imports from
  the split `registry.models` package (one import per new home of the names imported);
- dotted module paths inside Python strings and comments (monkeypatch targets, module lists,
  "module:function" index entries, docstrings), never in code: `registry.db.unit_of_work()` on a
  `Registry` object named `registry` is not a module path;
- dotted and slash paths in every other text file (docs, README, pyproject, Dockerfile, .ci/run,
  shell scripts, bench/, templates).
It ends by byte-compiling the tree and importing every module of the four packages.
"""
from __future__ import annotations

import argparse
import ast
import compileall
import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("registry", "search", "importers", "catalog_schema")

# ---- the one mapping table: old module → new module ---------------------------------------------
MOVES: list[tuple[str, str]] = [
    # registry/core: what every domain stands on (no domain package imported at module level;
    # tests/test_architecture.py checks it)
    ("registry.config", "registry.core.config"),
    ("registry.db", "registry.core.db"),
    ("registry.runtime", "registry.core.runtime"),
    ("registry.errors", "registry.core.errors"),
    ("registry.audit", "registry.core.audit"),
    ("registry.models.audit", "registry.core.audit_log"),
    ("registry.authz", "registry.core.authz"),
    ("registry.clock", "registry.core.clock"),
    ("registry.conflicts", "registry.core.conflicts"),
    ("registry.locks", "registry.core.locks"),
    ("registry.logs", "registry.core.logs"),
    ("registry.security", "registry.core.security"),
    ("registry.inputs", "registry.core.inputs"),
    ("registry.headers", "registry.core.headers"),
    ("registry.ratelimit", "registry.core.ratelimit"),
    ("registry.ordering", "registry.core.ordering"),
    ("registry.names", "registry.core.names"),
    ("registry.people", "registry.core.people"),
    ("registry.plugins_models", "registry.core.plugins_models"),
    ("registry.actions.base", "registry.core.actions"),
    ("registry.jobs", "registry.core.jobs"),                 # background jobs (branch progress), if merged
    ("registry.models.jobs", "registry.core.jobs_model"),
    # registry/catalog: the catalog domain, shaped like funding/projects/sharing
    ("registry.models.catalog", "registry.catalog.models"),
    ("registry.catalog_store", "registry.catalog.store"),
    ("registry.actions.catalog", "registry.catalog.actions"),
    ("registry.actions.packages", "registry.catalog.packages"),
    ("registry.actions.ckan", "registry.catalog.ckan"),
    ("registry.dictize", "registry.catalog.dictize"),
    ("registry.lookup", "registry.catalog.lookup"),
    ("registry.pickers", "registry.catalog.pickers"),
    ("registry.web.catalog_views", "registry.catalog.views"),
    # registry/accounts
    ("registry.models.accounts", "registry.accounts.models"),
    ("registry.actions.accounts", "registry.accounts.actions"),
    ("registry.actions.sessions", "registry.accounts.sessions"),
    ("registry.web.auth_views", "registry.accounts.views"),
    # registry/web: the app shell (base templates, static files, dashboards, probes, paging)
    ("registry.dashboard_actions", "registry.web.dashboard_actions"),
    ("registry.health", "registry.web.health"),
    # registry/measures: one module per article group (the rule functions)
    ("registry.funding.rules_base", "registry.measures.base"),
    ("registry.funding.rules_compliance", "registry.measures.funding_25_30"),
    ("registry.funding.rules_sharing", "registry.measures.directory_28"),
    ("registry.projects.funding_rules", "registry.measures.project_list_7"),
    ("registry.projects.rules", "registry.measures.projects_7_35"),
    ("registry.sharing.funding_rules", "registry.measures.sharing_28"),
    # search/engines: the engines behind search (embedded, OpenSearch/Elasticsearch)
    ("search.backend", "search.engines.backend"),
    ("search.backends", "search.engines.backends"),
    ("search.embedded", "search.engines.embedded"),
    ("search.elastic", "search.engines.elastic"),
    ("search.engines", "search.engines.clients"),
    ("search.es_mappings", "search.engines.es_mappings"),
    ("search.query", "search.engines.query"),
    ("search.text_index", "search.engines.text_index"),
    ("search.documents", "search.engines.documents"),
    ("search.result_cache", "search.engines.result_cache"),
    ("search.bulk", "search.engines.bulk"),
    ("search.vocabulary", "search.engines.vocabulary"),
    ("registry.recovery", "search.engines.recovery"),
    # search/duplicates: duplicate detection (Art. 28 重复采集)
    ("search.scan", "search.duplicates.scan"),
    ("search.scan_view", "search.duplicates.scan_view"),
    ("search.elements", "search.duplicates.elements"),
    ("search.element_readings", "search.duplicates.element_readings"),
    ("search.normalize", "search.duplicates.normalize"),
    ("search.type_evidence", "search.duplicates.type_evidence"),
    ("search.export", "search.duplicates.export"),
    ("registry.web.duplicate_views", "search.duplicates.views"),
    # importers: the import page beside the import actions
    ("registry.web.import_views", "importers.views"),
]

# A package whose __init__ only gathered names from modules that now live apart: imports from it
# are split by name, and the __init__ is removed once nothing else is in it.
SPLITS: dict[str, dict[str, str]] = {
    "registry.models": {
        "Base": "registry.core.db",
        "AuditLog": "registry.core.audit_log",
        "Unit": "registry.catalog.models", "InformationSystem": "registry.catalog.models",
        "InformationResource": "registry.catalog.models", "InformationItem": "registry.catalog.models",
        "User": "registry.accounts.models", "ApiToken": "registry.accounts.models",
        "LoginThrottle": "registry.accounts.models",
        "Job": "registry.core.jobs_model",
    },
}
# Names that moved out of a module into another on the branch before this script (the module itself
# keeps importing what it uses): imports of them, at the old or the new path, point at their home.
RELOCATED: dict[str, dict[str, str]] = {
    "registry.web.catalog_views": {"run": "registry.web.pages", "call_or_abort": "registry.web.pages",
                                   "show_or_404": "registry.web.pages"},
}

# Where a module list names the split package as one string, it names its parts instead.
# (Only the parts that exist in this tree, before or after their move: see split_parts.)
SPLIT_LIST_ENTRIES = {"registry.models": ["registry.catalog.models", "registry.accounts.models",
                                          "registry.core.audit_log", "registry.core.jobs_model"]}

NEW_PACKAGES = {
    "registry.core": "The core every domain stands on: settings, the database and unit of work, the runtime "
                     "boundary,\nerrors, audit, authorisation, the clock and the action registry. Imports no "
                     "domain package at module level.",
    "registry.catalog": "The catalog domain: units, systems, resources and items (models, the one writer "
                        "`store`, actions,\nthe CKAN actions, dictize, lookup, pickers and pages).",
    "registry.accounts": "Accounts: users, API tokens, login and sessions (models, actions, pages).",
    "search.engines": "The search engines: the embedded backend in the database and OpenSearch/"
                      "Elasticsearch, their\nqueries, documents and client adapters.",
    "search.duplicates": "Duplicate detection (重复采集, Art. 28): data elements, readings, the scan, its "
                         "findings and export.",
}

TEXT_SUFFIXES = {".py", ".md", ".txt", ".toml", ".cfg", ".ini", ".sh", ".yml", ".yaml", ".html", ".mako",
                 ".json", ".example", ".conf", ""}
SKIP_PARTS = {".venv", "node_modules", "__pycache__", ".git", "instance", "screenshots", "search-node"}
SKIP_FILES = {"tools/restructure.py", "tests/test_restructure_script.py"}   # they name old paths on purpose


def mod_path(module: str) -> Path:
    """The file of a module (a package's __init__.py when the folder exists)."""
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() and (base / "__init__.py").exists() else base.with_suffix(".py")


OLD_TO_NEW = dict(MOVES)
NEW_MODULES = set(OLD_TO_NEW.values())
NEW_TO_OLD = {new: old for old, new in MOVES}


def split_parts(package: str) -> list[str]:
    """The modules a split package's name stands for, those present in this tree (at either path)."""
    return [m for m in SPLIT_LIST_ENTRIES[package]
            if mod_path(m).exists() or (m in NEW_TO_OLD and mod_path(NEW_TO_OLD[m]).exists())]


def _check_table() -> None:
    olds = [o for o, _ in MOVES]
    assert len(olds) == len(set(olds)), "an old module is listed twice"
    assert len(NEW_MODULES) == len(MOVES), "two modules go to one place"
    for old, new in MOVES:
        assert old not in NEW_MODULES, f"{old} is both moved and a destination"


def collision_packages() -> dict[str, set[str]]:
    """Old module names that are also new package names (search.engines): old → the new package's
    submodules, which a reference `search.engines.<submodule>` means (and is left alone)."""
    found: dict[str, set[str]] = {}
    for old in OLD_TO_NEW:
        subs = {n[len(old) + 1:].split(".")[0] for n in NEW_MODULES if n.startswith(old + ".")}
        if subs:
            found[old] = subs
    return found


COLLIDE = collision_packages()


# ---- files ---------------------------------------------------------------------------------------

def text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                         capture_output=True).stdout.decode()
    files = []
    for rel in sorted(set(filter(None, out.split("\0")))):
        p = ROOT / rel
        if not p.is_file() or rel in SKIP_FILES or SKIP_PARTS & set(Path(rel).parts):
            continue
        if p.suffix not in TEXT_SUFFIXES and p.name not in ("Dockerfile", "run"):
            continue
        files.append(p)
    return files


def module_of(path: Path) -> str | None:
    rel = path.relative_to(ROOT)
    if rel.suffix != ".py":
        return None
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


# ---- rewriting module names ----------------------------------------------------------------------

def new_name(dotted: str) -> str | None:
    """The new spelling of a dotted name that is, or is inside, a moved module (None: unchanged)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        head, rest = ".".join(parts[:i]), parts[i:]
        moved_names = RELOCATED.get(NEW_TO_OLD.get(head, head), {})
        if rest and rest[0] in moved_names:
            return ".".join([moved_names[rest[0]], *rest])
        if head in OLD_TO_NEW:
            if head in COLLIDE:
                if rest and rest[0] in COLLIDE[head]:
                    return None                      # already the new package's submodule
                if not rest and not ROOT.joinpath(*head.split(".")).with_suffix(".py").exists():
                    return None                      # the new package itself (move already done)
            return ".".join([OLD_TO_NEW[head], *rest])
        if head in SPLITS and rest and rest[0] in SPLITS[head]:
            return ".".join([SPLITS[head][rest[0]], *rest])
    return None


_names = sorted(set(OLD_TO_NEW) | set(SPLITS), key=len, reverse=True)
DOTTED = re.compile(r"(?<![\w.])(?:%s)(?:\.\w+)*(?![\w])" % "|".join(re.escape(n) for n in _names))
SLASHED = re.compile(r"(?<![\w./])(%s)(\.py\b|/)" % "|".join(re.escape(n.replace(".", "/")) for n in _names))
LIST_ENTRY = re.compile(r"""(?P<q>["'])(?P<name>%s)(?P=q)(?P<sep>,?)""" % "|".join(map(re.escape, SPLIT_LIST_ENTRIES)))


def _dotted_sub(m: re.Match) -> str:
    text = m.group(0)
    # try the longest prefix that is a module path; the rest is an attribute (e.g. "registry.db.Base")
    return new_name(text) or text


def _slashed_sub(m: re.Match) -> str:
    old = m.group(1).replace("/", ".")
    if old in SPLITS:                       # registry/models/ (the folder): its parts went apart
        return m.group(0)
    if m.group(2) == "/":                   # a folder path: only a module that became a package
        return m.group(0)
    new = new_name(old)
    return (new.replace(".", "/") + ".py") if new else m.group(0)


def rewrite_text(text: str) -> str:
    text = LIST_ENTRY.sub(lambda m: ", ".join(f"{m['q']}{n}{m['q']}" for n in split_parts(m["name"])) + m["sep"], text)
    text = DOTTED.sub(_dotted_sub, text)
    return SLASHED.sub(_slashed_sub, text)


def _abs_module(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _alias(name: str, asname: str | None) -> str:
    return f"{name} as {asname}" if asname and asname != name else name


def _from_statements(node: ast.ImportFrom, module: str, is_pkg: bool) -> list[str] | None:
    """The statements replacing one `from … import …` (None: unchanged)."""
    src = _abs_module(node, module, is_pkg)
    groups: dict[str, list[str]] = {}
    changed = False
    for a in node.names:
        full = f"{src}.{a.name}"
        submodule_of_new_package = src in COLLIDE and a.name in COLLIDE[src]
        moved_names = RELOCATED.get(NEW_TO_OLD.get(src, src), {})
        if a.name in moved_names and moved_names[a.name] != module:   # a name now defined elsewhere
            groups.setdefault(moved_names[a.name], []).append(_alias(a.name, a.asname))
            changed = True
        elif full in OLD_TO_NEW and not submodule_of_new_package:          # from a import b (b moved)
            parent, _, leaf = OLD_TO_NEW[full].rpartition(".")
            groups.setdefault(parent, []).append(_alias(leaf, a.asname or a.name))
            changed = True
        elif src in SPLITS and a.name in SPLITS[src]:                     # from registry.models import User
            groups.setdefault(SPLITS[src][a.name], []).append(_alias(a.name, a.asname))
            changed = True
        else:
            if submodule_of_new_package:
                target = None
            elif src in COLLIDE:                                          # a name of the old module
                target = OLD_TO_NEW[src]
            else:
                target = new_name(src)
            changed |= target is not None
            groups.setdefault(target or src, []).append(_alias(a.name, a.asname))
    if node.level and (module in OLD_TO_NEW or changed):
        changed = True                          # a relative import in or of a moved module: made absolute
    if not changed:
        return None
    out = []
    for mod, names in groups.items():
        joined = ", ".join(names)
        out.append(f"from {mod} import {joined}" if len(joined) <= 90 else
                   f"from {mod} import (\n    " + ",\n    ".join(names) + ",\n)")
    return out


def _import_statements(node: ast.Import) -> tuple[list[str] | None, set[str]]:
    out, changed, plain = [], False, set()
    for a in node.names:
        if a.name in SPLITS and a.asname is None:
            out += [f"import {t}" for t in split_parts(a.name)]
            changed = True
            plain.add(a.name)
            continue
        target = new_name(a.name)
        if target:
            out.append(f"import {_alias(target, a.asname)}")
            changed = True
            if a.asname is None:
                plain.add(a.name)               # code spells the module out: a.b.x
        else:
            out.append(f"import {_alias(a.name, a.asname)}")
    return (out if changed else None), plain


def rewrite_imports(source: str, module: str, is_pkg: bool) -> str:
    """Rewrite the import statements of one Python file, at any depth (late imports in functions too)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln.encode("utf-8")))
    data = source.encode("utf-8")                   # ast columns are UTF-8 byte offsets
    edits: list[tuple[int, int, str]] = []
    plain: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            stmts, spelled = _import_statements(node)
            plain |= spelled
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            stmts = _from_statements(node, module, is_pkg)
        else:
            continue
        if stmts is None:
            continue
        start = offsets[node.lineno - 1] + node.col_offset
        end = offsets[node.end_lineno - 1] + node.end_col_offset
        line = lines[node.lineno - 1]
        indent = line[:len(line) - len(line.lstrip())]
        text = "\n".join(stmts).replace("\n", "\n" + indent)
        before = line.encode("utf-8")[:node.col_offset]
        after = lines[node.end_lineno - 1].encode("utf-8")[node.end_col_offset:].strip()
        if before.strip() or (after and not after.startswith(b"#")):
            text = "; ".join(s.replace("\n", " ") for s in stmts)   # on one line with other code
        edits.append((start, end, text))
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode("utf-8") + data[end:]
    source = data.decode("utf-8")
    for old in plain:                           # `import a.b` binds a: code spells a.b.x
        source = re.sub(r"(?<![\w.])%s(?=\.\w)" % re.escape(old) + r"(?:\.\w+)+",
                        lambda m: new_name(m.group(0)) or m.group(0), source)
    return source


def rewrite_python_strings(source: str) -> str:
    """Apply the path patterns inside string literals and comments only (never to code names)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    pieces, pos = [], 0
    for tok in tokens:
        if tok.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        new = rewrite_text(tok.string)
        if new != tok.string:
            pieces.append(source[pos:start])
            pieces.append(new)
            pos = end
    if not pieces:
        return source
    pieces.append(source[pos:])
    return "".join(pieces)


def rewrite_file(path: Path) -> tuple[str, str]:
    old = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        module = module_of(path)
        new = rewrite_imports(old, module, path.name == "__init__.py")
        new = rewrite_python_strings(new)
    else:
        new = rewrite_text(old)
    return old, new


# ---- moving --------------------------------------------------------------------------------------

def git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def ensure_package(package: str, dry: bool, log: list[str]) -> None:
    parts = package.split(".")
    for i in range(2, len(parts) + 1):
        pkg = ".".join(parts[:i])
        init = ROOT.joinpath(*parts[:i], "__init__.py")
        if init.exists():
            continue
        log.append(f"create {init.relative_to(ROOT)}")
        if not dry:
            init.parent.mkdir(parents=True, exist_ok=True)
            doc = NEW_PACKAGES.get(pkg, f"The {pkg} package.")
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            git("add", str(init.relative_to(ROOT)))


def move_modules(dry: bool, log: list[str]) -> int:
    moved = 0
    for old, new in MOVES:
        src = ROOT.joinpath(*old.split(".")).with_suffix(".py")
        dst = ROOT.joinpath(*new.split(".")).with_suffix(".py")
        if not src.exists():
            continue
        if dst.exists():
            raise SystemExit(f"both {src.relative_to(ROOT)} and {dst.relative_to(ROOT)} exist: merge them by hand first")
        ensure_package(new.rpartition(".")[0], dry, log)
        log.append(f"git mv {src.relative_to(ROOT)} {dst.relative_to(ROOT)}")
        if not dry:
            git("mv", str(src.relative_to(ROOT)), str(dst.relative_to(ROOT)))
        moved += 1
    return moved


def check_destinations() -> None:
    """A module someone added where a new package goes (registry/catalog.py) must be settled first."""
    for package in {n.rpartition(".")[0] for n in NEW_MODULES}:
        clash = ROOT.joinpath(*package.split(".")).with_suffix(".py")
        if clash.exists() and package not in OLD_TO_NEW:
            raise SystemExit(f"{clash.relative_to(ROOT)} is where the package {package} goes: rename it first")


def unplaced() -> list[str]:
    """Modules the table does not place, in folders it empties or at the root of registry/ and search/."""
    notes = []
    for package in {o.rpartition(".")[0] for o, _ in MOVES if o.count(".") >= 2} | set(SPLITS):
        folder = ROOT.joinpath(*package.split("."))
        if (folder / "__init__.py").exists() and package not in SPLITS:
            continue                            # a package that stays (funding, web …)
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            if path.name != "__init__.py":
                notes.append(f"{path.relative_to(ROOT)} is not in the table: its folder stays")
    return notes


def remove_split_packages(dry: bool, log: list[str]) -> None:
    for package, names in SPLITS.items():
        init = ROOT.joinpath(*package.split("."), "__init__.py")
        if not init.exists():
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        leftovers = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))
                     and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
                     and not (isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == ["__all__"])]
        imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
        if leftovers or not imported <= set(names):
            raise SystemExit(f"{init.relative_to(ROOT)} holds more than the names it gathers; split it by hand")
        others = [p for p in init.parent.glob("*.py") if p.name != "__init__.py"]
        if others:
            continue                            # its modules are not all moved yet
        log.append(f"git rm {init.relative_to(ROOT)}")
        if not dry:
            git("rm", "-q", "-f", str(init.relative_to(ROOT)))


def remove_empty_dirs(dry: bool, log: list[str]) -> None:
    for package in {o.rpartition(".")[0] for o, _ in MOVES} | set(SPLITS):
        folder = ROOT.joinpath(*package.split("."))
        if not folder.is_dir():
            continue
        rest = [p for p in folder.iterdir() if p.name != "__pycache__"]
        if not rest:
            log.append(f"remove empty folder {folder.relative_to(ROOT)}/")
            if not dry:
                for pyc in folder.glob("__pycache__/*"):
                    pyc.unlink()
                if (folder / "__pycache__").exists():
                    (folder / "__pycache__").rmdir()
                folder.rmdir()


# ---- checking ------------------------------------------------------------------------------------

def all_modules() -> list[str]:
    mods = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or SKIP_PARTS & set(path.relative_to(ROOT).parts):
                continue
            mods.append(module_of(path))
    return mods


def import_everything() -> int:
    python = ROOT / ".venv" / "bin" / "python"
    python = str(python) if python.exists() else sys.executable
    mods = all_modules()
    code = ("import importlib, sys\nfailed = []\nfor m in sys.argv[1:]:\n    try:\n        importlib.import_module(m)\n"
            "    except Exception as exc:\n        failed.append(f'{m}: {type(exc).__name__}: {exc}')\n"
            "print('\\n'.join(failed)); sys.exit(1 if failed else 0)\n")
    done = subprocess.run([python, "-c", code, *mods], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if done.returncode:
        missing = set(re.findall(r"No module named '([\w.]+)'", done.stdout))
        if missing and not any(m.split(".")[0] in PACKAGES for m in missing):
            raise SystemExit(f"{python} lacks the project's dependencies ({', '.join(sorted(missing)[:5])} …): "
                             "create .venv first (./test.sh does), then run again with --allow-dirty")
        print("imports FAILED:\n" + done.stdout + done.stderr)
        raise SystemExit(1)
    return len(mods)


def leftovers() -> list[str]:
    """Mentions of old paths that no rule rewrote (prose naming the split folder, say)."""
    found = []
    pat = re.compile(r"(?<![\w./])(%s)(?![\w])" % "|".join(
        re.escape(n) for n in sorted(OLD_TO_NEW, key=len, reverse=True) if n not in COLLIDE and not mod_path(n).exists()))
    for path in text_files():
        for no, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for m in pat.finditer(line):
                if new_name(m.group(0)) is None:
                    continue
                if path.suffix == ".py" and not _in_string_or_comment(line, m.start()):
                    continue
                found.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()[:100]}")
    return found


def _in_string_or_comment(line: str, col: int) -> bool:
    before = line[:col]
    return "#" in before or before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report what would change; exit 1 if anything would")
    ap.add_argument("--no-import", action="store_true", help="skip importing every module at the end")
    ap.add_argument("--allow-dirty", action="store_true", help="run over uncommitted changes to tracked files")
    args = ap.parse_args(argv)
    _check_table()
    check_destinations()
    os.chdir(ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    if dirty and not args.check and not args.allow_dirty:
        raise SystemExit("uncommitted changes to tracked files: commit them first (or --allow-dirty)")
    log: list[str] = []

    rewritten: list[str] = []
    for path in text_files():
        try:
            old, new = rewrite_file(path)
        except UnicodeDecodeError:
            continue
        if new != old:
            rewritten.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if rewritten and not args.check:        # staged with the moves, so `git commit` takes the whole change
        tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True,
                                     text=True).stdout.split("\n"))
        git("add", "--", *[f for f in rewritten if f in tracked])
    moved = move_modules(args.check, log)
    remove_split_packages(args.check, log)
    remove_empty_dirs(args.check, log)

    for line in log:
        print(line)
    print(f"{'would rewrite' if args.check else 'rewrote'} {len(rewritten)} files" +
          (":\n  " + "\n  ".join(rewritten) if rewritten else ""))
    print(f"{'would move' if args.check else 'moved'} {moved} modules")
    if args.check:
        return 1 if (rewritten or moved or log) else 0

    ok = all(compileall.compile_dir(str(ROOT / d), quiet=1, force=False) for d in (*PACKAGES, "tests", "bench", "tools")
             if (ROOT / d).is_dir())
    if not ok:
        print("byte-compiling FAILED")
        return 1
    print("byte-compiled registry/ search/ importers/ catalog_schema/ tests/ bench/ tools/: ok")
    if not args.no_import:
        print(f"imported all {import_everything()} modules of {', '.join(PACKAGES)}: ok")
    for note in unplaced():
        print("note:", note)
    loose = sorted(p.name for p in (ROOT / "registry").glob("*.py"))
    print("registry/ keeps at its root:", " ".join(loose))
    rest = leftovers()
    if rest:
        print(f"{len(rest)} mentions of old paths left for a person to read (prose no rule rewrites):")
        print("  " + "\n  ".join(rest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
