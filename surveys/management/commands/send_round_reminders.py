import datetime

from django.core.management.base import BaseCommand, CommandError

from surveys.services.reminders import round_reminders_send


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--day {value!r} is not a date; give it as YYYY-MM-DD, e.g. 2027-01-14"
        ) from None


class Command(BaseCommand):
    help = (
        "Send the round reminder digests for a day, in this process (what Celery beat runs "
        "daily). Sending twice on a day sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day to remind for, YYYY-MM-DD (default: today)")

    def handle(self, *args, day: str | None = None, **options):
        run = round_reminders_send(day=_day(day) if day else None)
        self.stdout.write(str(run))
        if run.failed:
            raise CommandError(
                f"{len(run.failed)} reminder(s) could not be sent (see the log); run the "
                "command again later today to retry them."
            )
