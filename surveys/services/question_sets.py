"""Writes for question sets and assessments."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from brands import audit
from brands.models import AuditAction, Brand, GroupRole, ProjectKind, User
from surveys import question_set_format as fmt
from surveys.models import (
    AnswerOption,
    LevelBand,
    Question,
    QuestionSet,
    QuestionSetDefault,
    QuestionSetVersion,
    Section,
    VersionStatus,
)
from surveys.services.errors import NotAllowed, SurveyError


class ImmutableVersionError(SurveyError):
    """A published question-set version was about to be changed."""

    status = 409


class DraftPending(SurveyError):
    """A question set can have one draft at a time."""

    status = 409


@transaction.atomic
def question_set_import(
    *, spec: fmt.QuestionSetSpec, publish: bool, active_if_new: bool = False
) -> tuple[QuestionSetVersion, bool]:
    """Store `spec` as the next version of its question set.

    Returns (version, created). Importing the same content as the newest
    version again changes nothing, so loading the default set is idempotent.
    Which sets new work uses is never changed by an import (see question_set_activate),
    with one exception: `active_if_new` makes a set that this import creates active (the
    sets shipped with Yardstick are offered for new assessments from a fresh install on).
    A set that exists already keeps its state, so a set a group admin retired stays retired.
    """
    source = fmt.to_yaml(spec)
    # A set loaded beside others starts inactive: new work keeps its set until a group admin
    # activates the new one. The first set loaded is active and the group's main set.
    first = not QuestionSet.objects.exists()
    question_set, _created = QuestionSet.objects.select_for_update().get_or_create(
        key=spec.key,
        defaults={
            "name": spec.name,
            "description": spec.description,
            "active": first or (active_if_new and publish),
            "is_main": first,
        },
    )
    latest = question_set.versions.order_by("-number").first()
    if latest is not None and latest.source == source:
        if publish and not latest.is_published:
            version_publish(version=latest)
        return latest, False

    draft = question_set.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise DraftPending(
            _(
                "%(set)s already has a draft (version %(number)s); publish or discard it "
                "before importing another version."
            )
            % {"set": question_set.name, "number": draft.number}
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
        AnswerOption(
            version=version,
            key=o.key,
            label=o.label,
            score=o.score,
            order=i,
            translations=o.translations,
        )
        for i, o in enumerate(spec.scale)
    )
    LevelBand.objects.bulk_create(
        LevelBand(
            version=version,
            name=lv.name,
            min_percent=lv.min_percent,
            description=lv.description,
            order=i,
            translations=lv.translations,
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
            translations=s.translations,
        )
        for q in s.questions:
            questions.append(
                Question(
                    version=version,
                    section=section,
                    key=q.key,
                    text=q.text,
                    subsection=q.subsection,
                    why=q.why,
                    good=q.good,
                    evidence=q.evidence,
                    weight=q.weight,
                    core=q.core,
                    applies_to=q.applies_to,
                    na_allowed=q.na_allowed,
                    order=len(questions),
                    translations=q.translations,
                )
            )
    Question.objects.bulk_create(questions)
    version.aggregation = spec.aggregation
    version.level_boundary = spec.level_boundary
    version.display = spec.display
    version.na_allowed = spec.na_allowed
    version.origin, version.licence, version.edition = spec.source, spec.licence, spec.edition
    version.language, version.translations = spec.language, spec.translations
    version.source = fmt.to_yaml(spec)
    version.save(
        update_fields=[
            "aggregation",
            "level_boundary",
            "display",
            "na_allowed",
            "origin",
            "licence",
            "edition",
            "language",
            "translations",
            "source",
        ]
    )


def version_publish(*, version: QuestionSetVersion, user=None) -> QuestionSetVersion:
    updated = QuestionSetVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    if not updated:
        raise ImmutableVersionError(
            _("%(version)s is already published; published versions never change.")
            % {"version": version}
        )
    version.refresh_from_db()
    if not QuestionSet.objects.filter(is_main=True).exists():
        # The group always has a main set once anything is published: figures default to it.
        QuestionSet.objects.filter(pk=version.question_set_id).update(is_main=True, active=True)
    audit.record(AuditAction.VERSION_PUBLISHED, actor=user, target=version)
    return version


# Which sets are in use: active or retired, the group's main set, defaults for new work.


def admins_only() -> str:
    return _("Only group admins can manage question sets.")


def _require_admin(user: User) -> None:
    if not (user.is_superuser or user.group_role == GroupRole.ADMIN):
        raise NotAllowed(admins_only())


def _unpublished(question_set: QuestionSet) -> str:
    return _("%(set)s has no published version yet; publish one first.") % {
        "set": question_set.name
    }


@transaction.atomic
def question_set_activate(*, question_set: QuestionSet, user: User, active: bool) -> QuestionSet:
    """Activate a set (new work may use it) or retire it (no new assessments; history and
    figures stay, and open assessments can still be finished)."""
    _require_admin(user)
    locked = QuestionSet.objects.select_for_update().get(pk=question_set.pk)
    if not active and locked.is_main:
        raise SurveyError(
            _("%(set)s is the group's main set; make another set the main one before retiring it.")
            % {"set": locked.name}
        )
    if active and not locked.versions.filter(status=VersionStatus.PUBLISHED).exists():
        raise SurveyError(_unpublished(locked))
    locked.active = active
    locked.save(update_fields=["active"])
    if not active:
        QuestionSetDefault.objects.filter(question_set=locked).delete()
    question_set.active = active
    return locked


@transaction.atomic
def question_set_make_main(*, question_set: QuestionSet, user: User) -> QuestionSet:
    """Make `question_set` the group's main set: the default for new work and dashboards."""
    _require_admin(user)
    locked = list(QuestionSet.objects.select_for_update().order_by("pk"))
    chosen = next(s for s in locked if s.pk == question_set.pk)
    if not chosen.active:
        raise SurveyError(
            _("%(set)s is retired; activate it before making it the main set.")
            % {"set": chosen.name}
        )
    if not chosen.versions.filter(status=VersionStatus.PUBLISHED).exists():
        raise SurveyError(_unpublished(chosen))
    QuestionSet.objects.filter(is_main=True).exclude(pk=chosen.pk).update(is_main=False)
    QuestionSet.objects.filter(pk=chosen.pk).update(is_main=True)
    question_set.is_main = True
    return chosen


