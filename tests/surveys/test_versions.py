"""Question-set versions: drafts, editing them, the diff page, the publish preview, publishing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring import engine
from scoring.selectors import version_spec
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.models import AssessmentStatus, QuestionSetVersion, VersionStatus
from surveys.question_set_format import LevelSpec
from surveys.services import QuestionEdit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(version, group_admin):
    return services.version_draft_copy(version=version, user=group_admin)


def spec_of(version: QuestionSetVersion) -> fmt.QuestionSetSpec:
    return selectors.version_as_spec(QuestionSetVersion.objects.get(pk=version.pk))


def keys_of(version: QuestionSetVersion, section: str | None = None) -> list[str]:
    spec = spec_of(version)
    return [q.key for s in spec.sections if section in (None, s.key) for q in s.questions]


def edit_of(version: QuestionSetVersion, key: str, **changes) -> QuestionEdit:
    question = version.questions.select_related("section").get(key=key)
    fields = dict(
        text=question.text,
        section=question.section.key,
        weight=question.weight,
        core=question.core,
        applies_to=question.applies_to,
        why=question.why,
        good=question.good,
        evidence=question.evidence,
    )
    return QuestionEdit(**{**fields, **changes})


def page(client, user, url: str, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def post(client, user, url: str, data=None, **kwargs):
    client.force_login(user)
    return client.post(url, data or {}, **kwargs)


class TestNewDraft:
    def test_a_copy_holds_everything_the_published_version_holds(self, version, draft):
        assert draft.status == VersionStatus.DRAFT
        assert draft.number == version.number + 1
        assert spec_of(draft) == spec_of(version)
        assert fmt.parse(draft.source) == spec_of(draft)

    def test_only_group_admins_start_drafts(self, version, lead, group_assessor):
        for user in (lead, group_assessor):
            with pytest.raises(services.NotAllowed):
                services.version_draft_copy(version=version, user=user)
        assert selectors.draft_of(version.question_set) is None

    def test_a_superuser_may_start_a_draft(self, version):
        root = factories.UserFactory(is_superuser=True)
        assert services.version_draft_copy(version=version, user=root).status == "draft"

    def test_a_set_has_at_most_one_draft(self, version, draft, group_admin):
        with pytest.raises(services.DraftExists):
            services.version_draft_copy(version=version, user=group_admin)
        with pytest.raises(services.DraftExists):
            services.version_draft_upload(
                question_set=version.question_set,
                user=group_admin,
                text=factories.default_source(),
            )

    def test_the_database_refuses_a_second_draft_too(self, version, draft):
        with pytest.raises(IntegrityError), transaction.atomic():
            QuestionSetVersion.objects.create(question_set=version.question_set, number=99)

    def test_a_draft_is_not_copied(self, draft, group_admin):
        with pytest.raises(services.SurveyError, match="starts from a published version"):
            services.version_draft_copy(version=draft, user=group_admin)

    def test_a_file_becomes_a_draft(self, version, group_admin):
        text = factories.default_source().replace(
            "The business problem the model addresses", "The problem the model solves"
        )
        assert text != factories.default_source()
        draft = services.version_draft_upload(
            question_set=version.question_set, user=group_admin, text=text
        )
        assert draft.status == "draft"
        assert [c.key for c in services_diff(version, draft).reworded] == ["doc-purpose"]

    def test_a_file_with_problems_is_refused_with_line_numbers_and_writes_nothing(
        self, version, group_admin
    ):
        text = factories.default_source().replace("weight: 2", "weight: 9", 1)
        text = text.replace("key: doc-success-metrics", "key: Doc Success", 1)
        before = QuestionSetVersion.objects.count()
        with pytest.raises(services.DraftInvalid) as caught:
            services.version_draft_upload(
                question_set=version.question_set, user=group_admin, text=text
            )
        lines = [p.line for p in caught.value.problems]
        assert len(lines) == 2 and all(lines)
        assert "'weight' is 9" in caught.value.message
        assert QuestionSetVersion.objects.count() == before

    def test_a_file_of_another_set_is_refused(self, version, group_admin):
        text = factories.default_source().replace("key: mlops-maturity", "key: other-set", 1)
        with pytest.raises(services.DraftInvalid, match="for the set 'other-set'"):
            services.version_draft_upload(
                question_set=version.question_set, user=group_admin, text=text
            )

    def test_a_file_with_a_title_too_long_for_the_database_is_refused(self, version, group_admin):
        text = factories.default_source().replace("title: Documentation", "title: " + "D" * 201, 1)
        with pytest.raises(
            services.DraftInvalid, match="201 characters long; at most 200 are kept"
        ):
            services.version_draft_upload(
                question_set=version.question_set, user=group_admin, text=text
            )

    def test_a_draft_can_be_discarded(self, version, draft, group_admin):
        services.version_draft_discard(version=draft, user=group_admin)
        assert selectors.draft_of(version.question_set) is None
        assert services.version_draft_copy(version=version, user=group_admin).number == 2


def services_diff(old, new):
    from surveys.question_set_diff import diff

    return diff(spec_of(old), spec_of(new))


# Every edit service with arguments that would be valid on a draft.
EDITS = {
    "question update": lambda v, u: services.draft_question_update(
        version=v, user=u, key="doc-purpose", edit=edit_of(v, "doc-purpose", text="Changed.")
    ),
    "question add": lambda v, u: services.draft_question_add(
        version=v, user=u, key="doc-new", edit=QuestionEdit(text="New.", section="documentation")
    ),
    "question remove": lambda v, u: services.draft_question_remove(
        version=v, user=u, key="doc-purpose"
    ),
    "question move": lambda v, u: services.draft_question_move(
        version=v, user=u, key="doc-success-metrics", direction="up"
    ),
    "section update": lambda v, u: services.draft_section_update(
        version=v, user=u, key="documentation", title="Docs"
    ),
    "section add": lambda v, u: services.draft_section_add(
        version=v, user=u, key="extra", title="Extra", question_key="x-1", question_text="X."
    ),
    "section remove": lambda v, u: services.draft_section_remove(
        version=v, user=u, key="documentation"
    ),
    "scoring update": lambda v, u: services.draft_scoring_update(
        version=v, user=u, aggregation="min_section", levels=[LevelSpec("Only", Decimal(0))]
    ),
    "publish": lambda v, u: services.draft_publish(version=v, user=u),
    "discard": lambda v, u: services.version_draft_discard(version=v, user=u),
}


class TestPublishedVersionsNeverChange:
    @pytest.mark.parametrize("name", sorted(EDITS))
    def test_every_edit_service_refuses_a_published_version(self, name, version, group_admin):
        before = spec_of(version)
        with pytest.raises(services.ImmutableVersionError):
            EDITS[name](version, group_admin)
        version.refresh_from_db()
        assert version.is_published
        assert spec_of(version) == before

    @pytest.mark.parametrize("name", sorted(EDITS))
    def test_every_edit_service_is_for_group_admins_only(self, name, draft, lead, group_assessor):
        before = spec_of(draft)
        for user in (lead, group_assessor):
            with pytest.raises(services.NotAllowed):
                EDITS[name](draft, user)
        assert spec_of(draft) == before

    @pytest.mark.parametrize("name", sorted(set(EDITS) - {"publish", "discard"}))
    def test_every_edit_service_works_on_a_draft_and_keeps_its_source_in_step(
        self, name, draft, group_admin
    ):
        before = spec_of(draft)
        EDITS[name](draft, group_admin)
        draft.refresh_from_db()
        assert spec_of(draft) != before
        assert fmt.parse(draft.source) == spec_of(draft)


class TestEditingQuestions:
    def test_a_question_s_text_guidance_weight_core_and_applies_to_change(self, draft, group_admin):
        services.draft_question_update(
            version=draft,
            user=group_admin,
            key="doc-purpose",
            edit=edit_of(
                draft,
                "doc-purpose",
                text="  The purpose is written down.  ",
                weight=Decimal("2.5"),
                core=True,
                applies_to="batch",
                why="Why.",
                good="Good.",
                evidence="Evidence.",
            ),
        )
        q = draft.questions.get(key="doc-purpose")
        assert (q.text, q.weight, q.core, q.applies_to) == (
            "The purpose is written down.",
            Decimal("2.5"),
            True,
            "batch",
        )
        assert (q.why, q.good, q.evidence) == ("Why.", "Good.", "Evidence.")
        assert keys_of(draft)[0] == "doc-purpose"

    @pytest.mark.parametrize(
        "change, message",
        [
            ({"weight": Decimal(0)}, "'weight' is 0; it must be more than 0 and at most 5"),
            ({"weight": Decimal(6)}, "'weight' is 6"),
            ({"text": "   "}, "'text' must not be empty"),
            ({"applies_to": "sometimes"}, "applies_to 'sometimes' is not one of"),
        ],
    )
    def test_an_edit_breaking_a_format_rule_is_refused_and_nothing_changes(
        self, draft, group_admin, change, message
    ):
        before = spec_of(draft)
        with pytest.raises(services.DraftInvalid) as caught:
            services.draft_question_update(
                version=draft,
                user=group_admin,
                key="doc-purpose",
                edit=edit_of(draft, "doc-purpose", **change),
            )
        assert message in caught.value.message
        assert caught.value.message.startswith("question 'doc-purpose'")
        assert spec_of(draft) == before

    def test_a_question_moved_to_another_section_goes_to_its_end(self, draft, group_admin):
        services.draft_question_update(
            version=draft,
            user=group_admin,
            key="doc-purpose",
            edit=edit_of(draft, "doc-purpose", section="traceability"),
        )
        assert keys_of(draft, "traceability")[-1] == "doc-purpose"
        assert "doc-purpose" not in keys_of(draft, "documentation")
        orders = list(draft.questions.order_by("order").values_list("key", flat=True))
        assert orders == keys_of(draft)

    def test_an_unknown_section_is_refused(self, draft, group_admin):
        with pytest.raises(services.SurveyError, match="no section 'nowhere'"):
            services.draft_question_update(
                version=draft,
                user=group_admin,
                key="doc-purpose",
                edit=edit_of(draft, "doc-purpose", section="nowhere"),
            )

    def test_an_unknown_question_is_refused(self, draft, group_admin):
        with pytest.raises(services.UnknownQuestion):
            services.draft_question_remove(version=draft, user=group_admin, key="nothing-here")

    def test_a_new_question_goes_to_the_end_of_its_section(self, draft, group_admin):
        services.draft_question_add(
            version=draft,
            user=group_admin,
            key="doc-glossary",
            edit=QuestionEdit(text="Terms are explained.", section="documentation", core=True),
        )
        assert keys_of(draft, "documentation")[-1] == "doc-glossary"
        assert draft.questions.get(key="doc-glossary").core

    @pytest.mark.parametrize(
        "key, message",
        [
            ("doc-purpose", "question key 'doc-purpose' is used twice"),
            ("trace-model-registry", "question key 'trace-model-registry' is used twice"),
            ("Doc Glossary", "must be lowercase letters, digits and dashes"),
        ],
    )
    def test_a_new_question_needs_a_new_valid_key(self, draft, group_admin, key, message):
        count = draft.questions.count()
        with pytest.raises(services.DraftInvalid, match=message):
            services.draft_question_add(
                version=draft,
                user=group_admin,
                key=key,
                edit=QuestionEdit(text="Another.", section="documentation"),
            )
        assert draft.questions.count() == count

    def test_a_question_is_removed(self, draft, group_admin):
        services.draft_question_remove(version=draft, user=group_admin, key="doc-purpose")
        assert "doc-purpose" not in keys_of(draft)

    def test_the_last_question_of_a_section_is_not_removed(self, draft, group_admin):
        for key in keys_of(draft, "documentation")[1:]:
            services.draft_question_remove(version=draft, user=group_admin, key=key)
        [last] = keys_of(draft, "documentation")
        with pytest.raises(services.SurveyError, match="remove the section instead"):
            services.draft_question_remove(version=draft, user=group_admin, key=last)

    def test_questions_move_up_and_down_within_their_section(self, draft, group_admin):
        first, second, third = keys_of(draft, "documentation")[:3]
        services.draft_question_move(version=draft, user=group_admin, key=second, direction="up")
        assert keys_of(draft, "documentation")[:3] == [second, first, third]
        services.draft_question_move(version=draft, user=group_admin, key=second, direction="down")
        services.draft_question_move(version=draft, user=group_admin, key=second, direction="down")
        assert keys_of(draft, "documentation")[:3] == [first, third, second]

    def test_past_a_section_s_edge_a_question_moves_into_the_next_section(self, draft, group_admin):
        last = keys_of(draft, "documentation")[-1]
        services.draft_question_move(version=draft, user=group_admin, key=last, direction="down")
        assert keys_of(draft, "traceability")[0] == last
        services.draft_question_move(version=draft, user=group_admin, key=last, direction="up")
        assert keys_of(draft, "documentation")[-1] == last

    def test_the_very_first_question_does_not_move_up(self, draft, group_admin):
        with pytest.raises(services.SurveyError, match="already the first"):
            services.draft_question_move(
                version=draft, user=group_admin, key=keys_of(draft)[0], direction="up"
            )


class TestEditingSectionsAndScoring:
    def test_a_section_title_and_description_change(self, draft, group_admin):
        services.draft_section_update(
            version=draft,
            user=group_admin,
            key="documentation",
            title="Docs",
            description="What is written down.",
        )
        section = draft.sections.get(key="documentation")
        assert (section.title, section.description) == ("Docs", "What is written down.")

    def test_a_section_needs_a_title(self, draft, group_admin):
        with pytest.raises(services.DraftInvalid, match="'title' must not be empty"):
            services.draft_section_update(
                version=draft, user=group_admin, key="documentation", title=" "
            )

    def test_a_new_section_comes_last_with_its_first_question(self, draft, group_admin):
        services.draft_section_add(
            version=draft,
            user=group_admin,
            key="fairness",
            title="Fairness",
            question_key="fair-audit",
            question_text="Outcomes are audited for bias.",
        )
        spec = spec_of(draft)
        assert spec.sections[-1].key == "fairness"
        assert [q.key for q in spec.sections[-1].questions] == ["fair-audit"]

    def test_a_new_section_needs_a_new_key(self, draft, group_admin):
        with pytest.raises(
            services.DraftInvalid, match="section key 'documentation' is used twice"
        ):
            services.draft_section_add(
                version=draft,
                user=group_admin,
                key="documentation",
                title="Again",
                question_key="again-1",
                question_text="Again.",
            )

    def test_a_section_is_removed_with_its_questions(self, draft, group_admin):
        gone = keys_of(draft, "documentation")
        services.draft_section_remove(version=draft, user=group_admin, key="documentation")
        assert not set(gone) & set(keys_of(draft))
        assert "documentation" not in [s.key for s in spec_of(draft).sections]

    def test_the_aggregation_rule_and_levels_change(self, draft, group_admin):
        services.draft_scoring_update(
            version=draft,
            user=group_admin,
            aggregation="min_section",
            levels=[LevelSpec("Low", Decimal(0)), LevelSpec("High", Decimal(70), "Good.")],
        )
        draft.refresh_from_db()
        assert draft.aggregation == "min_section"
        assert [(lv.name, lv.min_percent, lv.description) for lv in draft.levels.all()] == [
            ("Low", 0, ""),
            ("High", 70, "Good."),
        ]

    @pytest.mark.parametrize(
        "levels, message",
        [
            ([LevelSpec("Low", Decimal(10))], "the first level must start at min: 0"),
            (
                [LevelSpec("Low", Decimal(0)), LevelSpec("High", Decimal(0))],
                "rising 'min' values",
            ),
            ([LevelSpec("Low", Decimal(0)), LevelSpec("Low", Decimal(50))], "used twice"),
            ([], "'levels' must be a non-empty list"),
        ],
    )
    def test_levels_follow_the_format_rules(self, draft, group_admin, levels, message):
        with pytest.raises(services.DraftInvalid, match=message):
            services.draft_scoring_update(
                version=draft, user=group_admin, aggregation="weighted_mean", levels=levels
            )


class TestPublish:
    def test_a_draft_becomes_the_current_version(self, version, draft, group_admin):
        services.draft_section_update(
            version=draft, user=group_admin, key="documentation", title="Docs"
        )
        services.draft_publish(version=draft, user=group_admin)
        draft.refresh_from_db()
        assert draft.is_published and draft.published_at
        assert selectors.current_version(version.question_set) == draft
        assert selectors.draft_of(version.question_set) is None

    def test_a_draft_identical_to_the_published_version_is_not_published(self, draft, group_admin):
        with pytest.raises(services.SurveyError, match="nothing to publish"):
            services.draft_publish(version=draft, user=group_admin)
        draft.refresh_from_db()
        assert not draft.is_published


class TestSpecs:
    def test_a_stored_version_reads_back_as_the_spec_it_was_loaded_from(self, version):
        assert spec_of(version) == factories.default_spec()

    def test_a_draft_is_compared_with_the_published_version_and_a_published_one_with_its_predecessor(
        self, version, draft, group_admin
    ):
        assert selectors.diff_base(draft) == version
        assert selectors.diff_base(version) is None
        services.draft_section_update(
            version=draft, user=group_admin, key="documentation", title="Docs"
        )
        services.draft_publish(version=draft, user=group_admin)
        assert selectors.diff_base(QuestionSetVersion.objects.get(pk=draft.pk)) == version


# Pages.

DRAFT_PAGES = [
    "version_draft_new",
    "draft_edit",
    "draft_question_add",
    "draft_section_add",
    "draft_scoring_edit",
    "draft_preview",
]
POST_ONLY = [
    "version_draft_copy",
    "version_draft_upload",
    "draft_question_remove",
    "draft_question_move",
    "draft_section_remove",
    "draft_publish",
    "draft_discard",
]


def url(name: str, version: QuestionSetVersion, query: str = "") -> str:
    return reverse(name, args=[version.code]) + query


class TestPages:
    @pytest.mark.parametrize("name", [*DRAFT_PAGES, "version_diff"])
    def test_group_admins_see_the_draft_pages(self, client, group_admin, draft, name):
        assert page(client, group_admin, url(name, draft)).status_code == 200

    def test_the_question_and_section_forms_open_by_key(self, client, group_admin, draft):
        response = page(client, group_admin, url("draft_question_edit", draft, "?key=doc-purpose"))
        assert response.status_code == 200
        assert "The business problem the model addresses" in response.content.decode()
        response = page(client, group_admin, url("draft_section_edit", draft, "?key=traceability"))
        assert response.status_code == 200
        assert page(client, group_admin, url("draft_question_edit", draft)).status_code == 404
        assert (
            page(client, group_admin, url("draft_section_edit", draft, "?key=nope")).status_code
            == 404
        )

    @pytest.mark.parametrize("who", ["lead", "viewer", "group_assessor", "group_viewer"])
    @pytest.mark.parametrize("name", [*DRAFT_PAGES, "version_diff", "draft_question_edit"])
    def test_everyone_else_is_refused_the_draft_pages(self, client, request, draft, who, name):
        response = page(client, request.getfixturevalue(who), url(name, draft, "?key=doc-purpose"))
        assert response.status_code == 403

    @pytest.mark.parametrize("who", ["lead", "group_assessor"])
    @pytest.mark.parametrize("name", POST_ONLY)
    def test_everyone_else_is_refused_the_draft_actions(self, client, request, draft, who, name):
        data = {"key": "doc-purpose", "direction": "up"}
        response = post(client, request.getfixturevalue(who), url(name, draft), data)
        assert response.status_code == 403
        assert selectors.draft_of(draft.question_set) == draft
        assert spec_of(draft) == spec_of(factories.default_version())

    @pytest.mark.parametrize("name", POST_ONLY)
    def test_actions_only_take_post(self, client, group_admin, draft, name):
        assert page(client, group_admin, url(name, draft)).status_code == 405

    @pytest.mark.parametrize("name", ["draft_edit", "version_diff", "draft_preview"])
    def test_read_only_pages_do_not_take_post(self, client, group_admin, draft, name):
        assert post(client, group_admin, url(name, draft)).status_code == 405

    def test_a_published_version_s_diff_is_readable_by_everyone(
        self, client, viewer, version, draft, group_admin
    ):
        services.draft_question_update(
            version=draft,
            user=group_admin,
            key="doc-purpose",
            edit=edit_of(draft, "doc-purpose", text="Reworded purpose."),
        )
        services.draft_publish(version=draft, user=group_admin)
        response = page(client, viewer, url("version_diff", draft))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Reworded purpose." in html and "reworded" in html

    @pytest.mark.parametrize(
        "name", ["draft_edit", "draft_scoring_edit", "draft_section_add", "draft_preview"]
    )
    def test_editing_pages_of_a_published_version_lead_back_to_it(
        self, client, group_admin, version, name
    ):
        response = page(client, group_admin, url(name, version))
        assert response["Location"] == url("version_detail", version)

    def test_posting_an_edit_to_a_published_version_is_a_conflict(
        self, client, group_admin, version
    ):
        response = post(
            client, group_admin, url("draft_question_remove", version), {"key": "doc-purpose"}
        )
        assert response.status_code == 409
        assert "never change" in response.content.decode()
        assert post(client, group_admin, url("draft_publish", version)).status_code == 409

    def test_the_copy_button_starts_a_draft_and_opens_it(self, client, group_admin, version):
        response = post(client, group_admin, url("version_draft_copy", version))
        draft = selectors.draft_of(version.question_set)
        assert response["Location"] == url("draft_edit", draft)

    def test_a_second_draft_is_refused_with_a_conflict(self, client, group_admin, version, draft):
        response = post(client, group_admin, url("version_draft_copy", version))
        assert response.status_code == 409
        assert "already has a draft" in response.content.decode()
        html = page(client, group_admin, url("version_draft_new", version)).content.decode()
        assert url("draft_edit", draft) in html

    def test_an_uploaded_file_with_problems_is_listed_with_line_numbers(
        self, client, group_admin, version
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = factories.default_source().replace("weight: 2", "weight: 0", 1).encode()
        response = post(
            client,
            group_admin,
            url("version_draft_upload", version),
            {"file": SimpleUploadedFile("set.yaml", bad)},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Nothing was saved" in html
        assert "Line " in html and "&#x27;weight&#x27; is 0" in html
        assert selectors.draft_of(version.question_set) is None

    def test_an_uploaded_file_becomes_a_draft(self, client, group_admin, version):
        from django.core.files.uploadedfile import SimpleUploadedFile

        text = factories.default_source().replace("weight: 2", "weight: 3", 1).encode()
        response = post(
            client,
            group_admin,
            url("version_draft_upload", version),
            {"file": SimpleUploadedFile("set.yaml", text)},
        )
        draft = selectors.draft_of(version.question_set)
        assert response["Location"] == url("draft_edit", draft)
        assert len(services_diff(version, draft).reweighted) == 1

    def test_a_file_that_is_not_text_is_refused(self, client, group_admin, version):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = post(
            client,
            group_admin,
            url("version_draft_upload", version),
            {"file": SimpleUploadedFile("set.yaml", b"\xff\xfe\x00binary")},
        )
        assert response.status_code == 400
        assert "not UTF-8" in response.content.decode()

    def test_the_question_form_saves_and_returns_to_the_question(self, client, group_admin, draft):
        data = {
            "text": "The purpose is on one page.",
            "section": "documentation",
            "weight": "2",
            "applies_to": "all",
            "why": "",
            "good": "",
            "evidence": "",
        }
        target = url("draft_question_edit", draft, "?key=doc-purpose")
        response = post(client, group_admin, target, data)
        assert response["Location"] == url("draft_edit", draft) + "#q-doc-purpose"
        assert draft.questions.get(key="doc-purpose").text == "The purpose is on one page."

    def test_the_question_form_shows_a_rule_it_breaks(self, client, group_admin, draft):
        data = {"text": "X", "section": "documentation", "weight": "7", "applies_to": "all"}
        response = post(
            client, group_admin, url("draft_question_edit", draft, "?key=doc-purpose"), data
        )
        assert response.status_code == 400
        assert "at most 5" in response.content.decode()

    def test_the_add_question_form_adds_a_question(self, client, group_admin, draft):
        data = {
            "key": "doc-faq",
            "text": "An FAQ exists.",
            "section": "documentation",
            "weight": "1",
            "applies_to": "all",
        }
        response = post(client, group_admin, url("draft_question_add", draft), data)
        assert response["Location"] == url("draft_edit", draft) + "#q-doc-faq"
        assert keys_of(draft, "documentation")[-1] == "doc-faq"

    def test_move_and_remove_buttons_change_the_draft(self, client, group_admin, draft):
        first, second = keys_of(draft, "documentation")[:2]
        post(
            client,
            group_admin,
            url("draft_question_move", draft),
            {"key": second, "direction": "up"},
        )
        assert keys_of(draft, "documentation")[:2] == [second, first]
        post(client, group_admin, url("draft_question_remove", draft), {"key": second})
        assert second not in keys_of(draft)

    def test_the_scoring_form_saves_rule_and_levels(self, client, group_admin, draft):
        data = {
            "aggregation": "min_section",
            "levels-TOTAL_FORMS": "3",
            "levels-INITIAL_FORMS": "0",
            "levels-0-name": "Low",
            "levels-0-min_percent": "0",
            "levels-1-name": "High",
            "levels-1-min_percent": "50",
            "levels-2-name": "",
            "levels-2-min_percent": "",
        }
        response = post(client, group_admin, url("draft_scoring_edit", draft), data)
        assert response.status_code == 302
        assert [lv.name for lv in draft.levels.all()] == ["Low", "High"]

    def test_the_scoring_form_shows_a_rule_it_breaks(self, client, group_admin, draft):
        data = {
            "aggregation": "weighted_mean",
            "levels-TOTAL_FORMS": "1",
            "levels-INITIAL_FORMS": "0",
            "levels-0-name": "Low",
            "levels-0-min_percent": "20",
        }
        response = post(client, group_admin, url("draft_scoring_edit", draft), data)
        assert response.status_code == 400
        assert "the first level must start at min: 0" in response.content.decode()

    def test_the_publish_button_publishes(self, client, group_admin, draft):
        services.draft_section_update(
            version=draft, user=group_admin, key="documentation", title="Docs"
        )
        response = post(client, group_admin, url("draft_publish", draft))
        assert response["Location"] == url("version_detail", draft)
        draft.refresh_from_db()
        assert draft.is_published

    def test_the_list_offers_drafting_to_group_admins_only(
        self, client, group_admin, lead, version
    ):
        new_draft = url("version_draft_new", version)
        assert new_draft in page(client, group_admin, reverse("question_set_list")).content.decode()
        assert new_draft not in page(client, lead, reverse("question_set_list")).content.decode()


class TestPreview:
    @pytest.fixture
    def scored(self, brand, other_brand, version):
        """Three validated projects in two brands, and a draft that re-weights and adds."""
        projects = [
            factories.ProjectFactory(brand=brand, kind="batch"),
            factories.ProjectFactory(brand=brand, kind="realtime"),
            factories.ProjectFactory(brand=other_brand, kind="batch"),
        ]
        answers = [
            {"doc-purpose": "yes", "doc-success-metrics": "no", "trace-model-registry": "partly"},
            {"doc-purpose": "partly", "doc-success-metrics": "yes", "trace-model-registry": "na"},
            {"doc-purpose": "yes", "doc-success-metrics": "yes", "trace-model-registry": "no"},
        ]
        for project, given in zip(projects, answers, strict=True):
            old = factories.assessment(
                project,
                version,
                status=AssessmentStatus.VALIDATED,
                answers={"doc-purpose": "no"},
                assessed_on=factories.datetime.date(2024, 1, 1),
            )
            score_store(assessment=old)
            latest = factories.assessment(
                project, version, status=AssessmentStatus.VALIDATED, answers=given
            )
            score_store(assessment=latest)
        return projects

    @pytest.fixture
    def changed_draft(self, draft, group_admin):
        services.draft_question_update(
            version=draft,
            user=group_admin,
            key="doc-purpose",
            edit=edit_of(draft, "doc-purpose", weight=Decimal(5)),
        )
        services.draft_question_add(
            version=draft,
            user=group_admin,
            key="doc-new",
            edit=QuestionEdit(text="New.", section="documentation"),
        )
        services.draft_question_remove(version=draft, user=group_admin, key="trace-model-registry")
        return QuestionSetVersion.objects.get(pk=draft.pk)

    def test_new_figures_are_the_engine_s_on_the_latest_validated_answers(
        self, scored, changed_draft, brand
    ):
        preview = selectors.version_publish_preview(changed_draft)
        spec = version_spec(changed_draft)
        expected_new, expected_old = [], []
        for project in scored[:2]:
            latest = project.assessments.order_by("-assessed_on").first()
            inputs = [
                engine.AnswerInput(
                    question=a.question.key, option=a.option.key if a.option else None, na=a.is_na
                )
                for a in latest.answers.select_related("question", "option")
            ]
            expected_new.append(engine.score(spec, inputs, project.kind).percent)
            expected_old.append(latest.score.percent)
        [row] = [r for r in preview.brands if r.label == brand.name]
        assert row.new_n == row.old_n == 2
        assert row.new_mean == pytest.approx(sum(expected_new) / 2)
        assert row.old_mean == pytest.approx(sum(expected_old) / 2)
        assert row.old_mean != pytest.approx(row.new_mean)
        assert preview.group.old_n == 3

    def test_level_changes_are_counted(self, scored, draft, group_admin):
        services.draft_scoring_update(
            version=draft,
            user=group_admin,
            aggregation="weighted_mean",
            levels=[LevelSpec("Everyone", Decimal(0))],
        )
        preview = selectors.version_publish_preview(draft)
        stored = [p.assessments.order_by("-assessed_on").first().score.level for p in scored]
        assert preview.group.level_changes == sum(1 for level in stored if level != "Everyone")

    def test_an_unchanged_draft_changes_no_figure(self, scored, draft):
        preview = selectors.version_publish_preview(draft)
        for row in [*preview.brands, preview.group]:
            # Stored figures keep five decimals of the fraction.
            assert row.new_mean == pytest.approx(row.old_mean, abs=0.001)
            assert row.level_changes == 0

    def test_the_preview_takes_the_same_queries_for_any_number_of_projects(
        self, brand, version, changed_draft
    ):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                selectors.version_publish_preview(changed_draft)
            return len(captured)

        def add_project():
            project = factories.ProjectFactory(brand=factories.BrandFactory())
            done = factories.assessment(
                project, version, status=AssessmentStatus.VALIDATED, answers={"doc-purpose": "yes"}
            )
            score_store(assessment=done)

        add_project()
        changed_draft = selectors.get_version(changed_draft.code)  # with its question set
        one = queries()
        for _ in range(4):
            add_project()
        assert queries() == one <= 8

    def test_the_preview_page_shows_brands_and_the_publish_button(
        self, client, group_admin, scored, changed_draft, brand
    ):
        html = page(client, group_admin, url("draft_preview", changed_draft)).content.decode()
        assert brand.name in html
        assert "All brands" in html
        assert url("draft_publish", changed_draft) in html
        assert "doc-new" in html
