"""Inviting respondents by e-mail, reminding them, and following the signed link."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from brands.models import BrandRole, Membership, User
from surveys.models import AssessmentMode, AssessmentStatus, Invitation
from surveys.services import invitations as invitation_services
from tests import factories


@pytest.fixture
def self_fill(project, version):
    return factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)


@pytest.fixture
def invitation(self_fill, lead):
    return Invitation.objects.create(
        assessment=self_fill, email="newcomer@example.com", created_by=lead
    )


def _list_url(assessment) -> str:
    return reverse("invitation_list", args=[assessment.code])


def _remind_url(invitation) -> str:
    return reverse("invitation_remind", args=[invitation.code])


def _accept_url(invitation) -> str:
    return reverse("invitation_accept", args=[invitation_services.invitation_token(invitation)])


def _link_in(mail) -> str:
    """The path of the invitation link in an e-mail."""
    match = re.search(r"https?://[^/\s]+(/invite/[^\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


# Inviting


def test_it_lists_the_invitations_and_the_uninvited_team(client, lead, self_fill, invitation):
    teammate = factories.member(self_fill.project.brand, BrandRole.DATA_SCIENTIST)
    self_fill.project.team.add(teammate)
    client.force_login(lead)
    response = client.get(_list_url(self_fill))
    assert response.status_code == 200
    assert "newcomer@example.com" in response.text
    assert f"Invite {teammate.get_full_name()} ({teammate.email})" in response.text


def test_it_sends_one_mail_with_a_link_that_opens_the_assessment(
    client, lead, self_fill, mailoutbox
):
    client.force_login(lead)
    response = client.post(_list_url(self_fill), {"email": "Newcomer@Example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["newcomer@example.com"]
    assert self_fill.project.name in mail.subject
    assert self_fill.project.brand.name in mail.body
    assert "14 days" in mail.body
    assert "did not expect" in mail.body
    invitation = Invitation.objects.get(assessment=self_fill)
    assert invitation.sent_at is not None

    client.logout()
    page = client.get(_link_in(mail))
    assert page.status_code == 200
    assert "Create your Yardstick account" in page.text
    assert self_fill.project.name in page.text


def test_it_names_the_inviter_in_the_mail(client, lead, self_fill, mailoutbox):
    client.force_login(lead)
    client.post(_list_url(self_fill), {"email": "someone@example.com"})
    assert lead.get_full_name() in mailoutbox[0].body


def test_the_mail_tells_an_existing_account_to_log_in(
    client, lead, self_fill, data_scientist, mailoutbox
):
    client.force_login(lead)
    client.post(_list_url(self_fill), {"email": data_scientist.email})
    body = mailoutbox[0].body
    assert f"Log in with your Yardstick account ({data_scientist.username})" in body
    assert "create one" not in body


def test_it_refuses_to_invite_the_same_address_twice(
    client, lead, self_fill, invitation, mailoutbox
):
    client.force_login(lead)
    response = client.post(_list_url(self_fill), {"email": "newcomer@example.com"})
    assert response.status_code == 400
    assert "already invited" in response.text
    assert mailoutbox == []


def test_it_refuses_a_malformed_address(client, lead, self_fill, mailoutbox):
    client.force_login(lead)
    response = client.post(_list_url(self_fill), {"email": "not an address"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_it_offers_no_invite_form_for_an_interview(client, lead, project, version):
    interview = factories.assessment(project, version, mode=AssessmentMode.INTERVIEW)
    client.force_login(lead)
    response = client.get(_list_url(interview))
    assert response.status_code == 200
    assert "nobody to invite" in response.text
    assert 'name="email"' not in response.text


def test_it_refuses_invitations_to_a_submitted_self_fill(
    client, lead, project, version, mailoutbox
):
    submitted = factories.assessment(
        project, version, mode=AssessmentMode.SELF_FILL, status=AssessmentStatus.SUBMITTED
    )
    client.force_login(lead)
    response = client.post(_list_url(submitted), {"email": "late@example.com"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_brand_viewer_may_not_see_or_send_invitations(client, viewer, self_fill, mailoutbox):
    client.force_login(viewer)
    assert client.get(_list_url(self_fill)).status_code == 403
    assert client.post(_list_url(self_fill), {"email": "x@example.com"}).status_code == 403
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_data_scientist_of_the_team_may_not_invite(client, data_scientist, self_fill):
    client.force_login(data_scientist)
    assert client.get(_list_url(self_fill)).status_code == 403


def test_another_brands_lead_gets_404(client, outsider, self_fill, mailoutbox):
    client.force_login(outsider)
    assert client.get(_list_url(self_fill)).status_code == 404
    assert client.post(_list_url(self_fill), {"email": "x@example.com"}).status_code == 404
    assert mailoutbox == []


def test_a_group_assessor_may_invite(client, group_assessor, self_fill, mailoutbox):
    client.force_login(group_assessor)
    response = client.post(_list_url(self_fill), {"email": "x@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_the_invitation_list_requires_login(client, self_fill):
    response = client.get(_list_url(self_fill))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_invitation_list_refuses_other_methods(client, lead, self_fill):
    client.force_login(lead)
    assert client.put(_list_url(self_fill)).status_code == 405
    assert client.delete(_list_url(self_fill)).status_code == 405


# Reminding


def test_a_reminder_sends_a_mail_and_stamps_reminded_at(client, lead, invitation, mailoutbox):
    client.force_login(lead)
    response = client.post(_remind_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == _list_url(invitation.assessment)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Reminder:")
    assert mailoutbox[0].to == ["newcomer@example.com"]
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None
    # The reminder's link works as well as the first one.
    client.logout()
    assert client.get(_link_in(mailoutbox[0])).status_code == 200


def test_a_reminder_needs_post(client, lead, invitation):
    client.force_login(lead)
    assert client.get(_remind_url(invitation)).status_code == 405


def test_a_brand_viewer_may_not_send_reminders(client, viewer, invitation, mailoutbox):
    client.force_login(viewer)
    assert client.post(_remind_url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.reminded_at is None
    assert mailoutbox == []


def test_another_brands_lead_cannot_remind(client, outsider, invitation, mailoutbox):
    client.force_login(outsider)
    assert client.post(_remind_url(invitation)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.reminded_at is None
    assert mailoutbox == []


def test_no_reminder_for_a_closed_assessment(client, lead, invitation, mailoutbox):
    invitation.assessment.status = AssessmentStatus.SUBMITTED
    invitation.assessment.save()
    client.force_login(lead)
    assert client.post(_remind_url(invitation)).status_code == 400
    assert mailoutbox == []


# Following the link


def test_a_new_address_creates_an_account_and_lands_on_the_fill_page(client, invitation):
    url = _accept_url(invitation)
    response = client.post(
        url,
        {
            "first_name": "Nora",
            "last_name": "Newcomer",
            "password1": "quiet-harbour-lantern-7",
            "password2": "quiet-harbour-lantern-7",
        },
    )
    assessment = invitation.assessment
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_fill", args=[assessment.code])
    user = User.objects.get(email="newcomer@example.com")
    assert user.username == "newcomer@example.com"
    assert user.get_full_name() == "Nora Newcomer"
    assert user.check_password("quiet-harbour-lantern-7")
    membership = Membership.objects.get(user=user, brand=assessment.project.brand)
    assert membership.role == BrandRole.DATA_SCIENTIST
    assert assessment.project.team.filter(pk=user.pk).exists()
    invitation.refresh_from_db()
    assert invitation.user == user
    assert invitation.accepted_at is not None
    # Logged in: the fill page opens.
    assert client.get(response["Location"]).status_code == 200


def test_the_account_form_shows_password_validation_errors(client, invitation):
    response = client.post(
        _accept_url(invitation),
        {"first_name": "Nora", "last_name": "Newcomer", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 400
    assert "too short" in response.text
    assert "entirely numeric" in response.text
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_the_account_form_refuses_different_passwords(client, invitation):
    response = client.post(
        _accept_url(invitation),
        {
            "first_name": "Nora",
            "last_name": "Newcomer",
            "password1": "quiet-harbour-lantern-7",
            "password2": "quiet-harbour-lantern-8",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("password2", "password_mismatch")
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_an_existing_account_must_log_in_first(client, self_fill, lead, data_scientist):
    invitation = Invitation.objects.create(
        assessment=self_fill, email=data_scientist.email, user=data_scientist, created_by=lead
    )
    url = _accept_url(invitation)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

    client.force_login(data_scientist)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_fill", args=[self_fill.code])
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_account_made_after_the_invitation_must_log_in(client, invitation, brand):
    factories.member(brand, BrandRole.VIEWER, username="late", email="newcomer@example.com")
    response = client.get(_accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_someone_else_logged_in_is_told_so(client, invitation, viewer):
    client.force_login(viewer)
    response = client.get(_accept_url(invitation))
    assert response.status_code == 403
    assert "sent to newcomer@example.com" in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert invitation.user is None


def test_an_accepted_link_needs_the_account_it_created(client, invitation):
    client.post(
        _accept_url(invitation),
        {
            "first_name": "Nora",
            "last_name": "Newcomer",
            "password1": "quiet-harbour-lantern-7",
            "password2": "quiet-harbour-lantern-7",
        },
    )
    client.logout()
    response = client.get(_accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert User.objects.filter(email="newcomer@example.com").count() == 1


def test_a_tampered_token_gets_a_clear_404_page(client, invitation):
    token = invitation_services.invitation_token(invitation)
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    response = client.get(reverse("invitation_accept", args=[tampered]))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.text
    response = client.get(reverse("invitation_accept", args=["nonsense"]))
    assert response.status_code == 404


def test_an_expired_token_says_so(client, invitation, settings, monkeypatch):
    settings.INVITATION_MAX_AGE_DAYS = 14
    fifteen_days_ago = time.time() - 15 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: fifteen_days_ago)
    token = invitation_services.invitation_token(invitation)
    monkeypatch.undo()
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 404
    assert "expired" in response.text
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_the_link_for_one_assessment_cannot_open_another(
    client, invitation, lead, project, version
):
    other = factories.assessment(
        factories.ProjectFactory(brand=project.brand), version, mode=AssessmentMode.SELF_FILL
    )
    # The token names both the invitation and its assessment; a mismatch is refused
    # even when it is signed with the right key.
    forged = signing.dumps(
        {"i": str(invitation.code), "a": str(other.code)}, salt=invitation_services._SALT
    )
    response = client.get(reverse("invitation_accept", args=[forged]))
    assert response.status_code == 404
    assert "no longer valid" in response.text

    with pytest.raises(invitation_services.InvalidInvitation):
        invitation_services.invitation_from_token(
            invitation_services.invitation_token(invitation), assessment_code=other.code
        )

    # Following the real link gives access to its own project only.
    client.post(
        _accept_url(invitation),
        {
            "first_name": "Nora",
            "last_name": "Newcomer",
            "password1": "quiet-harbour-lantern-7",
            "password2": "quiet-harbour-lantern-7",
        },
    )
    user = User.objects.get(email="newcomer@example.com")
    assert not other.project.team.filter(pk=user.pk).exists()
    response = client.get(reverse("assessment_fill", args=[other.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[other.code])


def test_a_link_to_a_submitted_assessment_is_refused(client, invitation):
    invitation.assessment.status = AssessmentStatus.SUBMITTED
    invitation.assessment.save()
    response = client.get(_accept_url(invitation))
    assert response.status_code == 404
    assert "no longer open" in response.text


def test_the_accept_page_refuses_other_methods(client, invitation):
    assert client.put(_accept_url(invitation)).status_code == 405
