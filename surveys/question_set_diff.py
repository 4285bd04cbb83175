"""What changed between two versions of a question set.

Pure Python apart from Django's gettext (the words describing a change are read by
people): it compares two `QuestionSetSpec`s. Questions and sections are matched by
their stable `key`, so a question that kept its key is the same statement however
much its text, weight or place changed.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from surveys.question_set_format import (
    LANGUAGE_NAMES,
    LANGUAGES,
    LevelSpec,
    OptionSpec,
    QuestionSetSpec,
    QuestionSpec,
    SectionSpec,
)


def same_wording(old: str, new: str) -> bool:
    """Whether two question texts say the same thing; re-wrapping a line is no rewording."""
    return " ".join(old.split()) == " ".join(new.split())


@dataclass(frozen=True)
class PlacedQuestion:
    """A question with the section it sits in."""

    question: QuestionSpec
    section: SectionSpec

    @property
    def key(self) -> str:
        return self.question.key


@dataclass(frozen=True)
class QuestionChange:
    """A question present in both versions (same key) that changed."""

    old: PlacedQuestion
    new: PlacedQuestion

    @property
    def key(self) -> str:
        return self.new.key

    @property
    def reworded(self) -> bool:
        return not same_wording(self.old.question.text, self.new.question.text)

    @property
    def reweighted(self) -> bool:
        return self.old.question.weight != self.new.question.weight

    @property
    def moved(self) -> bool:
        return self.old.section.key != self.new.section.key

    @property
    def core_changed(self) -> bool:
        return self.old.question.core != self.new.question.core

    @property
    def applies_to_changed(self) -> bool:
        return self.old.question.applies_to != self.new.question.applies_to

    @property
    def subsection_changed(self) -> bool:
        return self.old.question.subsection != self.new.question.subsection

    @property
    def na_allowed_changed(self) -> bool:
        return self.old.question.na_allowed != self.new.question.na_allowed

    @property
    def guidance_changed(self) -> bool:
        old, new = self.old.question, self.new.question
        return (old.why, old.good, old.evidence) != (new.why, new.good, new.evidence)

    @property
    def kinds(self) -> tuple[str, ...]:
        """What changed, in words (in the language active when asked), in a fixed order."""
        flags = (
            (self.reworded, _("reworded")),
            (self.reweighted, _("re-weighted")),
            (self.moved, _("moved")),
            (self.core_changed, _("core changed")),
            (self.applies_to_changed, _("applies to changed")),
            (self.na_allowed_changed, _("N/A allowed changed")),
            (self.subsection_changed, _("subsection changed")),
            (self.guidance_changed, _("guidance changed")),
        )
        return tuple(label for flag, label in flags if flag)


@dataclass(frozen=True)
class SectionRename:
    key: str
    old_title: str
    new_title: str


@dataclass(frozen=True)
class OptionChange:
    """An answer option added (old None), removed (new None), relabelled or re-scored."""

    key: str
    old: OptionSpec | None
    new: OptionSpec | None


@dataclass(frozen=True)
class TranslationChange:
    """One block's texts in one language added, changed or removed (never a figure change)."""

    language: str
    place: str  # "question 'doc-purpose'", "section 'docs'", "scale option 'yes'", ... (in words)
    change: str  # "added", "changed" or "removed" (a code: the page says it in words)


@dataclass(frozen=True)
class LanguageChanges:
    """A language's translation changes, counted for the summary and listed for the detail."""

    language: str
    changes: tuple[TranslationChange, ...]

    @property
    def name(self) -> str:
        return str(LANGUAGE_NAMES.get(self.language, self.language))

    def _count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.change == kind)

    @property
    def added(self) -> int:
        return self._count("added")

    @property
    def changed(self) -> int:
        return self._count("changed")

    @property
    def removed(self) -> int:
        return self._count("removed")


@dataclass(frozen=True)
class VersionDiff:
    added: tuple[PlacedQuestion, ...]
    removed: tuple[PlacedQuestion, ...]
    changed: tuple[QuestionChange, ...]
    unchanged: int
    sections_added: tuple[SectionSpec, ...]
    sections_removed: tuple[SectionSpec, ...]
    sections_renamed: tuple[SectionRename, ...]
    scale: tuple[OptionChange, ...]
    old_levels: tuple[LevelSpec, ...]
    new_levels: tuple[LevelSpec, ...]
    old_aggregation: str
    new_aggregation: str
    old_level_boundary: str = "at_or_above"
    new_level_boundary: str = "at_or_above"
    old_display: str = "percent"
    new_display: str = "percent"
    # (source, licence, edition)
    old_metadata: tuple[str, str, str] = ("", "", "")
    new_metadata: tuple[str, str, str] = ("", "", "")
    old_language: str = "en"
    new_language: str = "en"
    # Texts in other languages, of blocks present in both versions (a new block brings its own).
    translations: tuple[TranslationChange, ...] = ()

    @property
    def reworded(self) -> list[QuestionChange]:
        return [c for c in self.changed if c.reworded]

    @property
    def reweighted(self) -> list[QuestionChange]:
        return [c for c in self.changed if c.reweighted]

    @property
    def moved(self) -> list[QuestionChange]:
        return [c for c in self.changed if c.moved]

    @property
    def core_changed(self) -> list[QuestionChange]:
        return [c for c in self.changed if c.core_changed]

    @property
    def applies_to_changed(self) -> list[QuestionChange]:
        return [c for c in self.changed if c.applies_to_changed]

    @property
    def guidance_changed(self) -> list[QuestionChange]:
        return [c for c in self.changed if c.guidance_changed]

    @property
    def levels_changed(self) -> bool:
        # Translated names and descriptions are listed with the translations, not here.
        return _untranslated(self.old_levels) != _untranslated(self.new_levels)

    @property
    def language_changed(self) -> bool:
        return self.old_language != self.new_language

    @property
    def language_names(self) -> tuple[str, str]:
        """(old, new) names of the language the texts are written in."""
        return (
            str(LANGUAGE_NAMES.get(self.old_language, self.old_language)),
            str(LANGUAGE_NAMES.get(self.new_language, self.new_language)),
        )

    @property
    def translations_by_language(self) -> list[LanguageChanges]:
        return [
            LanguageChanges(code, tuple(c for c in self.translations if c.language == code))
            for code in LANGUAGES
            if any(c.language == code for c in self.translations)
        ]

    @property
    def aggregation_changed(self) -> bool:
        return self.old_aggregation != self.new_aggregation

    @property
    def level_boundary_changed(self) -> bool:
        return self.old_level_boundary != self.new_level_boundary

    @property
    def display_changed(self) -> bool:
        return self.old_display != self.new_display

    @property
    def metadata_changes(self) -> list[tuple[str, str, str]]:
        """(field, old, new) for each of source, licence and edition that changed."""
        return [
            (name, old, new)
            for name, old, new in zip(
                ("source", "licence", "edition"), self.old_metadata, self.new_metadata, strict=True
            )
            if old != new
        ]

    @property
    def is_empty(self) -> bool:
        return not (
            self.level_boundary_changed
            or self.display_changed
            or self.metadata_changes
            or self.added
            or self.removed
            or self.changed
            or self.sections_added
            or self.sections_removed
            or self.sections_renamed
            or self.scale
            or self.levels_changed
            or self.aggregation_changed
            or self.language_changed
            or self.translations
        )


