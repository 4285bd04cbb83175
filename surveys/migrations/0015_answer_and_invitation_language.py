# Issue 19, part 3: answers record the language their statement was shown in, invitations the
# language they are written in.

from django.db import migrations, models

# SQLite adds a column by copying the table, which drops its triggers: the append-only trigger
# of answer history (0004) is made again. PostgreSQL adds the column in place, trigger kept.
SQLITE_TRIGGER = [
    "DROP TRIGGER IF EXISTS surveys_answerevent_append_only",
    """
    CREATE TRIGGER surveys_answerevent_append_only
    BEFORE UPDATE ON surveys_answerevent
    BEGIN
        SELECT RAISE(ABORT, 'answer history is append-only: events cannot be changed');
    END
    """,
]


def _history_stays_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGER:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0014_question_set_translations"),
    ]

    operations = [
        # Undone last: made again after the column is removed (by a copy) on the way back.
        migrations.RunPython(migrations.RunPython.noop, _history_stays_append_only),
        migrations.AddField(
            model_name="answer",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.AddField(
            model_name="answerevent",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.RunPython(_history_stays_append_only, migrations.RunPython.noop),
        migrations.AddField(
            model_name="invitation",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
    ]
