"""Factories for the test suite: real rows in the real database."""

import datetime
import functools
from pathlib import Path

import factory
from django.utils import timezone

from brands.models import Brand, BrandRole, GroupRole, Membership, ProductLine, Project, User
from surveys import question_set_format as fmt
from surveys.models import Answer, Assessment, AssessmentMode, AssessmentStatus, QuestionSetVersion
from surveys.services import question_set_import

DATA = Path(__file__).resolve().parent.parent / "surveys" / "data"
# The set most tests build their fixtures on: the default set's edition 1, a shipped file that
# never changes, so that tests of the mechanics do not move with each new edition. The current
# edition (CURRENT_SET) has its own tests (tests/surveys/test_default_set_editions.py).
DEFAULT_SET = DATA / "mlops_maturity.edition1.yaml"
CURRENT_SET = DATA / "mlops_maturity.yaml"
PASSWORD = "a-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    country = "NL"


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine

    name = factory.Sequence(lambda n: f"Product line {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    kind = "batch"


def member(brand: Brand, role: str = BrandRole.LEAD, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, brand=brand, role=role)
    return user


def cast() -> dict:
    """The cast of tests/conftest.py's fixtures (same names, same people), made at once for a
    module that builds its data once (tests/test_tenant_isolation.py)."""
    brand = BrandFactory(name="Acme Groceries")
    other_brand = BrandFactory(name="Other Foods")
    project = ProjectFactory(brand=brand, name="Cross-sell API", kind="realtime")
    data_scientist = member(brand, BrandRole.DATA_SCIENTIST, username="ds")
    project.team.add(data_scientist)
    return {
        "version": default_version(),
        "brand": brand,
        "other_brand": other_brand,
        "project": project,
        "other_project": ProjectFactory(brand=other_brand, name="Demand forecast", kind="batch"),
        "lead": member(brand, BrandRole.LEAD, username="lead"),
        "viewer": member(brand, BrandRole.VIEWER, username="viewer"),
        "data_scientist": data_scientist,
        "group_admin": UserFactory(username="groupadmin", group_role=GroupRole.ADMIN),
        "group_assessor": UserFactory(username="assessor", group_role=GroupRole.ASSESSOR),
        "group_viewer": UserFactory(username="manager", group_role=GroupRole.VIEWER),
    }


@functools.cache
def default_spec() -> fmt.QuestionSetSpec:
    """The default set parsed once per run (specs are frozen, so sharing is safe)."""
    return fmt.parse(DEFAULT_SET.read_text(encoding="utf-8"))


@functools.cache
def default_source() -> str:
    return fmt.to_yaml(default_spec())


def default_version() -> QuestionSetVersion:
    """The published default set: found when already loaded (conftest preloads it), else imported."""
    loaded = QuestionSetVersion.objects.filter(
        question_set__key=default_spec().key, source=default_source(), status="published"
    ).first()
    if loaded is not None:
        return loaded
    version, _ = question_set_import(spec=default_spec(), publish=True)
    return version


def assessment(
    project: Project,
    version: QuestionSetVersion,
    *,
    status: str = AssessmentStatus.DRAFT,
    answers: dict[str, str] | None = None,
    assessed_on: datetime.date | None = None,
    mode: str = AssessmentMode.INTERVIEW,
) -> Assessment:
    """An assessment with `answers` ({question key: option key, or "na"})."""
    now = timezone.now()
    result = Assessment.objects.create(
        project=project,
        version=version,
        mode=mode,
        status=status,
        assessed_on=assessed_on or now.date(),
        validated_at=now if status == AssessmentStatus.VALIDATED else None,
        submitted_at=now if status != AssessmentStatus.DRAFT else None,
    )
    options = {o.key: o for o in version.options.all()}
    questions = {q.key: q for q in version.questions.all()}
    Answer.objects.bulk_create(
        Answer(
            assessment=result,
            question=questions[key],
            option=None if choice == "na" else options[choice],
            is_na=choice == "na",
            na_reason="Not relevant here" if choice == "na" else "",
            revision=1,
            answered_at=now,
        )
        for key, choice in (answers or {}).items()
    )
    return result


# --- Rounds (issue 16): rows made directly, as a launched round leaves them -----------------
# (Helper 6's block, for the reminder and interview-slot tests.)


def round_(
    version: QuestionSetVersion,
    *,
    name: str | None = None,
    opens_on: datetime.date,
    due_on: datetime.date,
    status: str = "open",
):
    from surveys.models import Round

    closed = status == "closed"
    return Round.objects.create(
        name=name or f"Round {Round.objects.count() + 1} {timezone.now().timestamp()}",
        question_set=version.question_set,
        opens_on=opens_on,
        due_on=due_on,
        status=status,
        launched_at=timezone.now() if status != "draft" else None,
        closed_at=timezone.now() if closed else None,
    )


def round_member(
    round,
    project: Project,
    version: QuestionSetVersion,
    *,
    mode: str = AssessmentMode.SELF_FILL,
    status: str = AssessmentStatus.DRAFT,
    answers: dict[str, str] | None = None,
    with_assessment: bool = True,
):
    """A project in `round` with its own assessment (self-fill or interview) in `status`."""
    from surveys.models import RoundMember

    made = None
    if with_assessment:
        made = assessment(project, version, status=status, answers=answers, mode=mode)
    return RoundMember.objects.create(round=round, project=project, mode=mode, assessment=made)


def submitted_self_fill(
    project: Project, version: QuestionSetVersion, *, lead: User, respondent: User, option="yes"
) -> Assessment:
    """A self-fill started by `lead`, every statement answered `option` by `respondent` through
    the answer service (revisions and history as on the screen), and submitted."""
    from surveys import services
    from surveys.models import AnswerVia

    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    for answer in assessment.answers.select_related("question"):
        services.answer_save(
            assessment=assessment,
            question_key=answer.question.key,
            user=respondent,
            base_revision=answer.revision,
            data=services.AnswerInput(option=option),
            via=AnswerVia.SELF_FILL,
        )
    return services.assessment_submit(assessment=assessment, user=respondent)
