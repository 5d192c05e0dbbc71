"""search speed: 1–2 character grams, distinct item names, element covering index, index version

search_document.grams and search_name (distinct item names as search text, with its own text
indexes) let every term be answered by an index; item_element.name links items to their name;
search_version is the token every index write replaces (the exact result cache's key).
Existing rows are filled here, so no reindex is needed after upgrading.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 21:30:00
"""
import re
import string
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copies (a migration must not change when the application code does) of
# search.engines.text_index.GRAM_TOKENIZER / grams() and search.engines.documents.search_text().
GRAM_PUNCTUATION = "".join(c for c in string.punctuation if c not in "'\"")
GRAM_TOKENIZER = f"ascii tokenchars '{GRAM_PUNCTUATION}'"
_SEPARATORS = "".join(chr(c) for c in range(128) if not chr(c).isalnum() and chr(c) not in GRAM_PUNCTUATION)
_RUNS = re.compile("[^" + re.escape(_SEPARATORS) + "]+")


def _grams(folded: str) -> str:
    found: list[str] = []
    for run in _RUNS.findall(folded):
        found.extend(map(str.__add__, run, run[1:]))
        found.append(run[-1])
    return " ".join(dict.fromkeys(found))


def _search_text(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip().lower()


def _fts(name: str, column: str, content: str, rowid: str, tokenize: str) -> list[str]:
    """An external-content FTS5 table over content.column, kept in step by triggers."""
    return [
        f"CREATE VIRTUAL TABLE {name} USING fts5({column}, content='{content}', content_rowid='{rowid}', "
        f"tokenize=\"{tokenize}\")",
        f"CREATE TRIGGER {name}_ai AFTER INSERT ON {content} BEGIN "
        f"INSERT INTO {name}(rowid, {column}) VALUES (new.{rowid}, new.{column}); END",
        f"CREATE TRIGGER {name}_ad AFTER DELETE ON {content} BEGIN "
        f"INSERT INTO {name}({name}, rowid, {column}) VALUES ('delete', old.{rowid}, old.{column}); END",
        f"CREATE TRIGGER {name}_au AFTER UPDATE OF {column} ON {content} BEGIN "
        f"INSERT INTO {name}({name}, rowid, {column}) VALUES ('delete', old.{rowid}, old.{column}); "
        f"INSERT INTO {name}(rowid, {column}) VALUES (new.{rowid}, new.{column}); END",
    ]


SQLITE_FTS = [
    *_fts("search_fts_grams", "grams", "search_document", "resource_id", GRAM_TOKENIZER),
    *_fts("search_fts_names", "name", "search_name", "id", "trigram"),
    *_fts("search_fts_name_grams", "grams", "search_name", "id", GRAM_TOKENIZER),
]
SQLITE_FTS_NAMES = ("search_fts_grams", "search_fts_names", "search_fts_name_grams")
POSTGRESQL_INDEXES = [
    # A function the planner knows to be costly (it is, per row), so it uses the index instead of
    # splitting every document in a sequential scan; plpgsql, so it is not inlined into a cheap call.
    "CREATE FUNCTION search_grams(text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE "
    "COST 1000 AS $$ BEGIN RETURN string_to_array($1, ' '); END $$",
    "CREATE INDEX ix_search_document_grams_gin ON search_document USING gin (search_grams(grams))",
    "CREATE INDEX ix_search_name_name_trgm ON search_name USING gin (name gin_trgm_ops)",
    "CREATE INDEX ix_search_name_grams_gin ON search_name USING gin (search_grams(grams))",
]


def upgrade() -> None:
    # plain ALTER TABLE (not batch mode): rebuilding search_document would drop its FTS triggers
    op.add_column("search_document", sa.Column("grams", sa.Text(), server_default="", nullable=False))
    op.add_column("item_element", sa.Column("name", sa.Text(), nullable=True))
    op.drop_index("ix_item_element_element_id", table_name="item_element")  # (a prefix of the next one)
    op.create_index("ix_item_element_element_id_resource_id", "item_element", ["element_id", "resource_id"])
    op.create_index("ix_item_element_name_element_id", "item_element", ["name", "element_id"])
    op.create_table(
        "search_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("grams", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_name")),
        sa.UniqueConstraint("name", name=op.f("uq_search_name_name")),
    )
    op.create_table(
        "search_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_version")),
    )
    _fill()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":  # after the fill: an FTS5 'delete' of a row it never indexed is "corrupt"
        for statement in SQLITE_FTS:
            op.execute(statement)
        for name in SQLITE_FTS_NAMES:
            op.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
    elif dialect == "postgresql":
        for statement in POSTGRESQL_INDEXES:
            op.execute(statement)


def _fill() -> None:
    """Grams of the existing documents and names of the existing mappings. No search_version row: a
    new instance must stay empty (restore refuses otherwise); until the first index write creates
    it, results are simply not cached."""
    conn = op.get_bind()
    docs = conn.execute(sa.text("SELECT resource_id, body FROM search_document")).all()
    if docs:
        conn.execute(sa.text("UPDATE search_document SET grams = :grams WHERE resource_id = :id"),
                     [{"id": r, "grams": _grams(body)} for r, body in docs])
    items = conn.execute(sa.text("SELECT e.item_id, i.name FROM item_element e "
                                 "JOIN information_item i ON i.id = e.item_id")).all()
    if items:
        conn.execute(sa.text("UPDATE item_element SET name = :name WHERE item_id = :id"),
                     [{"id": i, "name": _search_text(name)} for i, name in items])
        names = sorted({_search_text(name) for _, name in items})
        conn.execute(sa.text("INSERT INTO search_name (name, grams) VALUES (:name, :grams)"),
                     [{"name": n, "grams": _grams(n)} for n in names])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_FTS_NAMES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
    elif dialect == "postgresql":
        for name in ("ix_search_document_grams_gin", "ix_search_name_name_trgm", "ix_search_name_grams_gin"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP FUNCTION IF EXISTS search_grams(text)")
    op.drop_table("search_version")
    op.drop_table("search_name")
    op.drop_index("ix_item_element_name_element_id", table_name="item_element")
    op.drop_index("ix_item_element_element_id_resource_id", table_name="item_element")
    op.create_index("ix_item_element_element_id", "item_element", ["element_id"])
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not batch mode: a rebuild drops search_document's triggers
    op.execute("ALTER TABLE item_element DROP COLUMN name")
    op.execute("ALTER TABLE search_document DROP COLUMN grams")
