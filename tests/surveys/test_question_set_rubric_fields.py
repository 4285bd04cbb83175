"""A question set's metadata (source, licence, edition) and its level boundary rule (a band
starts at or above its minimum, or just above it): YAML and Excel both ways, stored with the
version, compared by "What changed" and used by the scoring engine."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from scoring import engine
from scoring.selectors.scores import version_spec
from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.question_set_diff import diff

RUBRIC = """\
key: tiny-rubric
name: A tiny rubric
aggregation: min_section
level_boundary: above
metadata:
  source: https://example.org/our-own-rubric
  licence: CC BY 4.0
  edition: 2026 edition
scale:
  - key: "yes"
    label: "Yes"
    score: 1
  - key: "no"
    label: "No"
    score: 0
levels:
  - name: Starting
    min: 0
  - name: Growing
    min: 50
sections:
  - key: basics
    title: Basics
    questions:
      - key: basics-one
        text: The first statement holds.
      - key: basics-two
        text: The second statement holds.
"""


def test_the_fields_are_read_from_yaml():
    spec = fmt.parse(RUBRIC)
    assert spec.level_boundary == "above"
    assert (spec.source, spec.licence, spec.edition) == (
        "https://example.org/our-own-rubric",
        "CC BY 4.0",
        "2026 edition",
    )


def test_yaml_and_excel_give_back_the_same_text():
    spec = fmt.parse(RUBRIC)
    assert fmt.parse(fmt.to_yaml(spec)) == spec
    back = qx.read_bytes(qx.write_workbook(spec)).spec
    assert fmt.to_yaml(back) == fmt.to_yaml(spec)


def test_a_set_without_them_keeps_its_exact_canonical_text():
    spec = replace(fmt.parse(RUBRIC), level_boundary="at_or_above", source="", licence="")
    spec = replace(spec, edition="")
    text = fmt.to_yaml(spec)
    assert "level_boundary" not in text and "metadata" not in text
    assert qx.read_bytes(qx.write_workbook(spec)).spec == spec


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("level_boundary: above", "level_boundary: below"),
            "line 4, question set: level_boundary 'below' is not one of at_or_above, above",
        ),
        (
            ("  edition: 2026 edition", "  version: 3"),
            "line 8, metadata: unknown field 'version' (allowed: edition, licence, source)",
        ),
        (
            ("  licence: CC BY 4.0", "  licence: " + "L" * 201),
            "line 7, metadata: 'licence' is 201 characters long; at most 200 are kept",
        ),
    ],
)
def test_bad_values_are_refused_with_their_line(change, message):
    with pytest.raises(fmt.QuestionSetError) as caught:
        fmt.parse(RUBRIC.replace(*change))
    assert message in str(caught.value)


@pytest.mark.django_db
class TestStored:
    @pytest.fixture
    def rubric(self, version):
        loaded, _ = services.question_set_import(spec=fmt.parse(RUBRIC), publish=True)
        return loaded

    def test_the_version_keeps_them_and_gives_them_back(self, rubric):
        assert rubric.level_boundary == "above"
        assert rubric.licence == "CC BY 4.0"
        assert selectors.version_as_spec(rubric) == fmt.parse(RUBRIC)

    def test_the_version_page_shows_them(self, client, viewer, rubric):
        client.force_login(viewer)
        page = client.get(reverse("version_detail", args=[rubric.code])).text
        assert "CC BY 4.0" in page and "2026 edition" in page
        assert 'href="https://example.org/our-own-rubric"' in page
        assert "<strong>Growing</strong> above 50%" in page

    def test_a_figure_exactly_on_a_boundary_stays_below_it_with_above(self, rubric):
        half = [
            engine.AnswerInput(question="basics-one", option="yes"),
            engine.AnswerInput(question="basics-two", option="no"),
        ]
        spec = version_spec(rubric)
        assert engine.score(replace(spec, aggregation="weighted_mean"), half, "batch").level == (
            "Starting"
        )
        at_or_above = replace(spec, aggregation="weighted_mean", level_boundary="at_or_above")
        assert engine.score(at_or_above, half, "batch").level == "Growing"

    def test_what_changed_names_the_rule_and_the_metadata(self, client, group_admin, rubric):
        before = fmt.parse(RUBRIC)
        after = replace(before, level_boundary="at_or_above", licence="CC BY-SA 4.0")
        changes = diff(before, after)
        assert not changes.is_empty
        assert changes.level_boundary_changed
        assert changes.metadata_changes == [("licence", "CC BY 4.0", "CC BY-SA 4.0")]
        draft = services.version_draft_upload(
            question_set=rubric.question_set, user=group_admin, text=fmt.to_yaml(after)
        )
        client.force_login(group_admin)
        page = client.get(reverse("version_diff", args=[draft.code])).text
        assert "<del>CC BY 4.0</del> → <ins>CC BY-SA 4.0</ins>" in page
        assert "<del>above its minimum</del> → <ins>at or above its minimum</ins>" in page


class TestTheEngine:
    BANDS = (engine.BandSpec("Starting", 0), engine.BandSpec("Growing", Decimal("14.2857")))

    @pytest.mark.parametrize(
        ("percent", "rule", "level"),
        [
            (0, engine.ABOVE, "Starting"),
            (14.2857, engine.ABOVE, "Starting"),
            (14.28571, engine.ABOVE, "Growing"),
            (14.2857, engine.AT_OR_ABOVE, "Growing"),
            (14.28569, engine.AT_OR_ABOVE, "Starting"),
        ],
    )
    def test_the_boundary_rule_at_exact_precision(self, percent, rule, level):
        bands = [engine.BandSpec(b.name, float(b.min_percent)) for b in self.BANDS]
        assert engine.level_for(percent, bands, rule) == level

    def test_an_unknown_rule_is_refused(self):
        with pytest.raises(ValueError, match="level boundary"):
            engine.VersionSpec(sections=(), questions=(), options={}, level_boundary="below")


NO_NA = RUBRIC.replace(
    "level_boundary: above\n", "level_boundary: above\nna_allowed: false\n"
).replace(
    "        text: The second statement holds.\n",
    "        text: The second statement holds.\n        na_allowed: true\n",
)


class TestNaAllowed:
    def test_the_set_and_a_question_say_it_and_it_round_trips(self):
        spec = fmt.parse(NO_NA)
        assert spec.na_allowed is False
        assert [q.na_allowed for q in spec.questions] == [False, True]
        text = fmt.to_yaml(spec)
        assert text.count("na_allowed") == 2  # the set's, and the one question that differs
        assert fmt.parse(text) == spec
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert back == spec

    def test_a_bad_flag_in_the_workbook_names_its_cell(self):
        import io

        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(qx.write_workbook(fmt.parse(NO_NA))))
        workbook["Questions"]["J2"] = "perhaps"
        out = io.BytesIO()
        workbook.save(out)
        with pytest.raises(fmt.QuestionSetError) as caught:
            qx.read_bytes(out.getvalue())
        assert "Questions, row 2, na_allowed: 'na_allowed' must be yes or no, not 'perhaps'" in (
            str(caught.value)
        )


@pytest.mark.django_db
class TestNaAllowedInUse:
    @pytest.fixture
    def strict(self, version, group_admin):
        loaded, _ = services.question_set_import(spec=fmt.parse(NO_NA), publish=True)
        services.question_set_activate(
            question_set=loaded.question_set, user=group_admin, active=True
        )
        return loaded

    def test_n_a_is_refused_where_the_set_does_not_take_it(self, strict, lead, project):
        from surveys.models import AssessmentMode
        from surveys.services.answers import AnswerInput, BadAnswer, answer_save

        assessment = services.assessment_start(
            project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=strict
        )
        with pytest.raises(BadAnswer, match="N/A is not an answer to this statement"):
            answer_save(
                assessment=assessment,
                question_key="basics-one",
                user=lead,
                base_revision=0,
                data=AnswerInput(is_na=True, na_reason="Not ours"),
                via="interview",
            )
        saved = answer_save(
            assessment=assessment,
            question_key="basics-two",
            user=lead,
            base_revision=0,
            data=AnswerInput(is_na=True, na_reason="Not ours"),
            via="interview",
        )
        assert saved.is_na

    def test_the_form_offers_no_n_a_where_it_is_not_allowed(self, client, strict, lead, project):
        from surveys.models import AssessmentMode

        assessment = services.assessment_start(
            project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=strict
        )
        client.force_login(lead)
        page = client.get(reverse("assessment_fill", args=[assessment.code])).text
        one = page[page.index('id="q-basics-one"') : page.index('id="q-basics-two"')]
        two = page[page.index('id="q-basics-two"') :]
        assert 'value="na"' not in one
        assert 'value="na"' in two

    def test_what_changed_names_a_statement_that_no_longer_takes_n_a(self):
        before = fmt.parse(RUBRIC)
        changes = diff(before, fmt.parse(NO_NA))
        [change] = changes.changed
        assert change.key == "basics-one"
        assert change.kinds == ("N/A allowed changed",)


WITH_SUBSECTIONS = RUBRIC.replace(
    "        text: The first statement holds.\n",
    "        text: The first statement holds.\n        subsection: Before training\n",
).replace(
    "        text: The second statement holds.\n",
    "        text: The second statement holds.\n        subsection: After training\n",
)


class TestSubsections:
    def test_they_round_trip_through_yaml_and_excel(self):
        spec = fmt.parse(WITH_SUBSECTIONS)
        assert [q.subsection for q in spec.questions] == ["Before training", "After training"]
        assert fmt.parse(fmt.to_yaml(spec)) == spec
        assert qx.read_bytes(qx.write_workbook(spec)).spec == spec

    def test_a_heading_too_long_is_refused_with_its_line(self):
        with pytest.raises(fmt.QuestionSetError) as caught:
            fmt.parse(WITH_SUBSECTIONS.replace("Before training", "B" * 201))
        assert "'subsection' is 201 characters long; at most 200 are kept" in str(caught.value)

    def test_what_changed_names_a_moved_heading(self):
        before = fmt.parse(WITH_SUBSECTIONS)
        after = fmt.parse(WITH_SUBSECTIONS.replace("After training", "Before training"))
        [change] = diff(before, after).changed
        assert change.kinds == ("subsection changed",)


@pytest.mark.django_db
def test_the_headings_are_shown_and_kept_by_a_draft_edit(client, version, group_admin, viewer):
    from surveys.services.versions import QuestionEdit

    loaded, _ = services.question_set_import(spec=fmt.parse(WITH_SUBSECTIONS), publish=True)
    client.force_login(viewer)
    page = client.get(reverse("version_detail", args=[loaded.code])).text
    assert '<li class="subsection"><h3>Before training</h3></li>' in page
    draft = services.version_draft_copy(version=loaded, user=group_admin)
    services.draft_question_update(
        version=draft,
        user=group_admin,
        key="basics-one",
        edit=QuestionEdit(text="The first statement holds, reworded.", section="basics"),
    )
    [first, _] = selectors.version_as_spec(draft).questions
    assert (first.subsection, first.text) == (
        "Before training",
        "The first statement holds, reworded.",
    )
