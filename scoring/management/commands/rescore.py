"""Recompute every stored score with the current scoring engine and report what changed."""

from django.core.management.base import BaseCommand, CommandParser

from scoring.services import scores_rescore

SHOWN = 20


def _percent(value: float | None) -> str:
    return "no figure" if value is None else f"{value:.1f}%"


class Command(BaseCommand):
    help = (
        "Recompute the stored scores of all submitted and validated assessments with the "
        "current scoring engine; write only those that changed and list them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = scores_rescore(dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"Checked {report.checked:,} stored scores with scoring engine "
            f"{report.engine_version} in {report.seconds:.1f} s: {report.changed:,} {verb}"
            f" ({report.sections_changed:,} section figures)."
        )
        if report.restamped:
            self.stdout.write(
                f"{report.restamped:,} had the same figures from an earlier engine version; "
                f"{'their stamp would be' if dry_run else 'their stamp was'} updated."
            )
        for change in report.changes[:SHOWN]:
            old = "not stored" if change.was_missing else _percent(change.old_percent)
            level = (
                f" ({change.old_level or '-'} -> {change.new_level or '-'})"
                if change.old_level != change.new_level
                else ""
            )
            self.stdout.write(
                f"  {change.brand} / {change.project}, {change.assessed_on:%Y-%m-%d} "
                f"({change.status}): {old} -> {_percent(change.new_percent)}{level}"
            )
        if len(report.changes) > SHOWN:
            self.stdout.write(f"  ... and {len(report.changes) - SHOWN:,} more.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif report.changed or report.restamped:
            self.stdout.write(self.style.SUCCESS("Stored scores are up to date."))
        else:
            self.stdout.write(self.style.SUCCESS("Stored scores were already up to date."))
