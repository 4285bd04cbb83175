"""The figures token and the triggers that replace it (scoring.figures_triggers)."""

from django.db import migrations


def forward(apps, schema_editor):
    from scoring import figures_triggers

    figures_triggers.install(schema_editor.connection)


def backward(apps, schema_editor):
    from scoring import figures_triggers

    figures_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("brands", "0001_initial"),
        ("scoring", "0002_improvement_action"),
        ("surveys", "0004_history_append_only"),
    ]

    operations = [migrations.RunPython(forward, backward)]
