"""The measures in one place: one citation, one title of the decree, and an index from every
article the code applies to the functions that apply it."""
from __future__ import annotations

import importlib

import pytest

from registry.measures import DECREE_TITLE, article_name, basis, cite
from registry.measures.index import ARTICLES
from tests.measures_scan import scan


@pytest.mark.parametrize("article,name", [(7, "第七条"), (9, "第九条"), (10, "第十条"), (14, "第十四条"),
                                          (20, "第二十条"), (28, "第二十八条"), (35, "第三十五条")])
def test_every_article_can_be_cited(article, name):
    assert article_name(article) == name
    assert cite(article) == f"依据《管理办法》{name}"


def test_the_old_citation_helpers_are_the_one_citation():
    from registry.measures import base as rules_base
    from registry.projects import vocab
    assert rules_base.cite is cite and vocab.cite is cite
    assert rules_base.cite(9) == "依据《管理办法》第九条", "the funding copy used to fail for Article 9"


def test_the_decree_has_one_title():
    assert basis(28) == f"《{DECREE_TITLE}》第二十八条" == "《云阳县政务信息化项目管理办法》第二十八条"


def test_every_article_the_code_applies_is_in_the_index_with_each_function_that_applies_it():
    missing = {n: sorted(funcs - set(ARTICLES.get(n, ("", ()))[1])) for n, funcs in scan().items()}
    assert {n: f for n, f in missing.items() if f} == {}


def test_every_index_entry_names_a_function_that_exists():
    from registry.core.actions import load_all
    from registry.measures.base import load_rules
    load_all(), load_rules()   # in their own order first: funding rules are evaluated in registration order
    for article, (subject, functions) in ARTICLES.items():
        assert subject and functions, article
        for entry in functions:
            module, name = entry.split(":")
            assert hasattr(importlib.import_module(module), name), entry
