"""Question-set translations stored with a version: drafts, files, the pages, and figures
that do not depend on the language (issue 19, part 2). The pure parts are in
test_question_set_translations.py."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from scoring import engine
from scoring.models import Score
from scoring.selectors import version_spec
from scoring.services import assessment_scored
from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.models import AssessmentStatus, QuestionSetVersion
from surveys.question_set_format import LevelSpec
from surveys.services.versions import version_draft_file_upload
from tests import factories
from tests.surveys.test_question_set_translations import translate_all

pytestmark = pytest.mark.django_db


def spec_of(version: QuestionSetVersion) -> fmt.QuestionSetSpec:
    return selectors.version_as_spec(QuestionSetVersion.objects.get(pk=version.pk))


@pytest.fixture
def translated_spec() -> fmt.QuestionSetSpec:
    """The default set under its own key, every text translated into Dutch."""
    return translate_all(replace(factories.default_spec(), key="mlops-i18n"), ("nl",))


@pytest.fixture
def translated(translated_spec) -> QuestionSetVersion:
    version, _ = services.question_set_import(spec=translated_spec, publish=True)
    return version


def test_the_settings_offer_the_formats_languages():
    assert tuple(code for code, _ in settings.LANGUAGES) == fmt.LANGUAGES
    assert dict(settings.LANGUAGES) == fmt.LANGUAGE_NAMES


class TestStored:
    def test_a_version_keeps_every_translation(self, translated, translated_spec):
        spec = spec_of(translated)
        assert spec == translated_spec
        assert translated.source == fmt.to_yaml(translated_spec)
        question = translated.questions.get(key=translated_spec.questions[0].key)
        assert question.translations["nl"]["text"].startswith("[nl] ")

    def test_a_new_draft_copies_the_translations(self, translated, group_admin):
        draft = services.version_draft_copy(version=translated, user=group_admin)
        assert spec_of(draft) == spec_of(translated)

    def test_editing_a_question_in_the_form_keeps_its_translations(self, translated, group_admin):
        draft = services.version_draft_copy(version=translated, user=group_admin)
        question = draft.questions.select_related("section").first()
        before = question.translations
        services.draft_question_update(
            version=draft,
            user=group_admin,
            key=question.key,
            edit=services.QuestionEdit(
                text="Reworded in English.", section=question.section.key, why=question.why
            ),
        )
        assert draft.questions.get(key=question.key).translations == before

    def test_editing_the_levels_keeps_the_translations_of_levels_kept(
        self, translated, group_admin
    ):
        draft = services.version_draft_copy(version=translated, user=group_admin)
        levels = list(draft.levels.all())
        services.draft_scoring_update(
            version=draft,
            user=group_admin,
            aggregation="weighted_mean",
            levels=[
                LevelSpec(name=levels[0].name, min_percent=Decimal(0)),
                LevelSpec(name="Brand new", min_percent=Decimal(50)),
            ],
        )
        kept, new = draft.levels.all()
        assert kept.translations == levels[0].translations
        assert new.translations == {}

    def test_a_translation_only_draft_can_be_published(self, translated, group_admin):
        draft = services.version_draft_upload(
            question_set=translated.question_set,
            user=group_admin,
            text=fmt.to_yaml(translate_all(spec_of(translated), ("nl", "fr"))),
        )
        published = services.draft_publish(version=draft, user=group_admin)
        assert published.is_published
        assert spec_of(published).translated_languages == ["nl", "fr"]

    def test_an_excel_upload_brings_its_translations(self, translated, group_admin):
        content = qx.write_workbook(translate_all(spec_of(translated), ("nl", "de")))
        made = version_draft_file_upload(
            question_set=translated.question_set,
            user=group_admin,
            filename="set.xlsx",
            data=content,
        )
        assert spec_of(made.version).translated_languages == ["nl", "de"]


class TestExports:
    def test_the_yaml_download_reads_back_as_the_same_version(
        self, client, translated, translated_spec, viewer
    ):
        client.force_login(viewer)
        response = client.get(reverse("version_yaml", args=[translated.code]))
        assert response.status_code == 200
        assert fmt.parse(response.content.decode("utf-8")) == translated_spec

    def test_the_excel_download_reads_back_as_the_same_version(
        self, client, translated, translated_spec, viewer
    ):
        client.force_login(viewer)
        response = client.get(reverse("version_xlsx", args=[translated.code]))
        assert response.status_code == 200
        assert qx.read_bytes(response.content).spec == translated_spec


class TestPages:
    def test_the_version_page_shows_how_complete_each_language_is(self, client, translated, viewer):
        client.force_login(viewer)
        text = client.get(reverse("version_detail", args=[translated.code])).content.decode()
        count = translated.questions.count()
        assert "Written in English." in text
        assert (
            '<strong>Dutch</strong> <code>nl</code> <span class="tag">complete</span>: '
            f"{count} of {count} statements, guidance {count} of {count}," in text
        )
        assert "Not translated yet: French, German, Greek, Romanian, Czech." in text

    def test_an_untranslated_set_says_so(self, client, version, viewer):
        client.force_login(viewer)
        text = client.get(reverse("version_detail", args=[version.code])).content.decode()
        assert "Not translated yet: Dutch, French, German, Greek, Romanian, Czech." in text

    def _draft_missing_one(self, translated, group_admin) -> QuestionSetVersion:
        spec = spec_of(translated)
        first = spec.sections[0]
        question = replace(first.questions[0], translations={})
        sections = (replace(first, questions=(question, *first.questions[1:])), *spec.sections[1:])
        return services.version_draft_upload(
            question_set=translated.question_set,
            user=group_admin,
            text=fmt.to_yaml(replace(spec, sections=sections)),
        )

    def test_the_preview_warns_about_missing_translations(self, client, translated, group_admin):
        draft = self._draft_missing_one(translated, group_admin)
        client.force_login(group_admin)
        response = client.get(reverse("draft_preview", args=[draft.code]))
        text = response.content.decode()
        count = draft.questions.count()
        assert "Translations not complete" in text
        assert f"statements {count - 1} of {count}" in text
        key = spec_of(draft).questions[0].key
        assert f"<code>{key}</code>" in text
        # The diff says what changed in Dutch.
        assert "<strong>Dutch</strong>: 0 added, 0 changed, 1 removed" in text

    def test_publishing_warns_but_publishes(self, client, translated, group_admin):
        draft = self._draft_missing_one(translated, group_admin)
        client.force_login(group_admin)
        response = client.post(reverse("draft_publish", args=[draft.code]))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.is_published
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert said[-1] == (
            "Not every text is translated; those without a translation show in the set's "
            "own language: Dutch, 2 texts."
        )

    def test_a_complete_draft_has_no_warning(self, client, translated, group_admin):
        draft = services.version_draft_upload(
            question_set=translated.question_set,
            user=group_admin,
            text=fmt.to_yaml(translate_all(spec_of(translated), ("nl",))).replace("[nl] ", "[NL] "),
        )
        client.force_login(group_admin)
        text = client.get(reverse("draft_preview", args=[draft.code])).content.decode()
        assert "Translations not complete" not in text
        assert "<strong>Dutch</strong>: 0 added," in text


class TestFiguresDoNotDependOnTheLanguage:
    def test_the_engine_never_sees_a_text(self):
        fields = set(engine.QuestionSpec.__dataclass_fields__)
        assert fields == {"key", "section", "weight", "core", "applies_to", "na_allowed"}

    def test_the_same_answers_score_the_same_with_and_without_translations(
        self, project, translated, translated_spec
    ):
        plain, _ = services.question_set_import(
            spec=replace(translate_all(translated_spec, ()), key="mlops-plain", name="Plain"),
            publish=True,
        )
        assert version_spec(plain) == version_spec(translated)
        keys = [q.key for q in translated_spec.questions]
        choices = ["yes", "partly", "no", "na"]
        answers = {key: choices[i % len(choices)] for i, key in enumerate(keys)}
        scores = []
        for day, version in ((1, plain), (2, translated)):
            assessment = factories.assessment(
                project,
                version,
                status=AssessmentStatus.VALIDATED,
                answers=answers,
                assessed_on=dt.date(2026, 11, day),
            )
            assessment_scored(assessment=assessment)
            score = Score.objects.get(assessment=assessment)
            scores.append(
                (
                    score.overall,
                    score.level,
                    score.all_core_met,
                    score.answered,
                    score.applicable,
                    [(s.section.key, s.value) for s in score.sections.select_related("section")],
                )
            )
        assert scores[0] == scores[1]
        assert scores[0][0] is not None
