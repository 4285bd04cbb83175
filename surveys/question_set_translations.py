"""A question set's texts in a language, and how complete each language's translation is.

Pure Python, no Django: the functions take anything with the texts as attributes and a
`translations` mapping ({language: {field: text}}), so a stored Question, Section,
AnswerOption or LevelBand works as well as the format's specs. Only texts are translated;
keys, weights, scores and flags are the same in every language, so no figure depends on it.
"""

from dataclasses import dataclass

from surveys.question_set_format import (
    GUIDANCE_FIELDS,
    LANGUAGE_NAMES,
    LANGUAGES,
    SOURCE_LANGUAGE,
    QuestionSetSpec,
)

# The field that names each kind of block, tried in this order.
_MAIN_FIELDS = ("text", "title", "label", "name")


@dataclass(frozen=True)
class Translated:
    """A text in the language asked for, or in the source language if it has none yet."""

    text: str
    language: str
    # True when the text is the source language's because the asked one has none: a screen
    # marks it "not yet translated".
    is_fallback: bool

    def __str__(self) -> str:
        return self.text


def translated(
    item: object, language: str, field: str | None = None, *, source: str = SOURCE_LANGUAGE
) -> Translated:
    """`item`'s `field` (by default its main text) in `language`, falling back to `source`.

    An empty source text needs no translation, so it never counts as a fallback.
    """
    if field is None:
        field = next(f for f in _MAIN_FIELDS if hasattr(item, f))
    own = getattr(item, field, "") or ""
    if language == source or not own:
        return Translated(text=own, language=source, is_fallback=False)
    texts = (getattr(item, "translations", None) or {}).get(language) or {}
    text = texts.get(field) or ""
    if text:
        return Translated(text=text, language=language, is_fallback=False)
    return Translated(text=own, language=source, is_fallback=True)


def translated_texts(
    item: object, language: str, fields: tuple[str, ...], *, source: str = SOURCE_LANGUAGE
) -> dict[str, Translated]:
    """Several fields of `item` at once, e.g. a question's text and its guidance parts."""
    return {f: translated(item, language, f, source=source) for f in fields}


@dataclass(frozen=True)
class Count:
    done: int
    of: int

    @property
    def complete(self) -> bool:
        return self.done == self.of


@dataclass(frozen=True)
class Completeness:
    """How much of a version is translated into one language."""

    language: str
    statements: Count  # questions whose statement text is translated
    guidance: Count  # questions with guidance whose every guidance part is translated
    sections: Count  # sections whose title (and description, if any) is translated
    labels: Count  # answer options and level names (and level descriptions)
    missing_statements: tuple[str, ...] = ()  # keys of questions without a translated text

    @property
    def name(self) -> str:
        """The language's name in the language being shown (LANGUAGE_NAMES are translated)."""
        return str(LANGUAGE_NAMES.get(self.language, self.language))

    @property
    def started(self) -> bool:
        return any(c.done for c in (self.statements, self.guidance, self.sections, self.labels))

    @property
    def complete(self) -> bool:
        return all(c.complete for c in (self.statements, self.guidance, self.sections, self.labels))

    @property
    def missing(self) -> int:
        """How many texts still show in the source language."""
        return sum(
            c.of - c.done for c in (self.statements, self.guidance, self.sections, self.labels)
        )


def _has_all(item: object, language: str, fields: tuple[str, ...]) -> bool:
    texts = (getattr(item, "translations", None) or {}).get(language) or {}
    return all(texts.get(f) for f in fields if getattr(item, f, ""))


def completeness(spec: QuestionSetSpec, language: str) -> Completeness:
    """How complete `spec`'s translation into `language` is (its own language: complete)."""
    questions = spec.questions
    with_guidance = [q for q in questions if any(getattr(q, f) for f in GUIDANCE_FIELDS)]
    labelled = [*spec.scale, *spec.levels]
    if language == spec.language:
        return Completeness(
            language=language,
            statements=Count(len(questions), len(questions)),
            guidance=Count(len(with_guidance), len(with_guidance)),
            sections=Count(len(spec.sections), len(spec.sections)),
            labels=Count(len(labelled), len(labelled)),
        )
    missing = tuple(q.key for q in questions if not _has_all(q, language, ("text",)))
    return Completeness(
        language=language,
        statements=Count(len(questions) - len(missing), len(questions)),
        guidance=Count(
            sum(1 for q in with_guidance if _has_all(q, language, GUIDANCE_FIELDS)),
            len(with_guidance),
        ),
        sections=Count(
            sum(1 for s in spec.sections if _has_all(s, language, ("title", "description"))),
            len(spec.sections),
        ),
        labels=Count(
            sum(1 for o in spec.scale if _has_all(o, language, ("label",)))
            + sum(1 for lv in spec.levels if _has_all(lv, language, ("name", "description"))),
            len(labelled),
        ),
        missing_statements=missing,
    )


def completeness_by_language(spec: QuestionSetSpec) -> list[Completeness]:
    """Every language other than the set's own, in LANGUAGES order."""
    return [completeness(spec, code) for code in LANGUAGES if code != spec.language]


def incomplete_started(
    spec: QuestionSetSpec, also: QuestionSetSpec | None = None
) -> list[Completeness]:
    """Languages `spec` (or `also`, e.g. the version it replaces) has begun but `spec` does
    not complete: what publishing would leave partly in the source language."""
    begun = set(spec.translated_languages) | set(also.translated_languages if also else ())
    return [c for c in completeness_by_language(spec) if c.language in begun and not c.complete]
