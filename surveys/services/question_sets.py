"""Writes for question sets and assessments."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from brands import audit
from brands.models import AuditAction
from surveys import question_set_format as fmt
from surveys.models import (
    AnswerOption,
    LevelBand,
    Question,
    QuestionSet,
    QuestionSetVersion,
    Section,
    VersionStatus,
)
from surveys.services.errors import SurveyError


class ImmutableVersionError(SurveyError):
    """A published question-set version was about to be changed."""

    status = 409


class DraftPending(SurveyError):
    """A question set can have one draft at a time."""

    status = 409


@transaction.atomic
def question_set_import(
    *, spec: fmt.QuestionSetSpec, publish: bool
) -> tuple[QuestionSetVersion, bool]:
    """Store `spec` as the next version of its question set.

    Returns (version, created). Importing the same content as the newest
    version again changes nothing, so loading the default set is idempotent.
    """
    source = fmt.to_yaml(spec)
    question_set, _ = QuestionSet.objects.select_for_update().get_or_create(
        key=spec.key, defaults={"name": spec.name, "description": spec.description}
    )
    latest = question_set.versions.order_by("-number").first()
    if latest is not None and latest.source == source:
        if publish and not latest.is_published:
            version_publish(version=latest)
        return latest, False

    draft = question_set.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise DraftPending(
            f"{question_set.name} already has a draft (version {draft.number}); "
            "publish or discard it before importing another version."
        )
    number = (question_set.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionSetVersion.objects.create(
        question_set=question_set, number=number, aggregation=spec.aggregation
    )
    version_contents_write(version=version, spec=spec)
    if spec.name != question_set.name or spec.description != question_set.description:
        question_set.name, question_set.description = spec.name, spec.description
        question_set.save(update_fields=["name", "description"])
    if publish:
        version_publish(version=version)
    return version, True


def version_contents_write(*, version: QuestionSetVersion, spec: fmt.QuestionSetSpec) -> None:
    """Make `version`'s scale, levels, sections and questions those of `spec`.

    For new versions and drafts only: callers check that the version is not published.
    """
    version.sections.all().delete()  # and their questions
    version.options.all().delete()
    version.levels.all().delete()
    AnswerOption.objects.bulk_create(
        AnswerOption(version=version, key=o.key, label=o.label, score=o.score, order=i)
        for i, o in enumerate(spec.scale)
    )
    LevelBand.objects.bulk_create(
        LevelBand(
            version=version,
            name=lv.name,
            min_percent=lv.min_percent,
            description=lv.description,
            order=i,
        )
        for i, lv in enumerate(spec.levels)
    )
    questions = []
    for s_index, s in enumerate(spec.sections):
        section = Section.objects.create(
            version=version,
            key=s.key,
            title=s.title,
            description=s.description,
            core=s.core,
            order=s_index,
        )
        for q in s.questions:
            questions.append(
                Question(
                    version=version,
                    section=section,
                    key=q.key,
                    text=q.text,
                    why=q.why,
                    good=q.good,
                    evidence=q.evidence,
                    weight=q.weight,
                    core=q.core,
                    applies_to=q.applies_to,
                    order=len(questions),
                )
            )
    Question.objects.bulk_create(questions)
    version.aggregation = spec.aggregation
    version.source = fmt.to_yaml(spec)
    version.save(update_fields=["aggregation", "source"])


def version_publish(*, version: QuestionSetVersion, user=None) -> QuestionSetVersion:
    updated = QuestionSetVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    if not updated:
        raise ImmutableVersionError(
            f"{version} is already published; published versions never change."
        )
    version.refresh_from_db()
    audit.record(AuditAction.VERSION_PUBLISHED, actor=user, target=version)
    return version
