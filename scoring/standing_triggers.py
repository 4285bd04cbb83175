"""The database triggers that keep `scoring.models.Standing` (when each assessment stands for
its project's figure) in step with the assessments, in the transaction of every write.

Whoever writes an assessment (a view, a task, the admin, a bulk update, a shell), the
triggers recompute the standings of the project it belongs to (and of the one it left,
when it moved): the project's rows are deleted and chosen again by one window query
(LEAD gives each assessment the date of the next one that counts the same way). A
project has a handful of assessments, so this costs one small query per written row.

What decides a standing: an assessment's status, date, creation time, version (hence its
question set: a version never changes sets), project and whether a newer version's
assessment superseded it; an update that changes none of these leaves the standings
alone (an interview's timer, an autosave). Scores are not part of it: the readers join
the stored score, so a rescore needs nothing here.

On PostgreSQL a transaction-scoped advisory lock per project orders two transactions that
rewrite the same project's standings (two validations at once): the second waits for the
first to commit and then recomputes from what it committed (two new assessments of one
project at once would otherwise both insert the same standings). SQLite has one writer.

Installed by migration scoring 0005 and again after every `migrate` (scoring's
AppConfig), which also recomputes every standing: SQLite drops a table's triggers when a
migration rebuilds the table, and rows written in between would otherwise be missed.
Every statement can run any number of times.
"""

from scoring.models import Standing, StandingKind
from surveys.models import AssessmentStatus

TABLE = Standing._meta.db_table
_LOCK_CLASS = 20_531  # the advisory locks' first key: "these are standings"
_COLUMNS = "assessment_id, project_id, question_set_id, version_id, kind, stands_from, stands_until"

_VALIDATED = f"a.status = '{AssessmentStatus.VALIDATED}'"
_COUNTED = (
    f"(a.status = '{AssessmentStatus.VALIDATED}' OR "
    f"(a.status = '{AssessmentStatus.SUBMITTED}' AND a.superseded_by_id IS NULL))"
)
_KINDS = " UNION ALL ".join(f"SELECT {int(kind)} AS kind" for kind in StandingKind)
_BY_VERSION = (int(StandingKind.VALIDATED_IN_VERSION), int(StandingKind.COUNTED_IN_VERSION))
_ONLY_VALIDATED = (int(StandingKind.VALIDATED_IN_SET), int(StandingKind.VALIDATED_IN_VERSION))

# Every standing of the projects `where` selects (a condition on `a`, the assessment).
_CHOOSE = f"""
INSERT INTO {TABLE} ({_COLUMNS})
SELECT a.id, a.project_id, v.question_set_id, a.version_id, k.kind, a.assessed_on,
    LEAD(a.assessed_on) OVER (
        PARTITION BY a.project_id, k.kind,
            CASE WHEN k.kind IN {_BY_VERSION} THEN a.version_id ELSE v.question_set_id END
        ORDER BY a.assessed_on, a.created_at, a.id
    )
FROM surveys_assessment a
JOIN surveys_questionsetversion v ON v.id = a.version_id
JOIN ({_KINDS}) k ON CASE WHEN k.kind IN {_ONLY_VALIDATED} THEN {_VALIDATED} ELSE {_COUNTED} END
WHERE {{where}}"""

_WATCHED = ("status", "assessed_on", "created_at", "version_id", "project_id", "superseded_by_id")


def _postgresql() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _WATCHED)
    choose = _CHOOSE.format(where="a.project_id = ANY(projects)")
    return [
        f"""CREATE OR REPLACE FUNCTION scoring_standing_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            projects bigint[];
            one bigint;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                projects := ARRAY[NEW.project_id];
            ELSIF TG_OP = 'DELETE' OR OLD.project_id = NEW.project_id THEN
                projects := ARRAY[OLD.project_id];
            ELSE
                projects := ARRAY[LEAST(OLD.project_id, NEW.project_id),
                                  GREATEST(OLD.project_id, NEW.project_id)];
            END IF;
            FOREACH one IN ARRAY projects LOOP
                PERFORM pg_advisory_xact_lock({_LOCK_CLASS}, one::integer);
            END LOOP;
            DELETE FROM {TABLE} WHERE project_id = ANY(projects);
            {choose};
            RETURN NULL;
        END $$""",
        "CREATE OR REPLACE TRIGGER standing_changed AFTER INSERT OR DELETE ON surveys_assessment "
        "FOR EACH ROW EXECUTE FUNCTION scoring_standing_changed()",
        "CREATE OR REPLACE TRIGGER standing_changed_update AFTER UPDATE ON surveys_assessment "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION scoring_standing_changed()",
    ]


def _sqlite() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _WATCHED)
    bodies = {
        "insert": ("", "NEW.project_id"),
        "delete": ("", "OLD.project_id"),
        "update": (f"WHEN {changed} ", "OLD.project_id, NEW.project_id"),
    }
    statements = []
    for event, (when, projects) in bodies.items():
        choose = _CHOOSE.format(where=f"a.project_id IN ({projects})")
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS standing_changed_{event} AFTER {event.upper()} "
            f"ON surveys_assessment {when}BEGIN "
            f"DELETE FROM {TABLE} WHERE project_id IN ({projects}); {choose}; END"
        )
    return statements


def install(connection) -> None:
    """Create the triggers unless they are there, and recompute every standing. Without the
    table (the database migrated back before scoring 0005), make sure no trigger is left
    to write into it."""
    statements = {"postgresql": _postgresql, "sqlite": _sqlite}.get(connection.vendor)
    if statements is None:
        raise RuntimeError(
            f"The standings have no triggers for {connection.vendor}; "
            "only PostgreSQL and SQLite are supported."
        )
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    if TABLE not in present or "surveys_assessment" not in present:
        if "surveys_assessment" in present:
            uninstall(connection)
        return
    with connection.cursor() as cursor:
        for sql in statements():
            cursor.execute(sql)
        recompute_all(cursor)


def recompute_all(cursor) -> None:
    """Choose every standing again from the assessments (after a migration; tests)."""
    cursor.execute(f"DELETE FROM {TABLE}")
    cursor.execute(_CHOOSE.format(where="1 = 1"))
    if cursor.db.vendor == "postgresql":
        # The planner's figures for the table at once, rather than at autovacuum's next
        # visit: without them it reads a freshly filled table as if it were empty.
        cursor.execute(f"ANALYZE {TABLE}")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS standing_changed ON surveys_assessment")
            cursor.execute("DROP TRIGGER IF EXISTS standing_changed_update ON surveys_assessment")
            cursor.execute("DROP FUNCTION IF EXISTS scoring_standing_changed()")
        else:
            for event in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS standing_changed_{event}")
