from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import question_set_format as fmt
from surveys.services import question_set_import
from surveys.services.question_sets import DraftPending

DEFAULT_SET = Path(__file__).resolve().parents[2] / "data" / "mlops_maturity.yaml"
# A small second set for the demo and the tests (seed_demo loads it inactive).
DEMO_SECOND_SET = DEFAULT_SET.with_name("demo_release_check.yaml")


class Command(BaseCommand):
    help = "Load a question set from a YAML file as its next version (published unless --draft)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_SET), help="YAML file")
        parser.add_argument("--draft", action="store_true", help="keep the new version a draft")

    def handle(self, *args, path: str, draft: bool, **options):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file ({exc})") from None
        try:
            spec = fmt.parse(text)
        except fmt.QuestionSetError as exc:
            raise CommandError(
                f"{path} is not a valid question set; nothing was imported:\n{exc}"
            ) from None
        try:
            version, created = question_set_import(spec=spec, publish=not draft)
        except DraftPending as exc:
            raise CommandError(f"{path}: nothing was imported. {exc.message}") from None
        if created:
            inactive = (
                ""
                if version.question_set.active
                else "; the set is inactive until a group admin activates it"
            )
            self.stdout.write(
                f"Imported {version} ({len(spec.questions)} questions, {version.status}{inactive})."
            )
        else:
            self.stdout.write(f"{version} already holds this content; nothing changed.")
