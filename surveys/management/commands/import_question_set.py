from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import question_set_format as fmt
from surveys.models import QuestionSet
from surveys.services import question_set_import
from surveys.services.question_sets import DraftPending

DATA = Path(__file__).resolve().parents[2] / "data"
# The group's main set, current edition: loaded first on a fresh install, so it becomes the
# group's main set.
DEFAULT_SET = DATA / "mlops_maturity.yaml"
# Its earlier editions, oldest first, kept unchanged. With no argument the command loads them
# before DEFAULT_SET on a database that does not have the set yet, so that every installation
# numbers them alike (version 1 = edition 1, version 2 = edition 2; docs/question-sets.md).
DEFAULT_SET_HISTORY = (DATA / "mlops_maturity.edition1.yaml",)
# The ML test rubric (after the ML Test Score) and the GenAI / LLM products set.
TEST_RUBRIC_SET = DATA / "ml_test_rubric.yaml"
GENAI_SET = DATA / "genai_products.yaml"
# Every set that ships with Yardstick, in the order a fresh install loads them: the main set
# first, so that it becomes the group's main set. The others are loaded active, so assessors
# can start assessments on them at once; a group admin may retire them (docs/question-sets.md).
SHIPPED_SETS = (DEFAULT_SET, TEST_RUBRIC_SET, GENAI_SET)
# A small second set for the demo and the tests (seed_demo loads it inactive). Not shipped.
DEMO_SECOND_SET = DATA / "demo_release_check.yaml"


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
        "Load a question set from a YAML file as its next version (published unless --draft); "
        "with no file, every set that ships with Yardstick (the main set first, with its earlier "
        "editions before it on a new database)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="YAML file (default: every shipped set, the main set first)"
        )
        parser.add_argument("--draft", action="store_true", help="keep the new version a draft")

    def handle(self, *args, path: str | None, draft: bool, **options):
        # Every file is read and checked before anything is written.
        if path:
            plan = [(Path(path), read_spec(path), not draft)]
        else:
            main = read_spec(DEFAULT_SET)
            plan = []
            if not QuestionSet.objects.filter(key=main.key).exists():
                plan += [(p, read_spec(p), True) for p in DEFAULT_SET_HISTORY]
            plan.append((DEFAULT_SET, main, not draft))
            plan += [(p, read_spec(p), not draft) for p in SHIPPED_SETS[1:]]
        refused = []
        for p, spec, publish in plan:
            try:
                version, created = question_set_import(
                    spec=spec, publish=publish, active_if_new=not path
                )
            except DraftPending as exc:
                refused.append(f"{p}: nothing was imported. {exc.message}")
                continue
            if created:
                inactive = (
                    ""
                    if version.question_set.active
                    else "; the set is inactive until a group admin activates it"
                )
                self.stdout.write(
                    f"Imported {version} ({len(spec.questions)} questions, "
                    f"{version.status}{inactive})."
                )
            else:
                self.stdout.write(f"{version} already holds this content; nothing changed.")
        if refused:
            raise CommandError("\n".join(refused))
