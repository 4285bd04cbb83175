"""The question-set file format (YAML): parsing, validation and writing.

Pure Python apart from Django's gettext (the problems are shown to the person who loaded
the file, in their language): it turns text into a `QuestionSetSpec` or raises
`QuestionSetError` listing every problem with the line it is on. The services
module writes a valid spec to the database. docs/question-sets.md describes
the format for people. Field names (YAML keys) stay as they are in every language.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
AGGREGATIONS = ("weighted_mean", "min_section")
# Where a level band starts: at its minimum (at_or_above, the default), or just above it, for
# rubrics whose bands are written (a, b]. The first band starts at 0 either way.
LEVEL_BOUNDARIES = ("at_or_above", "above")
# How one assessment's figures are shown: percentages only (the default), or points as well
# ("2.5 of 7"), for rubrics that count points per test.
DISPLAYS = ("percent", "points")
APPLIES_TO = ("all", "batch", "realtime")
MAX_WEIGHT = Decimal(5)
# The languages a set's texts may be written in (config/settings.py LANGUAGES names them; a
# test keeps both lists equal). A set is written in its `language` (English unless the file
# says otherwise) and may carry translations of its texts into the others.
LANGUAGES = ("en", "nl", "fr", "de", "el", "ro", "cs")
LANGUAGE_NAMES = {
    "en": gettext_lazy("English"),
    "nl": gettext_lazy("Dutch"),
    "fr": gettext_lazy("French"),
    "de": gettext_lazy("German"),
    "el": gettext_lazy("Greek"),
    "ro": gettext_lazy("Romanian"),
    "cs": gettext_lazy("Czech"),
}
SOURCE_LANGUAGE = "en"
# Excel keeps at most this many characters in a cell: a longer text would be cut in the
# workbook download, so the format refuses it in every file.
EXCEL_CELL_CHARS = 32_767


@dataclass(frozen=True)
class Limits:
    """How much each field may hold: the sizes of the columns that store it and Excel's cell.

    The format is pure Python, so the sizes are written out here;
    `surveys.models.question_set_limits()` reads them off the model fields and a test
    (tests/surveys/test_question_set_limits.py) fails when the two disagree. A value that
    does not fit is refused with its line (or cell), never cut or rounded on the way in.
    """

    key: int = 60  # set, section and question keys
    option_key: int = 30
    option_label: int = 60
    level_name: int = 60
    section_title: int = 200
    subsection: int = 200
    set_name: int = 200
    licence: int = 200
    edition: int = 100
    text: int = EXCEL_CELL_CHARS  # every other text: statements, guidance, descriptions
    score_places: int = 3
    weight_places: int = 2
    min_places: int = 4


LIMITS = Limits()

TOP_KEYS = {
    "key",
    "name",
    "description",
    "aggregation",
    "level_boundary",
    "display",
    "na_allowed",
    "metadata",
    "scale",
    "levels",
    "sections",
    "language",
    "translations",
}
METADATA_KEYS = {"source", "licence", "edition"}
OPTION_KEYS = {"key", "label", "score", "translations"}
LEVEL_KEYS = {"name", "min", "description", "translations"}
SECTION_KEYS = {"key", "title", "core", "description", "questions", "translations"}
QUESTION_KEYS = {
    "key",
    "text",
    "subsection",
    "weight",
    "core",
    "applies_to",
    "na_allowed",
    "guidance",
    "translations",
}
GUIDANCE_KEYS = {"why", "good", "evidence"}
GUIDANCE_FIELDS = ("why", "good", "evidence")

# What a translation may say for each kind of block, in the order files write them. Keys,
# weights, scores and flags are never translated: figures do not depend on the language.
# A question's guidance parts are nested under `guidance` in a file, flat in a spec.
SET_TEXTS = ("name", "description")
SECTION_TEXTS = ("title", "description")
QUESTION_TEXTS = ("text", "subsection", *GUIDANCE_FIELDS)
OPTION_TEXTS = ("label",)
LEVEL_TEXTS = ("name", "description")

# {language: {field: text}}; only languages and fields that have a text are kept.
# Compared (a changed translation is a changed spec) but left out of the hash: a dict has none.
Translations = dict[str, dict[str, str]]


@dataclass(frozen=True)
class OptionSpec:
    key: str
    label: str
    score: Decimal
    translations: Translations = field(default_factory=dict, hash=False)


def exact_text(value: Decimal) -> str:
    """A stored number exactly as written, without trailing zeros: 14.2857, 30, 0.0001."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class LevelSpec:
    name: str
    min_percent: Decimal
    description: str = ""
    translations: Translations = field(default_factory=dict, hash=False)

    @property
    def min_text(self) -> str:
        return exact_text(self.min_percent)


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    text: str
    weight: Decimal = Decimal(1)
    core: bool = False
    applies_to: str = "all"
    why: str = ""
    good: str = ""
    evidence: str = ""
    # False: N/A is not an answer to this statement (a rubric that must score every test).
    na_allowed: bool = True
    # An optional heading inside the section: neighbouring questions with the same one are
    # shown under it.
    subsection: str = ""
    translations: Translations = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    core: bool = False
    description: str = ""
    questions: tuple[QuestionSpec, ...] = ()
    translations: Translations = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class QuestionSetSpec:
    key: str
    name: str
    description: str
    aggregation: str
    scale: tuple[OptionSpec, ...]
    levels: tuple[LevelSpec, ...]
    sections: tuple[SectionSpec, ...]
    level_boundary: str = "at_or_above"
    display: str = "percent"
    # The default of the questions' na_allowed (each question may say otherwise).
    na_allowed: bool = True
    # Where the set comes from, under which licence, which edition: shown with the set.
    source: str = ""
    licence: str = ""
    edition: str = ""
    # The language the texts above are written in; `translations` (here: of the name and
    # description) and those of every section, question, option and level are into others.
    language: str = SOURCE_LANGUAGE
    translations: Translations = field(default_factory=dict, hash=False)

    @property
    def questions(self) -> list[QuestionSpec]:
        return [q for s in self.sections for q in s.questions]

    @property
    def translated_languages(self) -> list[str]:
        """The languages any text of the set is translated into, in LANGUAGES order."""
        found = set(self.translations)
        for section in self.sections:
            found.update(section.translations)
            for question in section.questions:
                found.update(question.translations)
        for item in (*self.scale, *self.levels):
            found.update(item.translations)
        return [code for code in LANGUAGES if code in found]


