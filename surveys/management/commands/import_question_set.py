from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import question_set_format as fmt
from surveys.models import QuestionSet
from surveys.services import question_set_import
from surveys.services.question_sets import DraftPending

# The group's main set, current edition.
DEFAULT_SET = Path(__file__).resolve().parents[2] / "data" / "mlops_maturity.yaml"
# Its earlier editions, oldest first, kept unchanged. With no argument the command loads them
# before DEFAULT_SET on a database that does not have the set yet, so that every installation
# numbers them alike (version 1 = edition 1, version 2 = edition 2; docs/question-sets.md).
DEFAULT_SET_HISTORY = (DEFAULT_SET.with_name("mlops_maturity.edition1.yaml"),)
# A small second set for the demo and the tests (seed_demo loads it inactive).
DEMO_SECOND_SET = DEFAULT_SET.with_name("demo_release_check.yaml")


def read_spec(path: Path | str) -> fmt.QuestionSetSpec:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the file ({exc})") from None
    try:
        return fmt.parse(text)
    except fmt.QuestionSetError as exc:
        raise CommandError(
            f"{path} is not a valid question set; nothing was imported:\n{exc}"
        ) from None


class Command(BaseCommand):
    help = (
        "Load a question set from a YAML file as its next version (published unless --draft). "
        "Without a file: the default set, with its earlier editions first on a new database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None, help="YAML file")
        parser.add_argument("--draft", action="store_true", help="keep the new version a draft")

    def handle(self, *args, path: str | None, draft: bool, **options):
        if path is None:
            spec = read_spec(DEFAULT_SET)
            if not QuestionSet.objects.filter(key=spec.key).exists():
                for earlier in DEFAULT_SET_HISTORY:
                    self._load(earlier, read_spec(earlier), draft=False)
            self._load(DEFAULT_SET, spec, draft=draft)
        else:
            self._load(path, read_spec(path), draft=draft)

    def _load(self, path: Path | str, spec: fmt.QuestionSetSpec, *, draft: bool) -> None:
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
