"""The folders show the architecture: no import circles between modules, and the core below the domains.

The graph is built with `ast` from the imports of registry/, search/, importers/ and catalog_schema/
(migrations excluded). The first check counts module-level imports only: those run while a module
loads, so a circle there is a half-loaded module. Imports inside functions are the house's deliberate
late binding (a rule module loading a model only when it runs, the runtime asking for the search
backend it was configured with); the second check counts them too, because a late import hides a
circle rather than removing it. `if TYPE_CHECKING:` blocks (type hints only, never run) are left out.

The check is between modules, not packages: packages do depend on each other both ways by design
(every domain cites `registry.measures`, whose rule modules read those domains' records; the catalog's
CKAN actions query `search.engines.clients`, whose documents are built from catalog records), and that is
harmless as long as no module needs itself to finish loading.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("registry", "search", "importers", "catalog_schema")

# What registry/core may import besides itself, at module level (catalog_schema is the schema library
# every layer uses; the runtime loads the acting user, an accounts record, at the boundary).
CORE_MAY_IMPORT = {"catalog_schema": "*", "registry.accounts.models": {"registry.core.runtime"}}
DOMAINS = ("registry.catalog", "registry.accounts", "registry.funding", "registry.projects",
           "registry.sharing", "registry.measures", "registry.web", "search", "importers")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _top_level_imports(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ([node] if not isinstance(node, (ast.If, ast.Try)) else
                      [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                       *[n for h in getattr(node, "handlers", []) for n in h.body]]):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                yield inner


def _all_imports(tree: ast.Module):
    """Every import that can run, late ones in functions included (not `if TYPE_CHECKING:` blocks)."""
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in node.body for n in ast.walk(inner)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
            yield node


def import_graph(late: bool = False) -> dict[str, set[str]]:
    """module → the modules of the four packages it imports when it loads (with `late`: ever)."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in (_all_imports(tree) if late else _top_level_imports(tree)):
            if isinstance(node, ast.Import):
                targets = [known(a.name) for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else known(base) for a in node.names]
            graph[module] |= {t for t in targets if t and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_circle_of_three_and_none_in_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_imports_itself_back_through_other_modules():
    graph = import_graph()
    assert len(graph) > 100, "the graph lost the packages"
    circles = cycles(graph)
    explained = [" → ".join(c) for c in circles]
    assert circles == [], "import circles (module level):\n" + "\n".join(explained)


def test_no_circle_even_through_imports_made_late_inside_functions():
    """A late import defers a circle, it does not remove it: two modules that need each other belong in one
    place, or what both need in a third (the page helpers live in registry/web/pages.py for that)."""
    circles = cycles(import_graph(late=True))
    assert circles == [], "import circles (late imports included):\n" + "\n".join(" → ".join(c) for c in circles)


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_core_imports_no_domain_package():
    """registry/core is what every domain stands on: settings, database, runtime boundary, errors,
    audit, authorisation, the clock, the action registry. It must not need a domain to load."""
    graph = import_graph()
    core = {m: targets for m, targets in graph.items() if _inside(m, "registry.core")}
    wrong = []
    for module, targets in core.items():
        for target in targets:
            if _inside(target, "registry.core"):
                continue
            allowed = next((who for prefix, who in CORE_MAY_IMPORT.items() if _inside(target, prefix)), None)
            if allowed == "*" or (allowed and module in allowed):
                continue
            if any(_inside(target, d) for d in DOMAINS) or target.startswith("registry."):
                wrong.append(f"{module} imports {target}")
    assert wrong == []