@dataclass(frozen=True)
class Problem:
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        values = {"line": self.line, "where": self.where, "message": self.message}
        if self.line:
            if self.where:
                return _("line %(line)s, %(where)s: %(message)s") % values
            return _("line %(line)s: %(message)s") % values
        if self.where:
            return _("file, %(where)s: %(message)s") % values
        return _("file: %(message)s") % values


@dataclass
class QuestionSetError(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class _LineDict(dict):
    """A mapping that remembers the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict


class _LineMappings:
    """Records line numbers and rejects duplicate keys (mixed into the safe loaders below)."""

    def construct_mapping(self, node, deep=False):
        result = _LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    _("the key %(key)s must be text") % {"key": repr(key)},
                    key_node.start_mark,
                )
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    _("the key '%(key)s' appears twice in the same block (first on line %(line)s)")
                    % {"key": key, "line": result.key_lines[key]},
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=deep)
            result.key_lines[key] = line
        return result


class _Loader(_LineMappings, yaml.SafeLoader):
    """Safe YAML loader in pure Python: its error messages name what is wrong and where."""


# libyaml's parser (when PyYAML was built with it) reads a file several times faster; the
# scalars are resolved and built by the same Python code, so a file it reads gives the same
# data. Its error messages are terser, so a file it refuses is read again by `_Loader`.
_FastLoader = type(
    "_FastLoader", (_LineMappings, getattr(yaml, "CSafeLoader", yaml.SafeLoader)), {}
)

# libyaml's emitter writes the same text as PyYAML's pure-Python one, about eight times faster
# (a tenth of a second for the main set with its translations, on every draft edit), except
# for characters beyond U+FFFF (emoji, say), which it escapes: `to_yaml` then writes the text
# again in Python. tests/surveys/test_question_set_format.py compares the two.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

for _loader in (_Loader, _FastLoader):
    _loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineMappings.construct_mapping
    )


# A question set nests six blocks deep (set > sections > section > questions > question >
# guidance); anything far deeper is not one, and PyYAML builds nesting recursively.
MAX_DEPTH = 10


def _shape_problem(text: str) -> Problem | None:
    """Refuse what YAML allows but a question set never needs, before building anything.

    Anchors and aliases can multiply a small file into a huge structure ("billion
    laughs"); deep nesting exhausts PyYAML's recursive builder. The event stream is
    read without building any of it; syntax errors are left to `parse`, which names
    their line.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FastLoader):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return Problem(
                    line,
                    "",
                    _(
                        "YAML anchors and aliases (&name, *name) are not accepted in a "
                        "question-set file; write each value out"
                    ),
                )
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return Problem(
                        line, "", _("blocks are nested far deeper than a question set's")
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


_MISSING = object()


def parse(text: str) -> QuestionSetSpec:
    """Parse and validate question-set YAML; raises QuestionSetError with every problem found.

    Whatever the text, the only exception is QuestionSetError: anchors, aliases and
    deep nesting are refused before anything is built, and the few conversions PyYAML
    lets escape as plain errors (an integer of thousands of digits, for one) become a
    problem too.
    """
    problem = _shape_problem(text)
    if problem is not None:
        raise QuestionSetError([problem])
    try:
        data = yaml.load(text, Loader=_FastLoader)
    except yaml.YAMLError:
        data = _MISSING  # read again below, for the pure-Python reader's message
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        raise QuestionSetError([_unreadable(exc)]) from None
    if data is not _MISSING:
        return validate(data)
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise QuestionSetError([_invalid(line, problem)]) from None
    except yaml.YAMLError as exc:
        raise QuestionSetError([_invalid(None, exc)]) from None
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
        raise QuestionSetError([_unreadable(exc)]) from None
    return validate(data)


def _unreadable(exc: Exception) -> Problem:
    return Problem(None, "", _("not readable as YAML: %(error)s") % {"error": exc})


def _invalid(line: int | None, problem: object) -> Problem:
    """PyYAML's own description of a syntax error stays in English: it comes from the library."""
    return Problem(line, "", _("not valid YAML: %(problem)s") % {"problem": problem})


def validate(data: object) -> QuestionSetSpec:
    checker = _Checker()
    spec = checker.question_set(data)
    if checker.problems or spec is None:
        raise QuestionSetError(checker.problems)
    return spec


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.language = SOURCE_LANGUAGE

    def add(self, mapping: object, key: str | None, where: str, message: str) -> None:
        line = None
        if isinstance(mapping, _LineDict):
            line = mapping.key_lines.get(key, mapping.line) if key else mapping.line
        self.problems.append(Problem(line, where, message))

    def mapping(self, value: object, allowed: set[str], where: str, parent=None, key=None) -> bool:
        if not isinstance(value, dict):
            self.add(parent, key, where, _not_a_block(value))
            return False
        for unknown in sorted(set(value) - allowed):
            values = {"field": unknown, "allowed": ", ".join(sorted(allowed))}
            if unknown == "questions" and "sections" in allowed:
                message = _(
                    "unknown field '%(field)s' (allowed: %(allowed)s); every question must be "
                    "listed inside a section"
                )
            else:
                message = _("unknown field '%(field)s' (allowed: %(allowed)s)")
            self.add(value, unknown, where, message % values)
        return True

    def text(self, mapping, key, where, *, required=True, default="", limit=None) -> str:
        if key not in mapping:
            if required:
                self.add(mapping, None, where, _missing(key))
            return default
        value = mapping[key]
        if isinstance(value, bool):
            self.add(
                mapping,
                key,
                where,
                _("'%(field)s' must be text; put quotes around it, e.g. \"yes\"") % {"field": key},
            )
            return default
        if isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            self.add(
                mapping,
                key,
                where,
                _("'%(field)s' must be text, not %(kind)s") % {"field": key, "kind": _kind(value)},
            )
            return default
        value = value.strip()
        if required and not value:
            self.add(mapping, key, where, _("'%(field)s' must not be empty") % {"field": key})
        limit = limit or LIMITS.text
        if len(value) > limit:
            values = {"field": key, "length": len(value), "limit": limit}
            if limit == EXCEL_CELL_CHARS:
                message = _(
                    "'%(field)s' is %(length)s characters long; at most %(limit)s are kept "
                    "(the most an Excel cell holds)"
                )
            else:
                message = _("'%(field)s' is %(length)s characters long; at most %(limit)s are kept")
            self.add(mapping, key, where, message % values)
            return default
        return value

    def key(self, mapping, where, *, limit=None) -> str:
        limit = limit or LIMITS.key
        value = self.text(mapping, "key", where)
        if value and (not KEY_PATTERN.match(value) or len(value) > limit):
            self.add(
                mapping,
                "key",
                where,
                _("key '%(key)s' must be lowercase letters, digits and dashes, at most %(limit)s")
                % {"key": value, "limit": limit},
            )
        return value

    def number(self, mapping, key, where, *, default=None, low, high, places, low_open=False):
        if key not in mapping:
            if default is None:
                self.add(mapping, None, where, _missing(key))
            return default
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.add(
                mapping,
                key,
                where,
                _("'%(field)s' must be a number, not %(kind)s")
                % {"field": key, "kind": _kind(value)},
            )
            return default
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.add(
                mapping,
                key,
                where,
                _("'%(field)s' must be a number, not '%(value)s'") % {"field": key, "value": value},
            )
            return default
        if not number.is_finite() or number < low or number > high or (low_open and number == low):
            values = {"field": key, "value": value, "low": low, "high": high}
            if low_open:
                message = _(
                    "'%(field)s' is %(value)s; it must be more than %(low)s and at most %(high)s"
                )
            else:
                message = _(
                    "'%(field)s' is %(value)s; it must be at least %(low)s and at most %(high)s"
                )
            self.add(mapping, key, where, message % values)
            return default
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.add(
                mapping,
                key,
                where,
                ngettext(
                    "'%(field)s' is %(value)s; it can have at most %(places)s decimal place "
                    "(more would be rounded when stored)",
                    "'%(field)s' is %(value)s; it can have at most %(places)s decimal places "
                    "(more would be rounded when stored)",
                    places,
                )
                % {"field": key, "value": format(number, "f"), "places": places},
            )
            return default
        return number

    def flag(self, mapping, key, where, default: bool) -> bool:
        if key not in mapping:
            return default
        value = mapping[key]
        if not isinstance(value, bool):
            self.add(
                mapping,
                key,
                where,
                _("'%(field)s' must be true or false, not '%(value)s'")
                % {"field": key, "value": value},
            )
            return default
        return value

    def items(self, mapping, key, where) -> list:
        value = mapping.get(key)
        if key not in mapping:
            self.add(mapping, None, where, _missing(key))
            return []
        if not isinstance(value, list) or not value:
            self.add(
                mapping, key, where, _("'%(field)s' must be a non-empty list") % {"field": key}
            )
            return []
        return value

    def question_set(self, data) -> QuestionSetSpec | None:
        top = _("question set")
        if not self.mapping(data, TOP_KEYS, top):
            return None
        key = self.key(data, top)
        name = self.text(data, "name", top, limit=LIMITS.set_name)
        description = self.text(data, "description", top, required=False)
        aggregation = self.text(data, "aggregation", top, required=False, default="weighted_mean")
        if aggregation not in AGGREGATIONS:
            self.add(
                data, "aggregation", top, _not_one_of("aggregation", aggregation, AGGREGATIONS)
            )
        boundary = self.text(
            data, "level_boundary", top, required=False, default=LEVEL_BOUNDARIES[0]
        )
        if boundary not in LEVEL_BOUNDARIES:
            self.add(
                data,
                "level_boundary",
                top,
                _not_one_of("level_boundary", boundary, LEVEL_BOUNDARIES),
            )
        display = self.text(data, "display", top, required=False, default=DISPLAYS[0])
        if display not in DISPLAYS:
            self.add(data, "display", top, _not_one_of("display", display, DISPLAYS))
        metadata = {"source": "", "licence": "", "edition": ""}
        if "metadata" in data:
            raw = data["metadata"]
            if self.mapping(raw, METADATA_KEYS, "metadata", data, "metadata"):
                metadata["source"] = self.text(raw, "source", "metadata", required=False)
                for part in ("licence", "edition"):
                    metadata[part] = self.text(
                        raw, part, "metadata", required=False, limit=getattr(LIMITS, part)
                    )
        na_allowed = self.flag(data, "na_allowed", top, True)
        language = self.text(data, "language", top, required=False, default=SOURCE_LANGUAGE)
        if language not in LANGUAGES:
            self.add(data, "language", top, _not_one_of("language", language, LANGUAGES))
            language = SOURCE_LANGUAGE
        self.language = language
        translations = self.translations(data, top, SET_TEXTS, {"name": LIMITS.set_name})
        scale = self.scale(data)
        levels = self.levels(data)
        sections = self.sections(data, na_allowed)
        return QuestionSetSpec(
            key=key,
            name=name,
            description=description,
            aggregation=aggregation,
            scale=tuple(scale),
            levels=tuple(levels),
            sections=tuple(sections),
            level_boundary=boundary,
            display=display,
            na_allowed=na_allowed,
            **metadata,
            language=language,
            translations=translations,
        )

    def scale(self, data) -> list[OptionSpec]:
        options: list[OptionSpec] = []
        entries = self.items(data, "scale", "scale")
        for index, entry in enumerate(entries, start=1):
            where = _("scale option %(number)s") % {"number": index}
            if not self.mapping(entry, OPTION_KEYS, where, data, "scale"):
                continue
            key = self.key(entry, where, limit=LIMITS.option_key)
            label = self.text(entry, "label", where, limit=LIMITS.option_label)
            value = self.number(entry, "score", where, low=0, high=1, places=LIMITS.score_places)
            where = _("scale option '%(key)s'") % {"key": key} if key else where
            translations = self.translations(
                entry, where, OPTION_TEXTS, {"label": LIMITS.option_label}
            )
            if key and any(o.key == key for o in options):
                self.add(
                    entry, "key", where, _("option key '%(key)s' is used twice") % {"key": key}
                )
            elif key and value is not None:
                options.append(
                    OptionSpec(key=key, label=label, score=value, translations=translations)
                )
        if entries and len(entries) < 2:
            self.add(data, "scale", "scale", _("the scale needs at least two options"))
        return options

    def levels(self, data) -> list[LevelSpec]:
        levels: list[LevelSpec] = []
        for index, entry in enumerate(self.items(data, "levels", "levels"), start=1):
            where = _("level %(number)s") % {"number": index}
            if not self.mapping(entry, LEVEL_KEYS, where, data, "levels"):
                continue
            name = self.text(entry, "name", where, limit=LIMITS.level_name)
            minimum = self.number(entry, "min", where, low=0, high=100, places=LIMITS.min_places)
            description = self.text(entry, "description", where, required=False)
            translations = self.translations(
                entry,
                _("level '%(name)s'") % {"name": name} if name else where,
                LEVEL_TEXTS,
                {"name": LIMITS.level_name},
            )
            if minimum is None:
                continue
            if not levels and minimum != 0:
                self.add(entry, "min", where, _("the first level must start at min: 0"))
            if levels and minimum <= levels[-1].min_percent:
                self.add(entry, "min", where, _("levels must be listed with rising 'min' values"))
            if any(level.name == name for level in levels):
                self.add(
                    entry, "name", where, _("level name '%(name)s' is used twice") % {"name": name}
                )
            levels.append(
                LevelSpec(
                    name=name,
                    min_percent=minimum,
                    description=description,
                    translations=translations,
                )
            )
        return levels

    def sections(self, data, na_allowed: bool = True) -> list[SectionSpec]:
        sections: list[SectionSpec] = []
        seen_questions: dict[str, str] = {}
        for index, entry in enumerate(self.items(data, "sections", "sections"), start=1):
            where = _named(entry, _section, _("section %(number)s") % {"number": index})
            if not self.mapping(entry, SECTION_KEYS, where, data, "sections"):
                continue
            key = self.key(entry, where)
            where = _section(key) if key else where
            if key and any(s.key == key for s in sections):
                self.add(
                    entry, "key", where, _("section key '%(key)s' is used twice") % {"key": key}
                )
            title = self.text(entry, "title", where, limit=LIMITS.section_title)
            core = self.flag(entry, "core", where, False)
            description = self.text(entry, "description", where, required=False)
            translations = self.translations(
                entry, where, SECTION_TEXTS, {"title": LIMITS.section_title}
            )
            questions = []
            for q_index, q_entry in enumerate(self.items(entry, "questions", where), start=1):
                question = self.question(
                    q_entry,
                    _("%(where)s, question %(number)s") % {"where": where, "number": q_index},
                    core,
                    entry,
                    na_allowed,
                )
                if question is None:
                    continue
                if question.key in seen_questions:
                    self.add(
                        q_entry,
                        "key",
                        _question(question.key),
                        _("question key '%(key)s' is used twice (also in section '%(section)s')")
                        % {"key": question.key, "section": seen_questions[question.key]},
                    )
                    continue
                seen_questions[question.key] = key
                questions.append(question)
            sections.append(
                SectionSpec(
                    key=key,
                    title=title,
                    core=core,
                    description=description,
                    questions=tuple(questions),
                    translations=translations,
                )
            )
        return sections

    def question(
        self, entry, where, section_core: bool, parent, na_allowed: bool = True
    ) -> QuestionSpec | None:
        where = _named(entry, _question, where)
        if not self.mapping(entry, QUESTION_KEYS, where, parent, "questions"):
            return None
        key = self.key(entry, where)
        where = _question(key) if key else where
        text = self.text(entry, "text", where)
        subsection = self.text(entry, "subsection", where, required=False, limit=LIMITS.subsection)
        weight = self.number(
            entry,
            "weight",
            where,
            default=Decimal(1),
            low=0,
            high=MAX_WEIGHT,
            places=LIMITS.weight_places,
            low_open=True,
        )
        core = self.flag(entry, "core", where, section_core)
        na = self.flag(entry, "na_allowed", where, na_allowed)
        applies_to = self.text(entry, "applies_to", where, required=False, default="all")
        if applies_to not in APPLIES_TO:
            self.add(entry, "applies_to", where, _not_one_of("applies_to", applies_to, APPLIES_TO))
        guidance = {"why": "", "good": "", "evidence": ""}
        if "guidance" in entry:
            raw = entry["guidance"]
            if self.mapping(raw, GUIDANCE_KEYS, f"{where}, guidance", entry, "guidance"):
                for part in GUIDANCE_KEYS:
                    guidance[part] = self.text(raw, part, f"{where}, guidance", required=False)
        translations = self.translations(
            entry, where, QUESTION_TEXTS, {"subsection": LIMITS.subsection}
        )
        if not key or not text or weight is None:
            return None
        return QuestionSpec(
            key=key,
            text=text,
            weight=weight,
            core=core,
            applies_to=applies_to,
            na_allowed=na,
            subsection=subsection,
            **guidance,
            translations=translations,
        )

    def translations(
        self, entry, where: str, fields: tuple[str, ...], limits: dict[str, int]
    ) -> Translations:
        """A block's `translations`: {language: {field: text}}, every code and field checked.

        A question's guidance parts come nested under `guidance`, as in the question itself.
        """
        if "translations" not in entry:
            return {}
        raw = entry["translations"]
        where = f"{where}, translations"
        if not isinstance(raw, dict):
            self.add(entry, "translations", where, _not_a_block(raw))
            return {}
        for unknown in sorted(set(raw) - set(LANGUAGES)):
            self.add(
                raw,
                unknown,
                where,
                _("unknown language '%(code)s' (Yardstick has: %(codes)s)")
                % {"code": unknown, "codes": ", ".join(LANGUAGES)},
            )
        nested = set(GUIDANCE_FIELDS) & set(fields)
        allowed = {f for f in fields if f not in nested} | ({"guidance"} if nested else set())
        result: Translations = {}
        for language in LANGUAGES:
            if language not in raw:
                continue
            here = f"{where}, {language}"
            if language == self.language:
                self.add(
                    raw,
                    language,
                    where,
                    _(
                        "'%(code)s' is the set's own language (language: %(language)s); "
                        "its texts are the fields themselves"
                    )
                    % {"code": language, "language": self.language},
                )
                continue
            block = raw[language]
            if not self.mapping(block, allowed, here, raw, language):
                continue
            texts = {}
            for name in fields:
                if name in nested:
                    continue
                value = self.text(block, name, here, required=False, limit=limits.get(name))
                if value:
                    texts[name] = value
            if nested and "guidance" in block:
                guidance = block["guidance"]
                if self.mapping(guidance, nested, f"{here}, guidance", block, "guidance"):
                    for name in GUIDANCE_FIELDS:
                        value = self.text(guidance, name, f"{here}, guidance", required=False)
                        if value:
                            texts[name] = value
            if texts:
                result[language] = texts
        return result


def _section(key: str) -> str:
    return _("section '%(key)s'") % {"key": key}


def _question(key: str) -> str:
    return _("question '%(key)s'") % {"key": key}


def _named(entry: object, name: Callable[[str], str], fallback: str) -> str:
    """How to refer to a block in messages: by its key when it has a usable one."""
    key = entry.get("key") if isinstance(entry, dict) else None
    return name(key) if isinstance(key, str) and key else fallback


def _missing(field: str) -> str:
    return _("'%(field)s' is missing") % {"field": field}


def _not_a_block(value: object) -> str:
    return _("must be a block of fields, not %(kind)s") % {"kind": _kind(value)}


def _not_one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    """`field` is a YAML key and `allowed` its values: both are written as in the file."""
    return _("%(field)s '%(value)s' is not one of %(allowed)s") % {
        "field": field,
        "value": value,
        "allowed": ", ".join(allowed),
    }


def _kind(value: object) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a block of fields")
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("a number")
    return f"'{value}'"


def to_yaml(spec: QuestionSetSpec) -> str:
    """The canonical YAML text of `spec`; `parse(to_yaml(spec)) == spec`."""

    def number(value: Decimal) -> int | float:
        return int(value) if value == value.to_integral_value() else float(value)

    def translated(out: dict, translations: Translations, fields: tuple[str, ...]) -> dict:
        """`out` with its `translations` block, languages and fields in canonical order."""
        written = {}
        for language in LANGUAGES:
            texts = translations.get(language) or {}
            block = {f: texts[f] for f in fields if f not in GUIDANCE_FIELDS and texts.get(f)}
            guidance = {f: texts[f] for f in GUIDANCE_FIELDS if f in fields and texts.get(f)}
            if guidance:
                block["guidance"] = guidance
            if block:
                written[language] = block
        if written:
            out["translations"] = written
        return out

    def question(q: QuestionSpec) -> dict:
        out = {"key": q.key, "text": q.text}
        if q.subsection:
            out["subsection"] = q.subsection
        out |= {
            "weight": number(q.weight),
            "core": q.core,
            "applies_to": q.applies_to,
        }
        if q.na_allowed != spec.na_allowed:  # only where it differs from the set's
            out["na_allowed"] = q.na_allowed
        out["guidance"] = {"why": q.why, "good": q.good, "evidence": q.evidence}
        return translated(out, q.translations, QUESTION_TEXTS)

    data = {
        "key": spec.key,
        "name": spec.name,
        "description": spec.description,
        "aggregation": spec.aggregation,
    }
    # Written only when set, so that files without them keep their exact canonical text.
    if spec.level_boundary != LEVEL_BOUNDARIES[0]:
        data["level_boundary"] = spec.level_boundary
    if spec.display != DISPLAYS[0]:
        data["display"] = spec.display
    if not spec.na_allowed:
        data["na_allowed"] = False
    metadata = {"source": spec.source, "licence": spec.licence, "edition": spec.edition}
    if any(metadata.values()):
        data["metadata"] = {k: v for k, v in metadata.items() if v}
    if spec.language != SOURCE_LANGUAGE:
        data["language"] = spec.language
    translated(data, spec.translations, SET_TEXTS)
    data |= {
        "scale": [
            translated(
                {"key": o.key, "label": o.label, "score": number(o.score)},
                o.translations,
                OPTION_TEXTS,
            )
            for o in spec.scale
        ],
        "levels": [
            translated(
                {"name": lv.name, "min": number(lv.min_percent), "description": lv.description},
                lv.translations,
                LEVEL_TEXTS,
            )
            for lv in spec.levels
        ],
        "sections": [
            translated(
                {"key": s.key, "title": s.title, "core": s.core, "description": s.description},
                s.translations,
                SECTION_TEXTS,
            )
            | {"questions": [question(q) for q in s.questions]}
            for s in spec.sections
        ],
    }
    options = {"sort_keys": False, "allow_unicode": True, "width": 100}
    text = yaml.dump(data, Dumper=_Dumper, **options)
    if "\\U" in text:  # libyaml escapes characters beyond U+FFFF, where PyYAML writes them
        text = yaml.dump(data, Dumper=yaml.SafeDumper, **options)
    return text
