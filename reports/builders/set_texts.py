"""The question set's own texts in a report's language.

Statements, section titles, answer labels, level names and the set's name travel with each
question-set version (`translations`, docs/question-sets.md). A report written in French
takes them from the French translation of the version they belong to
(`surveys.question_set_translations.translated`), and falls back to the version's own
language for a text nobody translated yet; such a text is marked "not yet translated" where
the report shows it.

The figures, the keys and the order never depend on the language. The dashboards' data
hand texts over in the versions' own language (a section's title, a gap's statement, a
figure's level name); `SetTexts` looks each one up by that text, kind by kind, among the
versions the report covers, the newest version's translation first.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from config.locale import supported
from reports.chart_data import Band
from surveys import question_set_translations as qst
from surveys.models import (
    AnswerOption,
    LevelBand,
    Question,
    QuestionSet,
    QuestionSetVersion,
    Section,
    VersionStatus,
)

# The answer words scoring writes in English for an answer that has no option
# (scoring.selectors.movement.NA_LABEL and NO_ANSWER; excel_data.NA).
_NA, _NO_ANSWER = "N/A", "no answer"


class SetText(str):
    """A text of the question set in the report's language. `is_fallback`: the language has
    no translation of it yet, so it is the source language's (`language`)."""

    is_fallback: bool = False
    language: str = ""

    @classmethod
    def of(cls, translated: qst.Translated) -> "SetText":
        text = cls(translated.text)
        text.is_fallback = translated.is_fallback
        text.language = translated.language
        return text


def report_language() -> str:
    """The language a report is being written in: the active one (a report job's, see
    reports.services.build; a download's request's)."""
    return supported(translation.get_language()) or "en"


@dataclass(frozen=True)
class TranslatedBand:
    """A level band with its name in the report's language (reports.chart_data.Band)."""

    name: str
    min_percent: float
    above: bool = False


@dataclass
class SetTexts:
    """Every text of some question-set versions in `language`, by its source text."""

    language: str
    statements: dict[str, SetText] = field(default_factory=dict)
    sections: dict[str, SetText] = field(default_factory=dict)
    labels: dict[str, SetText] = field(default_factory=dict)  # answer options
    levels: dict[str, SetText] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)  # "Set v2" in the language
    set_names: dict[str, str] = field(default_factory=dict)
    # Texts of these versions the language has no translation of (statements included).
    missing: int = 0

    # --- building -------------------------------------------------------------------

    @classmethod
    def of_versions(cls, language: str, versions: Iterable[QuestionSetVersion]) -> "SetTexts":
        """The texts of `versions` (with their question_set loaded). Four queries."""
        texts = cls(language=language)
        ordered = sorted(versions, key=lambda v: (v.question_set_id, v.number))
        ids = [v.pk for v in ordered]
        if not ids:
            return texts
        rank = {pk: i for i, pk in enumerate(ids)}
        source = {v.pk: v.language for v in ordered}

        def add(kind: dict, items, name: str) -> None:
            # Oldest version first: a newer version's translation of the same text wins.
            for item in sorted(items, key=lambda i: rank[i.version_id]):
                done = qst.translated(item, language, name, source=source[item.version_id])
                if done.is_fallback:
                    texts.missing += 1
                text = getattr(item, name)
                if text:
                    kind[text] = SetText.of(done)

        fields = ("version_id", "translations")
        add(
            texts.statements,
            Question.objects.filter(version_id__in=ids).only("text", *fields),
            "text",
        )
        add(
            texts.sections,
            Section.objects.filter(version_id__in=ids).only("title", *fields),
            "title",
        )
        add(
            texts.labels,
            AnswerOption.objects.filter(version_id__in=ids).only("label", *fields),
            "label",
        )
        add(
            texts.levels, LevelBand.objects.filter(version_id__in=ids).only("name", *fields), "name"
        )
        for version in ordered:
            name = version.question_set.name
            own = ((version.translations or {}).get(language) or {}).get("name") or ""
            if language == version.language or not own:
                own = name
            texts.set_names[name] = own
            texts.versions[f"{name} v{version.number}"] = _("%(set)s v%(number)s") % {
                "set": own,
                "number": version.number,
            }
        return texts

    @classmethod
    def of_sets(cls, language: str, question_sets: Iterable[QuestionSet]) -> "SetTexts":
        """The texts of every published version of `question_sets`."""
        versions = QuestionSetVersion.objects.filter(
            question_set__in=list(question_sets), status=VersionStatus.PUBLISHED
        ).select_related("question_set")
        return cls.of_versions(language, versions)

    @classmethod
    def of_set_code(cls, language: str, code: str | None) -> "SetTexts":
        """The texts of the set a dashboard's filters show: `code`, else the main set."""
        found = QuestionSet.objects.filter(code=code) if code else QuestionSet.objects.none()
        question_set = found.first() or QuestionSet.objects.filter(is_main=True).first()
        return cls.of_sets(language, [question_set] if question_set else [])

    # --- reading --------------------------------------------------------------------

    def statement(self, text: str) -> str:
        return self.statements.get(text, text) if text else text

    def section(self, title: str) -> str:
        return self.sections.get(title, title) if title else title

    def label(self, label: str | None) -> str | None:
        """An answer's label; the words for N/A and no answer in the report's language."""
        if label == _NA:
            return _("N/A")
        if label == _NO_ANSWER:
            return _("no answer")
        return self.labels.get(label, label) if label else label

    def level(self, name: str) -> str:
        return self.levels.get(name, name) if name else name

    def version(self, label: str) -> str:
        """A version's label ("MLOps maturity v2") with the set's name in the language."""
        return self.versions.get(label, label) if label else label

    def set_name(self, name: str) -> str:
        return self.set_names.get(name, name) if name else name

    def bands(self, bands: Iterable[Band]) -> list[TranslatedBand]:
        """Level bands with their names in the language, for the charts and their legends."""
        return [
            TranslatedBand(
                name=self.level(band.name),
                min_percent=band.min_percent,
                above=getattr(band, "above", False),
            )
            for band in bands
        ]

    @property
    def incomplete(self) -> bool:
        """Some text of the versions covered shows in its source language."""
        return self.missing > 0
