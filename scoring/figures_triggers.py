"""The database triggers that replace the figures token (see scoring.selectors.figures_cache).

Installed by migration scoring 0003 and again after every `migrate` (scoring's
AppConfig): SQLite drops a table's triggers whenever a migration rebuilds the
table, so a later migration of another app would otherwise switch the cache's
invalidation off without a word. Every statement can run any number of times.

The token is random rather than a counter: a rolled-back transaction puts the
old value back, and a counter would then hand the same number to different
data (the test suite does exactly that, test after test).

Autosaved answers do not change the token: the cached figures read answers only
of validated assessments, which never change (a validation changes the token).
Updates of an assessment change it only when a column the figures depend on
changes, so that an interview's timer does not empty the cache.
"""

TABLE = "scoring_figures_generation"

# Every change of these tables (insert, update, delete) changes the token.
WHOLE_TABLES = (
    "scoring_score",
    "scoring_sectionscore",
    "brands_brand",
    "brands_project",
    "brands_productline",
    "surveys_questionset",
    "surveys_questionsetversion",
    "surveys_section",
    "surveys_question",
    "surveys_answeroption",
    "surveys_levelband",
    # Closed rounds are named points on the trends: closing one, or a change of who is in it.
    "surveys_round",
    "surveys_roundmember",
)
# The columns of an assessment that decide which figure stands for a project.
ASSESSMENT_COLUMNS = (
    "status",
    "assessed_on",
    "created_at",
    "version_id",
    "project_id",
    "superseded_by_id",
)


def _postgresql(tables) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ASSESSMENT_COLUMNS)
    return [
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(id smallint PRIMARY KEY CHECK (id = 1), value varchar(40) NOT NULL)",
        f"INSERT INTO {TABLE} (id, value) VALUES (1, gen_random_uuid()::text) "
        "ON CONFLICT (id) DO NOTHING",
        f"""CREATE OR REPLACE FUNCTION scoring_figures_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {TABLE} (id, value) VALUES (1, gen_random_uuid()::text)
            ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
            RETURN NULL;
        END $$""",
        *(
            f"CREATE OR REPLACE TRIGGER figures_changed "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION scoring_figures_changed()"
            for table in tables
        ),
        "CREATE OR REPLACE TRIGGER figures_changed "
        "AFTER INSERT OR DELETE OR TRUNCATE ON surveys_assessment "
        "FOR EACH STATEMENT EXECUTE FUNCTION scoring_figures_changed()",
        "CREATE OR REPLACE TRIGGER figures_changed_update AFTER UPDATE ON surveys_assessment "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION scoring_figures_changed()",
    ]


_SQLITE_BUMP = f"INSERT OR REPLACE INTO {TABLE} (id, value) VALUES (1, lower(hex(randomblob(16))));"


def _sqlite(tables) -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(id integer PRIMARY KEY CHECK (id = 1), value varchar(40) NOT NULL)",
        f"INSERT OR IGNORE INTO {TABLE} (id, value) VALUES (1, lower(hex(randomblob(16))))",
    ]
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS figures_changed_{table}_{event.lower()} "
                f"AFTER {event} ON {table} BEGIN {_SQLITE_BUMP} END"
            )
    for event in ("INSERT", "DELETE"):
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS figures_changed_surveys_assessment_{event.lower()} "
            f"AFTER {event} ON surveys_assessment BEGIN {_SQLITE_BUMP} END"
        )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ASSESSMENT_COLUMNS)
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS figures_changed_surveys_assessment_update "
        f"AFTER UPDATE ON surveys_assessment WHEN {changed} BEGIN {_SQLITE_BUMP} END"
    )
    return statements


def _existing(connection, tables) -> list[str]:
    """Of `tables`, those the database has: a migration older than a table installs the
    triggers without it, and the install after every `migrate` (scoring.apps) adds it."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    return [table for table in tables if table in present]


def install(connection) -> None:
    """Create the token's table and triggers unless they are there (any number of times)."""
    statements = {"postgresql": _postgresql, "sqlite": _sqlite}.get(connection.vendor)
    if statements is None:
        raise RuntimeError(
            f"The figures token has no triggers for {connection.vendor}; "
            "only PostgreSQL and SQLite are supported."
        )
    tables = _existing(connection, WHOLE_TABLES)
    with connection.cursor() as cursor:
        for sql in statements(tables):
            cursor.execute(sql)


def uninstall(connection) -> None:
    tables = _existing(connection, WHOLE_TABLES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (*tables, "surveys_assessment"):
                cursor.execute(f"DROP TRIGGER IF EXISTS figures_changed ON {table}")
            cursor.execute("DROP TRIGGER IF EXISTS figures_changed_update ON surveys_assessment")
            cursor.execute("DROP FUNCTION IF EXISTS scoring_figures_changed()")
        else:
            names = [f"{t}_{e}" for t in tables for e in ("insert", "update", "delete")]
            names += [f"surveys_assessment_{e}" for e in ("insert", "delete", "update")]
            for name in names:
                cursor.execute(f"DROP TRIGGER IF EXISTS figures_changed_{name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
