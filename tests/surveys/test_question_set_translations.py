"""Question-set translations in the file format, the workbook, the diff, and the selector that
gives a text in a language with its fallback (issue 19, part 2).

Pure: no database. The stored versions, the pages and the figures are in
test_question_set_translations_db.py.
"""

import io
from dataclasses import replace

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys import question_set_translations as qst
from surveys.management.commands.import_question_set import SHIPPED_SETS
from surveys.question_set_diff import diff
from tests.depth import cases
from tests.surveys.test_question_set_format import question_set_specs

SMALL = """\
key: small
name: Small set
description: A set to translate.
translations:
  nl: {name: Kleine set, description: Een set om te vertalen.}
scale:
  - key: "yes"
    label: "Yes"
    score: 1
    translations: {nl: {label: Ja}, fr: {label: Oui}}
  - key: "no"
    label: "No"
    score: 0
levels:
  - name: Low
    min: 0
    description: Little is in place.
    translations: {nl: {name: Laag, description: Er is weinig geregeld.}}
  - name: High
    min: 50
sections:
  - key: docs
    title: Documentation
    description: What is written down.
    translations:
      nl: {title: Documentatie, description: Wat is opgeschreven.}
    questions:
      - key: doc-purpose
        text: The business problem is written down.
        subsection: Purpose
        guidance: {why: So that people agree., good: A page., evidence: The page.}
        translations:
          nl:
            text: Het zakelijke probleem is opgeschreven.
            subsection: Doel
            guidance: {why: Zodat men het eens is., good: Een pagina., evidence: De pagina.}
          fr: {text: Le problème métier est écrit.}
      - key: doc-owner
        text: The model has an owner.
"""


def parsed(text: str) -> fmt.QuestionSetSpec:
    return fmt.parse(text)


def problems(text: str) -> list[str]:
    with pytest.raises(fmt.QuestionSetError) as caught:
        fmt.parse(text)
    return [str(p) for p in caught.value.problems]


def translate_all(spec: fmt.QuestionSetSpec, languages=("nl", "fr")) -> fmt.QuestionSetSpec:
    """`spec` with a made-up translation of every text into `languages`."""

    def texts(item, fields) -> dict:
        out = {}
        for code in languages:
            block = {f: f"[{code}] {getattr(item, f)}" for f in fields if getattr(item, f)}
            if block:
                out[code] = block
        return out

    return replace(
        spec,
        translations=texts(spec, fmt.SET_TEXTS),
        scale=tuple(replace(o, translations=texts(o, fmt.OPTION_TEXTS)) for o in spec.scale),
        levels=tuple(replace(lv, translations=texts(lv, fmt.LEVEL_TEXTS)) for lv in spec.levels),
        sections=tuple(
            replace(
                s,
                translations=texts(s, fmt.SECTION_TEXTS),
                questions=tuple(
                    replace(q, translations=texts(q, fmt.QUESTION_TEXTS)) for q in s.questions
                ),
            )
            for s in spec.sections
        ),
    )


