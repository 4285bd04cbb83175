"""The tests' default set (edition 1, which has no translations) given the Dutch and French
texts of the shipped edition 2 (surveys/data/mlops_maturity.yaml), matched by key: a set
translated as a group's would be. The few statements edition 2 no longer has stay English."""

import functools
from pathlib import Path

from surveys import question_set_format as fmt
from surveys.models import QuestionSetVersion
from surveys.selectors import statements

EDITION_2 = Path(fmt.__file__).parent / "data" / "mlops_maturity.yaml"


@functools.cache
def _edition_2() -> fmt.QuestionSetSpec:
    return fmt.parse(EDITION_2.read_text(encoding="utf-8"))


def translate(version: QuestionSetVersion) -> QuestionSetVersion:
    """Give `version`'s texts edition 2's translations (in the test's transaction)."""
    spec = _edition_2()
    by_key = {
        "questions": {q.key: q.translations for q in spec.questions},
        "sections": {s.key: s.translations for s in spec.sections},
        "options": {o.key: o.translations for o in spec.scale},
        "levels": {lv.name: lv.translations for lv in spec.levels},
    }
    for question in version.questions.all():
        question.translations = by_key["questions"].get(question.key, {})
        question.save(update_fields=["translations"])
    for section in version.sections.all():
        section.translations = by_key["sections"].get(section.key, {})
        section.save(update_fields=["translations"])
    for option in version.options.all():
        option.translations = by_key["options"].get(option.key, {})
        option.save(update_fields=["translations"])
    for level in version.levels.all():
        level.translations = by_key["levels"].get(level.name, {})
        level.save(update_fields=["translations"])
    version.translations = spec.translations
    version.save(update_fields=["translations"])
    forget_languages()
    return version


def forget_languages() -> None:
    """A published version's languages are kept per process: forget them when they change."""
    statements._published_languages.clear()
