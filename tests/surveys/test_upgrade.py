"""Upgrading an open assessment to a newer published version of its question set."""

import datetime
import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from brands.models import GroupRole
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    Invitation,
    QuestionSetVersion,
)
from surveys.services import AnswerInput, QuestionEdit
from surveys.services import versions as versions_service
from tests import factories

pytestmark = pytest.mark.django_db

REWORDED = "doc-purpose"  # answered, still carried over from last time
REWORDED_CONFIRMED = "doc-success-metrics"  # answered and confirmed in the open assessment
NEW = "doc-glossary"
REMOVED = "doc-model-card"
NA = "doc-architecture"
KEPT = "doc-data-sources"  # confirmed, unchanged


def save(assessment, user, key, **fields) -> Answer:
    answer = assessment.answers.get(question__key=key)
    return services.answer_save(
        assessment=assessment,
        question_key=key,
        user=user,
        base_revision=answer.revision,
        data=AnswerInput(**fields),
        via=AnswerVia.SELF_FILL if assessment.mode == "self_fill" else AnswerVia.INTERVIEW,
    )


@pytest.fixture
def open_fill(project, lead, version):
    """A self-fill on version 1 started from a validated assessment, partly confirmed."""
    last = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={REWORDED: "yes", REWORDED_CONFIRMED: "partly", REMOVED: "no", KEPT: "no"},
        assessed_on=datetime.date(2024, 12, 1),
    )
    score_store(assessment=last)
    fill = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    save(
        fill,
        lead,
        REWORDED_CONFIRMED,
        option="yes",
        comment="Dashboards",
        evidence_url="https://x.example/d",
    )
    save(fill, lead, NA, is_na=True, na_reason="No architecture to speak of")
    save(fill, lead, KEPT, option="partly")
    return fill


def next_version(version, admin, *, text: str | None = None) -> QuestionSetVersion:
    """The set's next published version: `text` uploaded as a draft and published, or by
    default the edited version (`edited_version`), loaded from its file made once per module."""
    if text is None:
        text = _EDITED[version.source]
    draft = services.version_draft_upload(question_set=version.question_set, user=admin, text=text)
    return services.draft_publish(version=draft, user=admin)


def edited_version(version, admin) -> QuestionSetVersion:
    """The tests' second version, made through the draft editor: two statements reworded, one
    added, one removed, then published."""
    draft = services.version_draft_copy(version=version, user=admin)
    for key in (REWORDED, REWORDED_CONFIRMED):
        question = draft.questions.select_related("section").get(key=key)
        services.draft_question_update(
            version=draft,
            user=admin,
            key=key,
            edit=QuestionEdit(
                text=question.text + " (reworded)",
                section=question.section.key,
                weight=question.weight,
                core=question.core,
                applies_to=question.applies_to,
            ),
        )
    services.draft_question_add(
        version=draft,
        user=admin,
        key=NEW,
        edit=QuestionEdit(text="The terms are explained.", section="documentation"),
    )
    services.draft_question_remove(version=draft, user=admin, key=REMOVED)
    return services.draft_publish(version=draft, user=admin)


