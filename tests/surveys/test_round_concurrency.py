"""Two launches of one round at the same moment, on PostgreSQL: the round's row lock makes
the second wait for the first and then find the round open, so nothing is created twice."""

import pytest

from brands.models import BrandRole, GroupRole
from surveys import services
from surveys.models import Assessment, Invitation, Round, RoundMember, RoundMode, RoundStatus
from tests import factories
from tests.clock import PINNED_TODAY
from tests.concurrency_support import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_launches_at_once_create_each_assessment_and_invitation_once():
    version = factories.default_version()
    brand = factories.BrandFactory(name="Acme Groceries")
    scientist = factories.member(brand, BrandRole.DATA_SCIENTIST, username="ds")
    for n in range(6):
        factories.ProjectFactory(brand=brand, name=f"Project {n}").team.add(scientist)
    assessor = factories.UserFactory(username="assessor", group_role=GroupRole.ASSESSOR)
    round_ = services.round_create(
        user=assessor,
        name="2026 Q4 round",
        question_set=version.question_set,
        selection={"default_mode": RoundMode.SELF_FILL},
        opens_on=PINNED_TODAY,
        due_on=PINNED_TODAY,
    )

    def launch():
        return services.round_launch(
            round_=Round.objects.get(pk=round_.pk), user=assessor, base_url="http://testserver"
        )

    results = race(launch, launch)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.already_launched for r in results) == [False, True]
    assert RoundMember.objects.filter(round=round_).count() == 6
    assert Assessment.objects.count() == 6
    assert Invitation.objects.count() == 6
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.OPEN