@transaction.atomic
def question_set_default_set(
    *,
    user: User,
    question_set: QuestionSet | None,
    brand: Brand | None = None,
    project_kind: str = "",
) -> None:
    """The default set for one brand or one project kind; None goes back to the next rule
    (brand -> kind -> the group's main set)."""
    _require_admin(user)
    if (brand is None) == (not project_kind):
        raise SurveyError(_("A default is for one brand or for one kind of project."))
    if project_kind and project_kind not in ProjectKind.values:
        raise SurveyError(_("Unknown project kind '%(kind)s'.") % {"kind": project_kind})
    if question_set is not None and not question_set.active:
        raise SurveyError(
            _("%(set)s is retired; it cannot be a default.") % {"set": question_set.name}
        )
    place = {"brand": brand} if brand is not None else {"brand": None, "project_kind": project_kind}
    if question_set is None:
        QuestionSetDefault.objects.filter(**place).delete()
        return
    QuestionSetDefault.objects.update_or_create(**place, defaults={"question_set": question_set})


@transaction.atomic
def question_set_defaults_update(
    *, user: User, changes: list[tuple[dict, QuestionSet | None]]
) -> None:
    """Several defaults at once ({"brand": ...} or {"project_kind": ...}, set or None): all of
    them or, if one is refused, none."""
    for place, question_set in changes:
        question_set_default_set(user=user, question_set=question_set, **place)