# The edited version's file, by the source of the version it was made from. Editing a draft
# statement by statement checks and rewrites the whole draft each time (about a second for the
# five changes); the tests need the resulting version, not the editing, so it is made once
# through the editor and each test publishes its file, which makes the same version.
_EDITED: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _edited_file(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        version = factories.default_version()
        admin = factories.UserFactory(username="editor", group_role=GroupRole.ADMIN)
        edited = edited_version(version, admin)
        _EDITED[version.source] = fmt.to_yaml(selectors.version_as_spec(edited))
        transaction.set_rollback(True)
    yield
    _EDITED.clear()


def test_the_published_file_makes_the_same_version_as_the_editor(version, group_admin):
    """What the fixture above relies on: the file of the edited version, published, is that
    version again, statement for statement."""
    edited = selectors.version_as_spec(edited_version(version, group_admin))
    uploaded = services.version_draft_upload(
        question_set=version.question_set, user=group_admin, text=_EDITED[version.source]
    )
    assert selectors.version_as_spec(uploaded) == edited


@pytest.fixture
def v2(version, group_admin):
    return next_version(version, group_admin)


def snapshot(assessment: Assessment) -> dict:
    answers = [
        model_to_dict(a) for a in Answer.objects.filter(assessment=assessment).order_by("pk")
    ]
    events = list(AnswerEvent.objects.filter(answer__assessment=assessment).values().order_by("pk"))
    fields = model_to_dict(Assessment.objects.get(pk=assessment.pk), exclude=["superseded_by"])
    return {"assessment": fields, "answers": answers, "events": events}


def answer(assessment, key) -> Answer:
    return assessment.answers.select_related("option", "question").get(question__key=key)


class TestUpgrade:
    def test_a_new_draft_continues_under_the_newest_version(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        open_fill.refresh_from_db()
        assert new.version == v2
        assert new.status == AssessmentStatus.DRAFT
        assert (new.project, new.mode, new.assessed_on) == (
            open_fill.project,
            open_fill.mode,
            open_fill.assessed_on,
        )
        assert new.previous == open_fill.previous
        assert open_fill.superseded_by == new
        assert not open_fill.is_open and new.is_open

    def test_the_superseded_assessment_is_kept_exactly_as_it_was(self, open_fill, v2, lead):
        before = snapshot(open_fill)
        services.assessment_upgrade(assessment=open_fill, user=lead)
        assert snapshot(open_fill) == before
        assert Assessment.objects.get(pk=open_fill.pk).version.number == 1

    def test_answers_are_carried_over_by_key_with_everything_said(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        for key in (REWORDED, REWORDED_CONFIRMED, NA, KEPT):
            old, carried = answer(open_fill, key), answer(new, key)
            assert carried.question.version == v2
            assert (carried.option and carried.option.key) == (old.option and old.option.key)
            assert (carried.is_na, carried.na_reason, carried.comment, carried.evidence_url) == (
                old.is_na,
                old.na_reason,
                old.comment,
                old.evidence_url,
            )
            assert (carried.answered_by, carried.answered_at) == (old.answered_by, old.answered_at)
        assert answer(new, REWORDED_CONFIRMED).evidence_url == "https://x.example/d"

    def test_each_carried_answer_has_a_carry_over_event(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        carried = new.answers.filter(revision=1)
        assert carried.count() == 4
        for row in carried.select_related("option"):
            [event] = row.events.all()
            assert event.via == AnswerVia.CARRY_OVER
            assert event.actor == lead
            assert event.changes["option"][1] == (row.option.key if row.option else None)
            assert "when upgrading to 2" in event.note
        assert not AnswerEvent.objects.filter(answer__assessment=new, answer__revision=0).exists()

    def test_new_questions_are_flagged_and_unanswered(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        glossary = answer(new, NEW)
        assert glossary.needs_attention
        assert not glossary.is_answered and not glossary.carried_over

    def test_reworded_answers_are_flagged_and_wait_to_be_confirmed(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        for key in (REWORDED, REWORDED_CONFIRMED):
            row = answer(new, key)
            assert row.needs_attention and row.carried_over and row.is_answered

    def test_unchanged_answers_keep_their_state_and_are_not_flagged(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        assert new.answers.filter(needs_attention=True).count() == 3
        kept = answer(new, KEPT)
        assert not kept.needs_attention and not kept.carried_over
        untouched = new.answers.filter(needs_attention=False, option__isnull=True, is_na=False)
        assert untouched.exists()
        assert not untouched.filter(carried_over=True).exists()

    def test_removed_questions_are_left_behind(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        assert not new.answers.filter(question__key=REMOVED).exists()
        assert open_fill.answers.filter(question__key=REMOVED).exists()

    def test_questions_that_do_not_apply_to_the_project_are_left_out(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        applicable = [q for q in v2.questions.all() if q.applies_to_kind(open_fill.project.kind)]
        assert new.answers.count() == len(applicable) < v2.questions.count()

    def test_an_answer_whose_option_left_the_scale_is_not_carried(
        self, open_fill, version, group_admin, lead
    ):
        spec = selectors.version_as_spec(version)
        text = fmt.to_yaml(spec).replace("key: partly", "key: somewhat", 1)
        next_version(version, group_admin, text=text)
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        kept = answer(new, KEPT)
        assert answer(open_fill, KEPT).option.key == "partly"
        assert not kept.is_answered and kept.revision == 0
        assert answer(new, REWORDED_CONFIRMED).option.key == "yes"

    def test_saving_an_answer_clears_its_flag(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        assert not save(new, lead, NEW, option="no").needs_attention
        # Confirming a reworded statement's answer unchanged clears both flags.
        confirmed = save(new, lead, REWORDED)
        assert not confirmed.needs_attention and not confirmed.carried_over
        assert confirmed.option.key == "yes"
        assert new.answers.filter(needs_attention=True).count() == 1

    def test_invitations_follow_the_work_to_the_new_draft(self, open_fill, v2, lead):
        invitation = Invitation.objects.create(
            assessment=open_fill, email="respondent@example.com", created_by=lead
        )
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        invitation.refresh_from_db()
        assert invitation.assessment == new

    def test_an_interview_keeps_its_interviewer_notes_and_clock(
        self, project, lead, version, group_admin
    ):
        interview = services.assessment_start(
            project=project,
            user=lead,
            mode=AssessmentMode.INTERVIEW,
            version=version,
            interviewees="Ann",
        )
        save(interview, lead, KEPT, option="yes", interviewer_note="Sounded unsure")
        Assessment.objects.filter(pk=interview.pk).update(interview_seconds=600)
        next_version(version, group_admin)
        new = services.assessment_upgrade(
            assessment=Assessment.objects.get(pk=interview.pk), user=lead
        )
        assert (new.interviewees, new.conducted_by, new.interview_seconds) == ("Ann", lead, 600)
        assert answer(new, KEPT).interviewer_note == "Sounded unsure"


class TestRefusals:
    @pytest.mark.parametrize("who", ["viewer", "data_scientist", "outsider", "group_viewer"])
    def test_only_leads_and_assessors_upgrade(self, open_fill, v2, request, who):
        with pytest.raises(services.NotAllowed):
            services.assessment_upgrade(assessment=open_fill, user=request.getfixturevalue(who))
        open_fill.refresh_from_db()
        assert open_fill.superseded_by is None

    def test_group_assessors_upgrade_too(self, open_fill, v2, group_assessor):
        assert services.assessment_upgrade(assessment=open_fill, user=group_assessor).version == v2

    @pytest.mark.parametrize("status", [AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED])
    def test_only_an_open_assessment_is_upgraded(self, project, version, v2, lead, status):
        closed = factories.assessment(project, version, status=status)
        with pytest.raises(services.AssessmentClosed):
            services.assessment_upgrade(assessment=closed, user=lead)

    def test_an_assessment_is_upgraded_once(self, open_fill, v2, lead):
        services.assessment_upgrade(assessment=open_fill, user=lead)
        with pytest.raises(services.AssessmentClosed, match="already upgraded"):
            services.assessment_upgrade(assessment=open_fill, user=lead)
        assert Assessment.objects.filter(project=open_fill.project, status="draft").count() == 2

    def test_an_assessment_on_the_newest_version_has_nothing_to_upgrade(self, open_fill, lead):
        with pytest.raises(services.NothingToUpgrade):
            services.assessment_upgrade(assessment=open_fill, user=lead)

    def test_a_draft_version_is_not_an_upgrade(self, open_fill, version, group_admin, lead):
        services.version_draft_copy(version=version, user=group_admin)
        with pytest.raises(services.NothingToUpgrade):
            services.assessment_upgrade(assessment=open_fill, user=lead)


class TestSuperseded:
    def test_its_answers_can_no_longer_change(self, open_fill, v2, lead):
        services.assessment_upgrade(assessment=open_fill, user=lead)
        old = Assessment.objects.get(pk=open_fill.pk)
        with pytest.raises(services.NotAllowed):
            save(old, lead, KEPT, option="no")

    def test_it_can_no_longer_be_submitted(self, open_fill, v2, lead):
        services.assessment_upgrade(assessment=open_fill, user=lead)
        with pytest.raises(services.SurveyError):
            services.assessment_submit(
                assessment=Assessment.objects.get(pk=open_fill.pk), user=lead
            )
        assert Assessment.objects.get(pk=open_fill.pk).status == AssessmentStatus.DRAFT

    def test_a_superseded_interview_can_no_longer_be_finalised(self, project, version, v2, lead):
        everything = {
            q.key: "yes" for q in version.questions.all() if q.applies_to_kind(project.kind)
        }
        interview = factories.assessment(project, version, answers=everything)
        services.assessment_upgrade(assessment=interview, user=lead)
        with pytest.raises(services.AssessmentClosed, match="upgraded"):
            services.assessment_validate(assessment=interview, user=lead)
        assert Assessment.objects.get(pk=interview.pk).status == AssessmentStatus.DRAFT

    def test_it_leaves_the_open_lists(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        assert list(selectors.open_assessments_of_project(open_fill.project)) == [new]

    def test_it_does_not_block_the_next_assessment(self, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        with pytest.raises(services.SurveyError, match="already has an open"):
            services.assessment_start(
                project=open_fill.project, user=lead, mode=AssessmentMode.SELF_FILL, version=v2
            )
        Assessment.objects.filter(pk=new.pk).update(
            status=AssessmentStatus.SUBMITTED, submitted_at=new.created_at
        )
        started = services.assessment_start(
            project=open_fill.project, user=lead, mode=AssessmentMode.SELF_FILL, version=v2
        )
        assert started.is_open


def upgrade_url(assessment) -> str:
    return reverse("assessment_upgrade", args=[assessment.code])


def detail_url(assessment) -> str:
    return reverse("assessment_detail", args=[assessment.code])


class TestPages:
    def test_the_button_upgrades_and_opens_the_new_draft(self, client, open_fill, v2, lead):
        client.force_login(lead)
        response = client.post(upgrade_url(open_fill), follow=True)
        new = Assessment.objects.get(pk=open_fill.pk).superseded_by
        assert response.redirect_chain == [(detail_url(new), 302)]
        assert "3 new or reworded statements need a look" in response.content.decode()

    def test_it_only_takes_post(self, client, open_fill, v2, lead):
        client.force_login(lead)
        assert client.get(upgrade_url(open_fill)).status_code == 405

    def test_a_viewer_is_refused(self, client, open_fill, v2, viewer):
        client.force_login(viewer)
        assert client.post(upgrade_url(open_fill)).status_code == 403

    def test_another_brand_s_assessment_is_not_found(self, client, open_fill, v2, outsider):
        client.force_login(outsider)
        assert client.post(upgrade_url(open_fill)).status_code == 404
        assert Assessment.objects.get(pk=open_fill.pk).superseded_by is None

    def test_a_validated_assessment_is_a_conflict(self, client, project, version, v2, lead):
        done = factories.assessment(project, version, status=AssessmentStatus.VALIDATED)
        client.force_login(lead)
        assert client.post(upgrade_url(done)).status_code == 409

    def test_without_a_newer_version_it_is_a_conflict(self, client, open_fill, lead):
        client.force_login(lead)
        response = client.post(upgrade_url(open_fill))
        assert response.status_code == 409
        assert "newest published version" in response.content.decode()

    def test_leads_see_the_button_when_a_newer_version_is_published(
        self, client, open_fill, version, group_admin, lead, viewer
    ):
        client.force_login(lead)
        assert upgrade_url(open_fill) not in client.get(detail_url(open_fill)).content.decode()
        next_version(version, group_admin)
        assert upgrade_url(open_fill) in client.get(detail_url(open_fill)).content.decode()
        client.force_login(viewer)
        assert upgrade_url(open_fill) not in client.get(detail_url(open_fill)).content.decode()

    def test_the_superseded_page_points_to_the_new_draft(self, client, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        client.force_login(lead)
        html = client.get(detail_url(open_fill)).content.decode()
        assert detail_url(new) in html
        assert upgrade_url(open_fill) not in html
        assert "Continue filling in" not in html

    def test_the_fill_page_tags_new_and_reworded_statements(self, client, open_fill, v2, lead):
        new = services.assessment_upgrade(assessment=open_fill, user=lead)
        client.force_login(lead)
        html = client.get(reverse("assessment_fill", args=[new.code])).content.decode()
        assert html.count('class="tag attention"') == 3
        assert html.count("reworded — check the answer") == 2
        assert 'class="tag attention">new<' in html


class TestRacesOnPostgres:
    """Real parallel transactions: each thread has its own connection (see test_concurrency)."""

    pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

    @staticmethod
    def race(*jobs) -> list:
        barrier = threading.Barrier(len(jobs))
        results: list = [None] * len(jobs)

        def run(index, job):
            try:
                barrier.wait(timeout=60)
                results[index] = job()
            except Exception as exc:
                results[index] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(t.is_alive() for t in threads), "a thread is still waiting: a deadlock?"
        return results

    @pytest.fixture
    def racing(self, open_fill, group_admin):
        # Transactional tests empty the tables afterwards, so the set is set up here again.
        next_version(open_fill.version, group_admin)
        return open_fill

    @pytest.fixture
    def slow_upgrade(self):
        """The upgrade holds its locks a moment longer, so that the other thread arrives."""
        original = versions_service.newer_published_version

        def slow(*args, **kwargs):
            time.sleep(0.4)
            return original(*args, **kwargs)

        with mock.patch.object(versions_service, "newer_published_version", side_effect=slow):
            yield

    def test_a_save_racing_an_upgrade_is_never_lost(self, racing, lead, slow_upgrade):
        def upgrade():
            return services.assessment_upgrade(assessment=racing, user=lead)

        def late_save():
            time.sleep(0.1)
            return save(racing, lead, KEPT, option="no")

        upgraded, saved = self.race(upgrade, late_save)
        assert isinstance(upgraded, Assessment)
        old, new = answer(racing, KEPT), answer(upgraded, KEPT)
        if isinstance(saved, Exception):
            assert isinstance(saved, services.AssessmentClosed)
            assert old.option.key == "partly"
        assert new.option.key == old.option.key

    def test_two_clicks_on_upgrade_open_one_draft(self, racing, lead, slow_upgrade):
        def upgrade():
            return services.assessment_upgrade(assessment=racing, user=lead)

        results = self.race(upgrade, upgrade)
        assert sum(isinstance(r, Assessment) for r in results) == 1
        assert sum(isinstance(r, services.AssessmentClosed) for r in results) == 1
        assert Assessment.objects.filter(project=racing.project, status="draft").count() == 2

    def test_two_admins_starting_drafts_at_once_make_one(self, version, group_admin):
        def copy():
            return services.version_draft_copy(version=version, user=group_admin)

        results = self.race(copy, copy)
        assert sum(isinstance(r, QuestionSetVersion) for r in results) == 1
        assert sum(isinstance(r, services.DraftExists) for r in results) == 1
