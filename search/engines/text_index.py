"""Substring matching answered by indexes, not by scanning every text.

Search texts are folded (`search_text`) before they are stored and before they are matched, so a
match is plain substring containment of one folded text in another. Which index answers it:

- SQLite, terms of three or more characters: the FTS5 trigram tables. A quoted phrase is the
  sequence of the term's trigrams, so it matches exactly the texts containing the term.
- SQLite, terms of one or two characters (most Chinese words: 姓名, 低保, 税), which a trigram index
  cannot hold: FTS5 tables over each text's grams (`grams`): its distinct 2-character substrings,
  plus the last character of each run (below). A 2-character term is one gram; a 1-character term
  is the prefix query `"税" *`, since every occurrence of a character starts a gram.
- PostgreSQL: LIKE with the pg_trgm GIN indexes for three or more characters, a GIN index on the
  gram arrays (`search_grams(grams)`, i.e. `string_to_array(grams, ' ')`) for two, and LIKE for one.

Two texts are indexed: each resource's search document (`search_document.body`), and each distinct
folded item name (`search_name`, which `item_element.name` refers to), so `item_search` looks up the
few names that contain a term instead of reading every item.

Grams are taken within runs of "gram characters"; the few ASCII characters the gram tokenizer
treats as separators (spaces, control characters, quote marks) split runs. A short
term containing one of them is answered by LIKE instead, so the answer is always the exact one.
"""
from __future__ import annotations

import re
import string

from sqlalchemy import Text, cast, column, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.orm import Session

# ASCII punctuation that is part of a gram (the FTS5 `ascii` tokenizer's tokenchars: all but the two
# quote characters, which the option itself is quoted with). The remaining ASCII characters that are
# not letters or digits (space, control characters, quotes) separate grams; every non-ASCII
# character belongs to a gram.
GRAM_PUNCTUATION = "".join(c for c in string.punctuation if c not in "'\"")
GRAM_TOKENIZER = f"ascii tokenchars '{GRAM_PUNCTUATION}'"
_SEPARATORS = "".join(chr(c) for c in range(128)
                      if not chr(c).isalnum() and chr(c) not in GRAM_PUNCTUATION)
_RUNS = re.compile("[^" + re.escape(_SEPARATORS) + "]+")

# FTS5 tables (SQLite; made by migration 0008 except search_fts, which 0002 made)
RESOURCE_TRIGRAMS, RESOURCE_GRAMS = "search_fts", "search_fts_grams"
NAME_TRIGRAMS, NAME_GRAMS = "search_fts_names", "search_fts_name_grams"


def grams(folded: str) -> str:
    """A folded text's grams, space-separated, each once, in order of first occurrence (so the same
    text always gives the same value): the 2-character substrings within runs, and each run's last
    character."""
    found: list[str] = []
    for run in _RUNS.findall(folded):
        found.extend(map(str.__add__, run, run[1:]))
        found.append(run[-1])
    return " ".join(dict.fromkeys(found))


def gram_term(term: str) -> bool:
    """Whether a 1–2 character term can be answered from the grams (has no separator in it)."""
    return 0 < len(term) <= 2 and not any(c in _SEPARATORS for c in term)


def like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(term: str) -> str:
    """The FTS5 query for a term: a quoted phrase; a single character as a prefix (see above)."""
    quoted = '"' + term.replace('"', '""') + '"'
    return quoted + " *" if len(term) == 1 else quoted


def _fts_rowids(fts_table: str, term: str):
    fts = table(fts_table, column("rowid"))
    return select(fts.c.rowid).where(literal_column(fts_table).op("MATCH")(_phrase(term)))


def _containing(session: Session, term: str, text_column, grams_column, key_column, trigrams: str, gram_fts: str):
    """SELECT key_column of the rows whose folded text contains `term` (already folded)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= 3:
        return _fts_rowids(trigrams, term)
    if dialect == "sqlite" and gram_term(term):
        return _fts_rowids(gram_fts, term)
    if dialect == "postgresql" and len(term) == 2 and gram_term(term):
        as_array = func.search_grams(grams_column, type_=ARRAY(Text))  # the GIN index's expression (0008)
        return select(key_column).where(as_array.contains(cast(array([term]), ARRAY(Text))))
    return select(key_column).where(text_column.like(like_pattern(term), escape="\\"))  # PostgreSQL: pg_trgm


def resources_containing(session: Session, term: str):
    """Ids of the resources whose search document contains the folded `term`."""
    from search.models import SearchDocument as D
    return _containing(session, term, D.body, D.grams, D.resource_id, RESOURCE_TRIGRAMS, RESOURCE_GRAMS)


def names_containing(session: Session, term: str):
    """The folded item names (search_name.name, as in item_element.name) containing `term`."""
    from search.models import SearchName as N
    ids = _containing(session, term, N.name, N.grams, N.id, NAME_TRIGRAMS, NAME_GRAMS)
    return select(N.name).where(N.id.in_(ids))