def untranslated(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
    return translate_all(spec, ())


def shipped() -> list:
    return [pytest.param(path, id=path.name) for path in SHIPPED_SETS]


class TestTheFileFormat:
    def test_translations_are_read_into_every_block(self):
        spec = parsed(SMALL)
        assert spec.language == "en"
        assert spec.translations == {
            "nl": {"name": "Kleine set", "description": "Een set om te vertalen."}
        }
        assert spec.scale[0].translations == {"nl": {"label": "Ja"}, "fr": {"label": "Oui"}}
        assert spec.levels[0].translations["nl"]["name"] == "Laag"
        assert spec.sections[0].translations["nl"]["title"] == "Documentatie"
        question = spec.sections[0].questions[0]
        assert question.translations["nl"] == {
            "text": "Het zakelijke probleem is opgeschreven.",
            "subsection": "Doel",
            "why": "Zodat men het eens is.",
            "good": "Een pagina.",
            "evidence": "De pagina.",
        }
        assert question.translations["fr"] == {"text": "Le problème métier est écrit."}
        assert spec.translated_languages == ["nl", "fr"]

    def test_import_export_import_gives_the_same_text_and_spec(self):
        spec = parsed(SMALL)
        text = fmt.to_yaml(spec)
        assert parsed(text) == spec
        assert fmt.to_yaml(parsed(text)) == text
        # The nested shape is written back as the docs show it.
        assert "      nl:\n        text: Het zakelijke probleem is opgeschreven." in text
        assert "        guidance:\n          why: Zodat men het eens is." in text

    def test_a_set_without_translations_is_written_as_before(self):
        text = fmt.to_yaml(untranslated(parsed(SMALL)))
        assert "translations" not in text and "language" not in text

    def test_a_file_may_be_written_in_another_language(self):
        spec = untranslated(parsed(SMALL))
        yes = replace(spec.scale[0], translations={"en": {"label": "Yes!"}})
        spec = replace(spec, language="nl", scale=(yes, *spec.scale[1:]))
        text = fmt.to_yaml(spec)
        assert "\nlanguage: nl\n" in text
        assert parsed(text) == spec
        assert parsed(text).scale[0].translations == {"en": {"label": "Yes!"}}

    def test_an_unknown_language_is_refused_with_its_place(self):
        text = SMALL.replace("fr: {text: Le", "xx: {text: Le")
        assert problems(text) == [
            "line 37, question 'doc-purpose', translations: unknown language 'xx' "
            "(Yardstick has: en, nl, fr, de, el, ro, cs)"
        ]

    def test_an_unknown_source_language_is_refused(self):
        assert problems(SMALL.replace("key: small\n", "key: small\nlanguage: klingon\n")) == [
            "line 2, question set: language 'klingon' is not one of en, nl, fr, de, el, ro, cs"
        ]

    def test_an_unknown_field_is_refused_with_its_place(self):
        text = SMALL.replace("{nl: {label: Ja}", "{nl: {label: Ja, score: 1}")
        assert problems(text) == [
            "line 10, scale option 'yes', translations, nl: unknown field 'score' (allowed: label)"
        ]

    def test_keys_and_weights_cannot_be_translated(self):
        text = SMALL.replace("fr: {text: Le", "fr: {weight: 2, key: x, text: Le")
        assert problems(text) == [
            "line 37, question 'doc-purpose', translations, fr: unknown field 'key' "
            "(allowed: guidance, subsection, text)",
            "line 37, question 'doc-purpose', translations, fr: unknown field 'weight' "
            "(allowed: guidance, subsection, text)",
        ]

    def test_an_unknown_guidance_part_is_refused(self):
        text = SMALL.replace("evidence: De pagina.}", "proof: De pagina.}")
        assert problems(text) == [
            "line 36, question 'doc-purpose', translations, nl, guidance: unknown field "
            "'proof' (allowed: evidence, good, why)"
        ]

    def test_the_sets_own_language_is_not_a_translation(self):
        text = SMALL.replace("fr: {text: Le", "en: {text: Le")
        assert problems(text) == [
            "line 37, question 'doc-purpose', translations: 'en' is the set's own language "
            "(language: en); its texts are the fields themselves"
        ]

    def test_a_translated_label_keeps_the_labels_limit(self):
        text = SMALL.replace("{label: Oui}", "{label: " + "o" * 61 + "}")
        assert problems(text) == [
            "line 10, scale option 'yes', translations, fr: 'label' is 61 characters long; "
            "at most 60 are kept"
        ]

    def test_translations_must_be_a_block(self):
        text = SMALL.replace(
            "translations: {nl: {label: Ja}, fr: {label: Oui}}", "translations: Ja"
        )
        assert problems(text) == [
            "line 10, scale option 'yes', translations: must be a block of fields, not 'Ja'"
        ]

    @pytest.mark.parametrize("path", shipped())
    def test_every_shipped_set_round_trips_with_translations(self, path):
        spec = translate_all(fmt.parse(path.read_text(encoding="utf-8")), fmt.LANGUAGES[1:])
        text = fmt.to_yaml(spec)
        assert parsed(text) == spec
        assert fmt.to_yaml(parsed(text)) == text

    @settings(max_examples=cases(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(question_set_specs(), st.lists(st.sampled_from(fmt.LANGUAGES[1:]), unique=True))
    def test_any_translated_spec_survives_yaml_and_excel(self, spec, languages):
        spec = translate_all(spec, languages)
        assert parsed(fmt.to_yaml(spec)) == spec
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert back == spec
        assert fmt.to_yaml(back) == fmt.to_yaml(spec)


def workbook_of(spec: fmt.QuestionSetSpec):
    return openpyxl.load_workbook(io.BytesIO(qx.write_workbook(spec)))


def headers(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_problems(data: bytes) -> list[str]:
    with pytest.raises(fmt.QuestionSetError) as caught:
        qx.read_bytes(data)
    return [f"{p.where}: {p.message}" for p in caught.value.problems]


class TestTheWorkbook:
    def test_each_language_has_its_columns_on_each_sheet(self):
        book = workbook_of(parsed(SMALL))
        assert headers(book["Questions"])[11:] == [
            "text (nl)",
            "subsection (nl)",
            "why (nl)",
            "good (nl)",
            "evidence (nl)",
            "text (fr)",
            "subsection (fr)",
            "why (fr)",
            "good (fr)",
            "evidence (fr)",
        ]
        assert headers(book["Sections"])[5:] == [
            "title (nl)",
            "description (nl)",
            "title (fr)",
            "description (fr)",
        ]
        assert headers(book["Scale"])[3:] == ["label (nl)", "label (fr)"]
        assert headers(book["Levels"])[3:] == [
            "name (nl)",
            "description (nl)",
            "name (fr)",
            "description (fr)",
        ]
        about = {r[0].value: r[1].value for r in book["About"].iter_rows(max_col=2) if r[0].value}
        assert about["Language"] == "en"
        assert about["Name (nl)"] == "Kleine set"
        questions = book["Questions"]
        assert questions["L2"].value == "Het zakelijke probleem is opgeschreven."
        assert questions["Q2"].value == "Le problème métier est écrit."
        assert questions["L3"].value is None  # doc-owner: not yet translated

    def test_a_set_without_translations_has_no_language_columns(self):
        book = workbook_of(untranslated(parsed(SMALL)))
        assert len(headers(book["Questions"])) == len(qx.QUESTION_COLUMNS)
        assert all(r[0].value != "Language" for r in book["About"].iter_rows(max_col=1))

    @pytest.mark.parametrize("path", shipped())
    def test_every_shipped_set_round_trips_through_excel_with_translations(self, path):
        spec = translate_all(fmt.parse(path.read_text(encoding="utf-8")), fmt.LANGUAGES[1:])
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert back == spec
        assert fmt.to_yaml(back) == fmt.to_yaml(spec)

    def test_a_language_added_by_hand_is_read(self):
        book = workbook_of(parsed(SMALL))
        sheet = book["Questions"]
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column, value="Text (DE)")
        sheet.cell(row=3, column=column, value="Das Modell hat einen Eigentümer.")
        spec = qx.read_bytes(saved(book)).spec
        assert spec.sections[0].questions[1].translations == {
            "de": {"text": "Das Modell hat einen Eigentümer."}
        }

    def test_an_unknown_language_column_is_named(self):
        book = workbook_of(parsed(SMALL))
        sheet = book["Scale"]
        sheet.cell(row=1, column=sheet.max_column + 1, value="label (xx)")
        assert read_problems(saved(book)) == [
            "Scale, row 1, column F: unknown column 'label (xx)' (allowed: key, label, score; "
            "per language label (nl) and so on, with a language code from "
            "en, nl, fr, de, el, ro, cs)"
        ]

    def test_a_translation_too_long_is_named_by_sheet_row_and_column(self):
        book = workbook_of(parsed(SMALL))
        book["Scale"]["E2"] = "o" * 61
        assert read_problems(saved(book)) == [
            "Scale, row 2, label (fr): 'label' is 61 characters long; at most 60 are kept"
        ]

    def test_the_sets_own_language_as_a_column_is_refused(self):
        book = workbook_of(parsed(SMALL))
        sheet = book["Sections"]
        sheet.cell(row=1, column=sheet.max_column + 1, value="title (en)")
        sheet.cell(row=2, column=sheet.max_column, value="Docs")
        assert read_problems(saved(book)) == [
            "Sections, row 2, title (en): 'en' is the set's own language (language: en); "
            "its texts are the fields themselves"
        ]


class TestTheSelector:
    spec = parsed(SMALL)
    question = spec.sections[0].questions[0]
    untranslated = spec.sections[0].questions[1]

    def test_a_translated_text_comes_in_its_language(self):
        assert qst.translated(self.question, "nl") == qst.Translated(
            "Het zakelijke probleem is opgeschreven.", "nl", is_fallback=False
        )

    def test_a_missing_text_falls_back_to_the_source_and_says_so(self):
        assert qst.translated(self.untranslated, "nl") == qst.Translated(
            "The model has an owner.", "en", is_fallback=True
        )
        assert qst.translated(self.question, "fr", "why") == qst.Translated(
            "So that people agree.", "en", is_fallback=True
        )

    def test_the_source_language_is_never_a_fallback(self):
        assert qst.translated(self.untranslated, "en") == qst.Translated(
            "The model has an owner.", "en", is_fallback=False
        )

    def test_an_empty_source_text_needs_no_translation(self):
        assert qst.translated(self.untranslated, "nl", "why").is_fallback is False

    def test_each_kind_of_block_has_its_main_text(self):
        spec = self.spec
        assert str(qst.translated(spec.sections[0], "nl")) == "Documentatie"
        assert str(qst.translated(spec.scale[0], "fr")) == "Oui"
        assert str(qst.translated(spec.levels[0], "nl")) == "Laag"
        assert qst.translated(spec.levels[1], "nl").is_fallback

    def test_several_fields_at_once(self):
        texts = qst.translated_texts(self.question, "nl", ("text", "why"))
        assert [t.text for t in texts.values()] == [
            "Het zakelijke probleem is opgeschreven.",
            "Zodat men het eens is.",
        ]

    def test_a_set_in_another_language_falls_back_to_that_one(self):
        item = fmt.OptionSpec(key="ja", label="Ja", score=1, translations={"en": {"label": "Yes"}})
        assert qst.translated(item, "en", source="nl").text == "Yes"
        assert qst.translated(item, "fr", source="nl") == qst.Translated("Ja", "nl", True)


class TestCompleteness:
    def test_counts_per_language(self):
        by_language = {c.language: c for c in qst.completeness_by_language(parsed(SMALL))}
        assert "en" not in by_language
        dutch = by_language["nl"]
        assert (dutch.statements.done, dutch.statements.of) == (1, 2)
        assert (dutch.guidance.done, dutch.guidance.of) == (1, 1)
        assert (dutch.sections.done, dutch.sections.of) == (1, 1)
        # Yes and Low are translated; No and High are not.
        assert (dutch.labels.done, dutch.labels.of) == (2, 4)
        assert dutch.missing_statements == ("doc-owner",)
        assert dutch.started and not dutch.complete and dutch.missing == 3
        french = by_language["fr"]
        assert (french.statements.done, french.guidance.done, french.sections.done) == (1, 0, 0)
        assert not by_language["de"].started

    def test_a_fully_translated_set_is_complete(self):
        spec = translate_all(parsed(SMALL), ("de",))
        assert qst.completeness(spec, "de").complete

    def test_publishing_warns_for_languages_begun_here_or_before(self):
        spec = parsed(SMALL)
        assert [c.language for c in qst.incomplete_started(spec)] == ["nl", "fr"]
        before = translate_all(spec, ("de",))
        assert [c.language for c in qst.incomplete_started(spec, before)] == ["nl", "fr", "de"]
        done = translate_all(spec, ("nl", "fr"))
        assert qst.incomplete_started(done) == []


class TestTheDiff:
    def test_a_translation_only_change_is_listed_and_is_something_to_publish(self):
        old = parsed(SMALL)
        new = translate_all(old, ("nl",))
        changes = diff(old, new)
        assert not changes.is_empty
        assert not changes.changed and not changes.scale and not changes.levels_changed
        assert not changes.sections_renamed
        dutch = changes.translations_by_language[0]
        assert dutch.name == "Dutch"
        # Every block's Dutch texts are rewritten; doc-owner and No/High get theirs for the first time.
        assert (dutch.added, dutch.changed, dutch.removed) == (3, 5, 0)
        assert [c.place for c in dutch.changes if c.change == "added"] == [
            "question 'doc-owner'",
            "scale option 'no'",
            "level 'High'",
        ]

    def test_a_removed_translation_is_listed(self):
        old = parsed(SMALL)
        new = replace(old, scale=(replace(old.scale[0], translations={}), old.scale[1]))
        changes = diff(old, new)
        assert [(c.language, c.place, c.change) for c in changes.translations] == [
            ("nl", "scale option 'yes'", "removed"),
            ("fr", "scale option 'yes'", "removed"),
        ]

    def test_the_same_translations_are_no_change(self):
        assert diff(parsed(SMALL), parsed(SMALL)).is_empty

    def test_a_changed_source_language_is_listed(self):
        old = untranslated(parsed(SMALL))
        assert diff(old, replace(old, language="nl")).language_names == ("English", "Dutch")
