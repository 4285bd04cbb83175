"""The audit log: what is recorded, that it cannot be rewritten, and who may read it."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brands import audit
from brands.models import AuditAction, AuditEvent, BrandRole, GroupRole, Membership, User
from surveys import services
from surveys.models import AnswerVia, AssessmentMode
from tests import factories

pytestmark = pytest.mark.django_db


def events(action: str):
    return AuditEvent.objects.filter(action=action)


class TestRecord:
    def test_it_copies_who_what_and_which_brand(self, lead, project):
        event = audit.record(AuditAction.REPORT_DOWNLOADED, actor=lead, target=project, kind="pdf")
        event.refresh_from_db()
        assert event.actor == lead
        assert event.actor_name == "lead"
        assert (event.target_type, event.target_code) == ("project", str(project.code))
        assert event.target_label == "Cross-sell API"
        assert event.brand == project.brand
        assert event.details == {"kind": "pdf"}
        assert event.at <= timezone.now()

    def test_it_takes_the_address_and_request_id_of_the_request(self, lead):
        Client().post(
            reverse("login"),
            {"username": "lead", "password": factories.PASSWORD},
            REMOTE_ADDR="192.0.2.44",
            HTTP_X_REQUEST_ID="login-req-1",
        )
        event = events(AuditAction.LOGIN).get(actor=lead)
        assert event.address == "192.0.2.44"
        assert event.request_id == "login-req-1"

    def test_an_unknown_action_is_refused(self, lead):
        with pytest.raises(ValueError):
            audit.record("made_coffee", actor=lead)


class TestAppendOnly:
    def test_events_cannot_be_changed_or_deleted_through_the_app(self, lead):
        event = audit.record(AuditAction.LOGIN, actor=lead, target=lead)
        with pytest.raises(ValueError, match="append-only"):
            AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.LOGOUT)
        with pytest.raises(ValueError, match="append-only"):
            AuditEvent.objects.all().delete()
        with pytest.raises(ValueError, match="append-only"):
            event.delete()

    def test_the_database_refuses_to_rewrite_an_event(self, lead):
        event = audit.record(AuditAction.LOGIN, actor=lead, target=lead)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE brands_auditevent SET actor_name = 'someone else' WHERE id = %s",
                [event.pk],
            )
        event.refresh_from_db()
        assert event.actor_name == "lead"

    def test_deleting_a_person_or_a_brand_keeps_their_events(self, brand, lead):
        audit.record(AuditAction.LOGIN, actor=lead, target=lead)
        lead_id, brand_id = lead.pk, brand.pk
        lead.delete()
        brand.delete()
        login = events(AuditAction.LOGIN).get(actor_id=lead_id)
        assert login.actor_name == "lead"
        removed = events(AuditAction.MEMBERSHIP_REMOVED).get(brand_id=brand_id)
        assert removed.details == {"role": "lead"}


class TestRolesAndLogins:
    def test_giving_changing_and_taking_a_brand_role_is_recorded(self, brand):
        user = factories.UserFactory(username="newcomer")
        membership = Membership.objects.create(user=user, brand=brand, role=BrandRole.VIEWER)
        membership.role = BrandRole.LEAD
        membership.save()
        membership.save()  # saving without a change records nothing
        membership.delete()
        recorded = list(
            AuditEvent.objects.filter(target_code=str(user.pk), brand=brand)
            .order_by("id")
            .values_list("action", "details")
        )
        assert recorded == [
            (AuditAction.MEMBERSHIP_ADDED, {"role": "viewer"}),
            (AuditAction.MEMBERSHIP_CHANGED, {"role": "lead", "old_role": "viewer"}),
            (AuditAction.MEMBERSHIP_REMOVED, {"role": "lead"}),
        ]

    def test_a_group_role_change_is_recorded_with_old_and_new(self):
        user = factories.UserFactory(username="rising")
        user.group_role = GroupRole.VIEWER
        user.save()
        User.objects.get(pk=user.pk).save()  # unchanged
        (event,) = events(AuditAction.GROUP_ROLE_CHANGED).filter(target_code=str(user.pk))
        assert event.details == {"old": "", "new": "viewer"}

    def test_a_role_changed_in_the_admin_site_names_the_admin(self, brand):
        admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
        user = factories.UserFactory(username="promoted")
        client = Client()
        client.force_login(admin)
        now = timezone.now()
        response = client.post(
            reverse("admin:brands_user_change", args=[user.pk]),
            {
                "username": "promoted",
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": "on",
                "group_role": GroupRole.ASSESSOR,
                "last_login_0": "",
                "last_login_1": "",
                "date_joined_0": now.strftime("%Y-%m-%d"),
                "date_joined_1": now.strftime("%H:%M:%S"),
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "0",
                "memberships-MIN_NUM_FORMS": "0",
                "memberships-MAX_NUM_FORMS": "1000",
                "memberships-0-brand": str(brand.pk),
                "memberships-0-role": BrandRole.LEAD,
                "memberships-0-user": str(user.pk),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        role = events(AuditAction.GROUP_ROLE_CHANGED).get(target_code=str(user.pk))
        assert role.actor == admin
        assert role.details == {"old": "", "new": "assessor"}
        added = events(AuditAction.MEMBERSHIP_ADDED).get(target_code=str(user.pk))
        assert (added.actor, added.brand) == (admin, brand)

    def test_a_login_through_the_login_page_and_a_logout_are_recorded(self, client, lead):
        client.post(reverse("login"), {"username": "lead", "password": factories.PASSWORD})
        client.post(reverse("logout"))
        assert events(AuditAction.LOGIN).filter(actor=lead).count() == 1
        assert events(AuditAction.LOGOUT).filter(actor=lead).count() == 1


class TestSurveyEvents:
    def test_sending_and_accepting_an_invitation_is_recorded(self, project, version, lead):
        self_fill = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
        invitation = services.invitation_create(
            assessment=self_fill, email="Ann@Example.com", user=lead, base_url="http://testserver"
        )
        sent = events(AuditAction.INVITATION_SENT).get()
        assert (sent.actor, sent.brand) == (lead, project.brand)
        assert sent.target_code == str(invitation.code)
        assert sent.details == {"email": "ann@example.com"}

        newcomer = services.invitation_accept(
            invitation=invitation, user=None, password="a-long-enough-password-1"
        )
        accepted = events(AuditAction.INVITATION_ACCEPTED).get()
        assert accepted.actor == newcomer
        assert accepted.brand == project.brand

    def test_validating_and_returning_an_assessment_is_recorded(
        self, project, version, lead, data_scientist
    ):
        first = services.assessment_start(
            project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
        )
        for answer in first.answers.select_related("question"):
            services.answer_save(
                assessment=first,
                question_key=answer.question.key,
                user=data_scientist,
                base_revision=answer.revision,
                data=services.AnswerInput(option="yes"),
                via=AnswerVia.SELF_FILL,
            )
        services.assessment_submit(assessment=first, user=data_scientist)
        services.assessment_return(assessment=first, user=lead, message="Check the monitoring")
        returned = events(AuditAction.ASSESSMENT_RETURNED).get()
        assert (returned.actor, returned.target_code) == (lead, str(first.code))
        assert returned.brand == project.brand

        first.refresh_from_db()
        services.assessment_submit(assessment=first, user=data_scientist)
        first.refresh_from_db()
        services.assessment_validate(assessment=first, user=lead)
        validated = events(AuditAction.ASSESSMENT_VALIDATED).get()
        assert (validated.actor, validated.target_code) == (lead, str(first.code))

    def test_a_refused_validation_records_nothing(self, project, version, lead):
        draft = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
        with pytest.raises(services.SurveyError, match="after its respondents submit"):
            services.assessment_validate(assessment=draft, user=lead)
        assert not events(AuditAction.ASSESSMENT_VALIDATED).exists()

    def test_publishing_a_question_set_version_is_recorded(self, version, group_admin):
        draft = services.version_draft_copy(version=version, user=group_admin)
        services.draft_section_update(
            version=draft, user=group_admin, key="documentation", title="Docs"
        )
        services.draft_publish(version=draft, user=group_admin)
        published = events(AuditAction.VERSION_PUBLISHED).get(target_code=str(draft.code))
        assert published.actor == group_admin
        assert published.brand is None


@pytest.fixture
def log(brand, other_brand, lead, outsider):
    """A few events of two brands over three days, and one with a script payload."""
    made = [
        audit.record(AuditAction.LOGIN, actor=lead, target=lead),
        audit.record(AuditAction.MEMBERSHIP_ADDED, actor=None, target=outsider, brand=other_brand),
        audit.record(AuditAction.LOGIN_FAILED, actor=None, username="<script>alert(1)</script>"),
    ]
    return made


class TestAuditPage:
    url = reverse("audit_log")

    def test_a_group_admin_sees_the_events_newest_first(self, client, group_admin, log):
        client.force_login(group_admin)
        response = client.get(self.url)
        assert response.status_code == 200
        shown = list(response.context["page"].object_list)
        assert [e.pk for e in shown] == sorted((e.pk for e in shown), reverse=True)
        assert {e.pk for e in log} <= {e.pk for e in shown}
        table = response.content.decode().split("<tbody>")[1]
        # The admin's own login (force_login) is the newest event.
        assert table.index("groupadmin") < table.index("Failed login") < table.index("lead")

    def test_user_entered_text_is_escaped(self, client, group_admin, log):
        client.force_login(group_admin)
        page = client.get(self.url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_it_filters_by_action_person_brand_and_dates(
        self, client, group_admin, log, other_brand
    ):
        client.force_login(group_admin)

        def shown(**query) -> list[str]:
            response = client.get(self.url, query)
            assert response.status_code == 200
            return [str(e.pk) for e in response.context["page"].object_list]

        assert shown(action="login_failed") == [str(log[2].pk)]
        assert str(log[0].pk) in shown(actor="lead")
        assert str(log[2].pk) in shown(actor="script")  # the username tried at a failed login
        of_other_brand = shown(brand=str(other_brand.code))
        assert str(log[1].pk) in of_other_brand and str(log[0].pk) not in of_other_brand
        assert {e.brand_id for e in AuditEvent.objects.filter(pk__in=of_other_brand)} == {
            other_brand.pk
        }
        today = timezone.localdate()
        assert shown(since=str(today + datetime.timedelta(days=1))) == []
        assert len(shown(until=str(today))) >= 3

    def test_bad_filters_are_named_not_a_server_error(self, client, group_admin, log):
        client.force_login(group_admin)
        response = client.get(self.url, {"since": "2026-13-45", "action": "made_coffee"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Enter a valid date" in page
        assert "Select a valid choice" in page
        assert list(response.context["page"].object_list) == []
        response = client.get(self.url, {"since": "2026-02-01", "until": "2026-01-01"})
        assert "The start date is after the end date." in response.content.decode()

    def test_it_pages_through_long_logs(self, client, group_admin, lead):
        for _ in range(60):
            audit.record(AuditAction.REPORT_DOWNLOADED, actor=lead)
        client.force_login(group_admin)
        first = client.get(self.url, {"action": "report_downloaded"})
        assert len(first.context["page"].object_list) == 50
        assert "action=report_downloaded&amp;page=2" in first.content.decode()
        second = client.get(self.url, {"action": "report_downloaded", "page": "2"})
        assert len(second.context["page"].object_list) == 10
        assert client.get(self.url, {"page": "nonsense"}).status_code == 200

    @pytest.mark.parametrize(
        "who", ["lead", "viewer", "group_viewer", "group_assessor", "outsider"]
    )
    def test_it_is_refused_to_everyone_but_group_admins(self, client, request, who, log):
        client.force_login(request.getfixturevalue(who))
        assert client.get(self.url).status_code == 403

    def test_it_sends_anonymous_visitors_to_log_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_refuses_other_methods(self, client, group_admin):
        client.force_login(group_admin)
        assert client.post(self.url).status_code == 405

    def test_the_navigation_links_it_for_group_admins_only(self, client, group_admin, lead):
        client.force_login(group_admin)
        assert self.url in client.get(reverse("brand_list")).content.decode()
        client.force_login(lead)
        assert self.url not in client.get(reverse("brand_list")).content.decode()


class TestAdmin:
    def test_the_admin_lists_events_but_cannot_add_change_or_delete(self, client, lead):
        event = audit.record(AuditAction.LOGIN, actor=lead, target=lead)
        root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
        client.force_login(root)
        assert client.get(reverse("admin:brands_auditevent_changelist")).status_code == 200
        assert client.get(reverse("admin:brands_auditevent_add")).status_code == 403
        view = client.get(reverse("admin:brands_auditevent_change", args=[event.pk]))
        assert view.status_code == 200
        assert 'name="_save"' not in view.content.decode()
        deleted = client.post(
            reverse("admin:brands_auditevent_delete", args=[event.pk]), {"post": "yes"}
        )
        assert deleted.status_code == 403
        assert AuditEvent.objects.filter(pk=event.pk).exists()
