from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_figures_triggers(sender, using, **kwargs) -> None:
    """After every migrate: SQLite drops a table's triggers when a migration rebuilds it."""
    from django.db import connections

    from scoring import figures_triggers, standing_triggers

    figures_triggers.install(connections[using])
    standing_triggers.install(connections[using])


class ScoringConfig(AppConfig):
    name = "scoring"

    def ready(self) -> None:
        post_migrate.connect(_install_figures_triggers, sender=self)
