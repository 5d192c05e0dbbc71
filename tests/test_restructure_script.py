"""tools/restructure.py rewrites every kind of reference to a moved module, and only those.

The samples name old module paths on purpose (the script skips this file). Pure text in, text out:
nothing here touches the tree.
"""
from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("restructure", ROOT / "tools" / "restructure.py")
rs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rs)


def py(source: str, module: str = "tests.sample", is_pkg: bool = False) -> str:
    text = textwrap.dedent(source)
    return rs.rewrite_python_strings(rs.rewrite_imports(text, module, is_pkg))


CASES = [
    ("from registry.catalog_store import save_item\n", "from registry.catalog.store import save_item\n"),
    ("from registry.actions.base import Context, action  # noqa: F401\n",
     "from registry.core.actions import Context, action  # noqa: F401\n"),
    ("from registry.actions import base\n", "from registry.core import actions as base\n"),
    ("from registry.funding import rules_base, models\n",
     "from registry.measures import base as rules_base\nfrom registry.funding import models\n"),
    ("import search.query as q\n", "import search.engines.query as q\n"),
    ("from registry.models import Unit, User as U, AuditLog\n",
     "from registry.catalog.models import Unit\nfrom registry.accounts.models import User as U\n"
     "from registry.core.audit_log import AuditLog\n"),
    ("def f():\n    from registry.db import unit_of_work  # late\n    return unit_of_work\n",
     "def f():\n    from registry.core.db import unit_of_work  # late\n    return unit_of_work\n"),
    ("from search.engines import EngineError, make_client\n",
     "from search.engines.clients import EngineError, make_client\n"),
    ("from search.engines import embedded\n", "from search.engines import embedded\n"),
    ("from search import engines\n", "from search.engines import clients as engines\n"),
    ('monkeypatch.setattr("registry.catalog_store.today", fake)\n',
     'monkeypatch.setattr("registry.catalog.store.today", fake)\n'),
    ('ENTRY = "registry.funding.rules_sharing:not_sharing"  # see registry.db\n',
     'ENTRY = "registry.measures.directory_28:not_sharing"  # see registry.core.db\n'),
    ("with registry.db.unit_of_work() as session:\n    registry.config\n",
     "with registry.db.unit_of_work() as session:\n    registry.config\n"),
    ("from registry.web import forms, paging\n", "from registry.web import forms, paging\n"),
    ("x = 1; from registry.lookup import find_unit\n", "x = 1; from registry.catalog.lookup import find_unit\n"),
    ("from registry.web.catalog_views import call_or_abort, run\n", "from registry.web.pages import call_or_abort, run\n"),
    ("from registry.catalog.views import bp, show_or_404\n",
     "from registry.catalog.views import bp\nfrom registry.web.pages import show_or_404\n"),
    ('monkeypatch.setattr("registry.web.catalog_views.run", fake)\n',
     'monkeypatch.setattr("registry.web.pages.run", fake)\n'),
]


@pytest.mark.parametrize("before,after", CASES)
def test_python_references_to_moved_modules_are_rewritten_and_code_names_are_not(before, after):
    assert py(before) == after
    assert py(after) == after, "a second run changes nothing"


def test_relative_imports_in_or_of_a_moved_module_become_absolute():
    assert py("from .records import cn\n", "registry.funding.rules_compliance") == \
        "from registry.funding.records import cn\n"
    assert py("from .rules_base import Batch\n", "registry.funding.engine") == \
        "from registry.measures.base import Batch\n"
    assert py("from . import rules_base\n", "registry.funding.engine") == \
        "from registry.measures import base as rules_base\n"
    assert py("from .models import Fund\n", "registry.funding.engine") == "from .models import Fund\n"


def test_the_split_models_package_is_imported_by_its_parts():
    parts = rs.split_parts("registry.models")     # the jobs model too where branch progress is merged
    assert parts[:3] == ["registry.catalog.models", "registry.accounts.models", "registry.core.audit_log"]
    assert py("import registry.models  # noqa: F401\n") == "\n".join(f"import {p}" for p in parts) + "  # noqa: F401\n"
    assert rs.rewrite_text('MODEL_MODULES = [\n    "registry.models",\n    "search.models",\n]') == (
        'MODEL_MODULES = [\n    ' + ", ".join(f'"{p}"' for p in parts) + ',\n    "search.models",\n]')


def test_paths_in_docs_and_config_are_rewritten_and_folders_are_left():
    text = ("the writer (`registry/catalog_store.py`, `registry.catalog_store.save`), "
            "COPY registry ./registry, registry/web/templates/, search/scan.py; registry.dbx stays")
    assert rs.rewrite_text(text) == (
        "the writer (`registry/catalog/store.py`, `registry.catalog.store.save`), "
        "COPY registry ./registry, registry/web/templates/, search/duplicates/scan.py; registry.dbx stays")
    assert rs.rewrite_text(rs.rewrite_text(text)) == rs.rewrite_text(text)


def test_the_table_moves_each_module_once_to_a_place_of_its_own_inside_the_four_packages():
    rs._check_table()
    assert {new.split(".")[0] for _, new in rs.MOVES} <= set(rs.PACKAGES)
    assert rs.COLLIDE == {"search.engines": {name.rpartition(".")[2] for _, name in rs.MOVES
                                             if name.startswith("search.engines.")}}