def _untranslated(items: tuple) -> tuple:
    return tuple(replace(item, translations={}) for item in items)


def _translation_changes(pairs: list[tuple[str, dict, dict]]) -> tuple[TranslationChange, ...]:
    """(place, old translations, new translations) -> what changed, language by language."""
    changes = []
    for code in LANGUAGES:
        for place, old, new in pairs:
            before, after = old.get(code), new.get(code)
            if before == after:
                continue
            change = "added" if not before else "removed" if not after else "changed"
            changes.append(TranslationChange(language=code, place=place, change=change))
    return tuple(changes)


def _placed(spec: QuestionSetSpec) -> dict[str, PlacedQuestion]:
    return {q.key: PlacedQuestion(q, s) for s in spec.sections for q in s.questions}


def diff(old: QuestionSetSpec, new: QuestionSetSpec) -> VersionDiff:
    """What `new` changes compared with `old`; lists follow the order of the version they are in."""
    old_questions, new_questions = _placed(old), _placed(new)
    added = tuple(p for key, p in new_questions.items() if key not in old_questions)
    removed = tuple(p for key, p in old_questions.items() if key not in new_questions)
    changed = []
    unchanged = 0
    for key, placed in new_questions.items():
        before = old_questions.get(key)
        if before is None:
            continue
        change = QuestionChange(old=before, new=placed)
        if change.kinds:
            changed.append(change)
        else:
            unchanged += 1

    old_sections = {s.key: s for s in old.sections}
    new_sections = {s.key: s for s in new.sections}
    renamed = tuple(
        SectionRename(key=key, old_title=old_sections[key].title, new_title=s.title)
        for key, s in new_sections.items()
        if key in old_sections and old_sections[key].title != s.title
    )

    old_options = {o.key: o for o in old.scale}
    new_options = {o.key: o for o in new.scale}
    scale = [
        OptionChange(key=o.key, old=old_options.get(o.key), new=o)
        for o in new.scale
        if o.key not in old_options or _untranslated((old_options[o.key],)) != _untranslated((o,))
    ]
    scale += [
        OptionChange(key=o.key, old=o, new=None) for o in old.scale if o.key not in new_options
    ]

    old_levels = {lv.name: lv for lv in old.levels}
    pairs = [(_("the set's name and description"), old.translations, new.translations)]
    pairs += [
        (_("section '%(key)s'") % {"key": key}, old_sections[key].translations, s.translations)
        for key, s in new_sections.items()
        if key in old_sections
    ]
    pairs += [
        (
            _("question '%(key)s'") % {"key": key},
            old_questions[key].question.translations,
            p.question.translations,
        )
        for key, p in new_questions.items()
        if key in old_questions
    ]
    pairs += [
        (
            _("scale option '%(key)s'") % {"key": o.key},
            old_options[o.key].translations,
            o.translations,
        )
        for o in new.scale
        if o.key in old_options
    ]
    pairs += [
        (
            _("level '%(name)s'") % {"name": lv.name},
            old_levels[lv.name].translations,
            lv.translations,
        )
        for lv in new.levels
        if lv.name in old_levels
    ]

    return VersionDiff(
        added=added,
        removed=removed,
        changed=tuple(changed),
        unchanged=unchanged,
        sections_added=tuple(s for key, s in new_sections.items() if key not in old_sections),
        sections_removed=tuple(s for key, s in old_sections.items() if key not in new_sections),
        sections_renamed=renamed,
        scale=tuple(scale),
        old_levels=old.levels,
        new_levels=new.levels,
        old_aggregation=old.aggregation,
        new_aggregation=new.aggregation,
        old_level_boundary=old.level_boundary,
        new_level_boundary=new.level_boundary,
        old_display=old.display,
        new_display=new.display,
        old_metadata=(old.source, old.licence, old.edition),
        new_metadata=(new.source, new.licence, new.edition),
        old_language=old.language,
        new_language=new.language,
        translations=_translation_changes(pairs),
    )
