"""An assessment's statements as a person reads them: in one of the languages its question-set
version has, each text not translated yet shown in the set's own language and marked as such.

Only texts change with the language; keys, options' scores and weights are the same in every
language, so nothing a person answers or any figure depends on it. The screens (self-fill,
interview console, review, the offline questionnaire) choose the language with
`statement_language` and annotate what they show with `mark_statements` / `shown_options`.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from config.locale import supported
from surveys.models import Answer, AnswerOption, QuestionSetVersion, Section
from surveys.question_set_format import LANGUAGES, QUESTION_TEXTS
from surveys.question_set_translations import translated

# The session remembers a statement language chosen on a screen, per assessment.
SESSION_KEY = "statement-language:{code}"


@dataclass(frozen=True)
class Shown:
    """A text as a screen shows it."""

    text: str
    language: str  # the language the text is written in
    is_fallback: bool  # the language asked for has no translation of it yet
    lang: str  # the lang attribute it needs: "" when it is the page's own language

    def __str__(self) -> str:
        return self.text

    @property
    def language_name(self) -> str:
        """The language's name in that language ("English", "Nederlands")."""
        return language_name(self.language)


def language_name(code: str) -> str:
    try:
        return translation.get_language_info(code)["name_local"]
    except KeyError:
        return code


@dataclass(frozen=True)
class ShownOption:
    """A point of the answer scale as a screen shows it; `label` is a Shown."""

    id: int
    key: str
    label: Shown

    def __str__(self) -> str:
        return self.label.text


# Published versions never change: the languages they have are kept per process.
_published_languages: dict[tuple, list[str]] = {}


def version_languages(version: QuestionSetVersion) -> list[str]:
    """The languages `version`'s texts can be shown in: its own, then every language it has
    begun a translation into, in LANGUAGES order."""
    key = (version.pk, version.published_at)
    cached = _published_languages.get(key)
    if cached is not None:
        return cached
    found: set[str] = set(version.translations or {})
    for model in (Section, AnswerOption):
        for translations in model.objects.filter(version=version).values_list(
            "translations", flat=True
        ):
            found.update(translations or {})
    for translations in version.questions.values_list("translations", flat=True):
        found.update(translations or {})
    languages = [version.language] + [
        code for code in LANGUAGES if code in found and code != version.language
    ]
    if version.is_published:
        _published_languages[key] = languages
    return languages


def statement_language(version: QuestionSetVersion, *wanted: str | None) -> str:
    """The first of `wanted` (a choice, then the person's language, ...) that `version` has,
    else the version's own language."""
    languages = version_languages(version)
    for code in wanted:
        code = supported(code)
        if code in languages:
            return code
    return version.language


def keep_language(request, assessment, language: str | None) -> None:
    """Remember `language` for `assessment`'s statements in the session, if its version has it."""
    code = supported(language)
    if code and code in version_languages(assessment.version):
        request.session[SESSION_KEY.format(code=assessment.code)] = code


def chosen_language(request, assessment) -> str:
    """The statement language of a screen of `assessment`: `?lang=` when the version has it
    (kept in the session for the assessment), else the one kept earlier, else the person's
    interface language, else the set's own."""
    if request.GET.get("lang"):
        keep_language(request, assessment, request.GET["lang"])
    kept = request.session.get(SESSION_KEY.format(code=assessment.code))
    return statement_language(assessment.version, kept, request.LANGUAGE_CODE)


def is_language(code: str) -> bool:
    """Whether Yardstick speaks `code` (exactly one of settings.LANGUAGES)."""
    return code in dict(settings.LANGUAGES)


def _shown(item: object, field: str, language: str, source: str, page: str) -> Shown:
    t = translated(item, language, field, source=source)
    return Shown(
        text=t.text,
        language=t.language,
        is_fallback=t.is_fallback,
        lang="" if t.language == page else t.language,
    )


def page_language() -> str:
    """The language the page around the statements speaks (the active one)."""
    return supported(translation.get_language()) or supported(settings.LANGUAGE_CODE) or "en"


def mark_statements(
    answers: Iterable[Answer],
    language: str,
    version: QuestionSetVersion,
    *,
    sections: Iterable[Section] = (),
) -> None:
    """Give each answer's question `shown` ({field: Shown} for its text, subsection and
    guidance) and its section, like `sections`, `shown_title`."""
    source, page = version.language, page_language()
    for answer in answers:
        mark_question(answer.question, language, source, page)
        mark_section(answer.question.section, language, source, page)
    for section in sections:
        mark_section(section, language, source, page)


def mark_question(question, language: str, source: str, page: str | None = None) -> None:
    page = page or page_language()
    question.shown = {f: _shown(question, f, language, source, page) for f in QUESTION_TEXTS}


def mark_section(section: Section, language: str, source: str, page: str | None = None) -> None:
    section.shown_title = _shown(section, "title", language, source, page or page_language())


def shown_options(
    options: Iterable[AnswerOption], language: str, version: QuestionSetVersion
) -> list[ShownOption]:
    """The answer scale in `language` (the options themselves are shared: never changed)."""
    source, page = version.language, page_language()
    return [
        ShownOption(id=o.id, key=o.key, label=_shown(o, "label", language, source, page))
        for o in options
    ]


def shown_language(question, language: str, source: str) -> str:
    """The language `question`'s statement is actually shown in when `language` is asked for:
    the set's own where the translation is missing. What an answer records."""
    return translated(question, language, "text", source=source).language
