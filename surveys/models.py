"""Question sets and their versions, assessments, answers and answer history."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brands.models import Project
from surveys import question_set_format as fmt


class AggregationRule(models.TextChoices):
    WEIGHTED_MEAN = "weighted_mean", _("Weighted mean over all questions")
    MIN_SECTION = "min_section", _("Weakest section sets the score")


class AppliesTo(models.TextChoices):
    ALL = "all", _("All projects")
    BATCH = "batch", _("Batch jobs only")
    REALTIME = "realtime", _("Real-time APIs only")


class QuestionSet(models.Model):
    """A list of statements with its versions. Several sets are in use side by side; every
    figure is for one set and never mixes them."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Retired: no new assessments; its history and figures stay. Set by a group admin.
    active = models.BooleanField(default=True)
    # The group's main set: the default for new work and for the dashboards' filters.
    is_main = models.BooleanField(_("the group's main set"), default=False)

    class Meta:
        ordering = ["-is_main", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"], condition=Q(is_main=True), name="question_set_one_main"
            ),
            models.CheckConstraint(
                condition=Q(is_main=False) | Q(active=True), name="question_set_main_is_active"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuestionSetDefault(models.Model):
    """Which set new work uses by default, for one brand or for one kind of project.

    A brand's default comes first, then the project kind's, then the group's main set.
    """

    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="+")
    brand = models.OneToOneField(
        "brands.Brand", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    project_kind = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(brand__isnull=False) & Q(project_kind=""))
                | (Q(brand__isnull=True) & ~Q(project_kind="")),
                name="question_set_default_brand_or_kind",
            ),
            models.UniqueConstraint(
                fields=["project_kind"],
                condition=Q(brand__isnull=True),
                name="question_set_default_one_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand or self.project_kind}: {self.question_set}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("version status", "Draft")
    PUBLISHED = "published", pgettext_lazy("version status", "Published")


class QuestionSetVersion(models.Model):
    """One version of a question set. Immutable once published (enforced in services)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    aggregation = models.CharField(
        max_length=16, choices=AggregationRule.choices, default=AggregationRule.WEIGHTED_MEAN
    )
    level_boundary = models.CharField(
        max_length=16,
        choices=[("at_or_above", _("At or above its minimum")), ("above", _("Above its minimum"))],
        default="at_or_above",
        help_text=_("Where a level band starts (the first one starts at 0 either way)"),
    )
    # Percentages only, or points beside them ("2.5 of 7") where one assessment is shown.
    display = models.CharField(
        max_length=16,
        choices=[("percent", _("Percentages")), ("points", _("Points beside percentages"))],
        default="percent",
        help_text=_("How one assessment's figures are shown"),
    )
    # The set's default for its questions' na_allowed (kept so that files round-trip).
    na_allowed = models.BooleanField(_("N/A allowed"), default=True)
    # Where the set's content comes from, its licence and edition (the file's `metadata`).
    origin = models.TextField(_("source"), blank=True)
    licence = models.CharField(max_length=200, blank=True)
    edition = models.CharField(max_length=100, blank=True)
    # The language its texts are written in, and the set's name and description in others
    # ({language: {"name": ..., "description": ...}}); each part has its own translations.
    language = models.CharField(max_length=8, default=fmt.SOURCE_LANGUAGE)
    translations = models.JSONField(default=dict, blank=True)
    # The exact text this version was loaded from (canonical YAML), for export and audit.
    source = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["question_set", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "number"], name="version_number_unique_in_set"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=AggregationRule.values),
                name="version_aggregation_valid",
            ),
            models.CheckConstraint(
                condition=Q(level_boundary__in=fmt.LEVEL_BOUNDARIES),
                name="version_level_boundary_valid",
            ),
            models.CheckConstraint(
                condition=Q(display__in=fmt.DISPLAYS), name="version_display_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=VersionStatus.DRAFT) | Q(published_at__isnull=False),
                name="version_published_has_date",
            ),
            # Two drafts of one set would be edited in parallel and published over each other.
            models.UniqueConstraint(
                fields=["question_set"],
                condition=Q(status=VersionStatus.DRAFT),
                name="version_one_draft_per_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_set.name} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class AnswerOption(models.Model):
    """A point on a version's answer scale (N/A is not an option; it is a flag on the answer)."""

    version = models.ForeignKey(
        QuestionSetVersion, on_delete=models.CASCADE, related_name="options"
    )
    key = models.SlugField(max_length=30)
    label = models.CharField(max_length=60)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    order = models.PositiveSmallIntegerField()
    # Its texts in other languages: {language: {field: text}} (question_set_format.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="option_key_unique_in_version"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="option_score_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class LevelBand(models.Model):
    """A maturity level: applies from `min_percent` up to the next band's minimum."""

    version = models.ForeignKey(QuestionSetVersion, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(max_length=60)
    # Four places keep thresholds such as 100/7 = 14.2857 as written (the format refuses more).
    min_percent = models.DecimalField(max_digits=7, decimal_places=4)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()
    # Its texts in other languages: {language: {field: text}} (question_set_format.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "name"], name="level_name_unique_in_version"
            ),
            models.CheckConstraint(
                condition=Q(min_percent__gte=0) & Q(min_percent__lte=100),
                name="level_min_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def min_text(self) -> str:
        """The minimum exactly as written (14.2857, 30), never rounded for display."""
        return fmt.exact_text(self.min_percent)


class Section(models.Model):
    version = models.ForeignKey(
        QuestionSetVersion, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    core = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField()
    # Its texts in other languages: {language: {field: text}} (question_set_format.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="section_key_unique_in_version"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    version = models.ForeignKey(
        QuestionSetVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60, help_text=_("Stable across versions of the set"))
    text = models.TextField()
    subsection = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("A heading inside the section, shared by neighbours"),
    )
    why = models.TextField(_("why it matters"), blank=True)
    good = models.TextField(_("what yes looks like"), blank=True)
    evidence = models.TextField(_("evidence to ask for"), blank=True)
    weight = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    core = models.BooleanField(default=False)
    applies_to = models.CharField(max_length=16, choices=AppliesTo.choices, default=AppliesTo.ALL)
    na_allowed = models.BooleanField(
        _("N/A allowed"),
        default=True,
        help_text=_("Whether N/A (with a reason) is an answer to it"),
    )
    order = models.PositiveSmallIntegerField(help_text=_("Position in the whole version"))
    # Its texts in other languages: {language: {field: text}} (question_set_format.py).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="question_key_unique_in_version"
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=5), name="question_weight_in_range"
            ),
            models.CheckConstraint(
                condition=Q(applies_to__in=AppliesTo.values), name="question_applies_to_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"

    def applies_to_kind(self, kind: str) -> bool:
        return self.applies_to == AppliesTo.ALL or kind in (self.applies_to, "both")


def question_set_limits() -> fmt.Limits:
    """The question-set format's limits as the columns below define them.

    The format module restates them (it has no Django); a test checks both agree, so a
    column changed here without the format would be caught before a file can overflow it.
    """

    def length(model, name) -> int:
        return model._meta.get_field(name).max_length

    def places(model, name) -> int:
        return model._meta.get_field(name).decimal_places

    return fmt.Limits(
        key=min(length(QuestionSet, "key"), length(Section, "key"), length(Question, "key")),
        option_key=length(AnswerOption, "key"),
        option_label=length(AnswerOption, "label"),
        level_name=length(LevelBand, "name"),
        section_title=length(Section, "title"),
        subsection=length(Question, "subsection"),
        set_name=length(QuestionSet, "name"),
        licence=length(QuestionSetVersion, "licence"),
        edition=length(QuestionSetVersion, "edition"),
        text=fmt.EXCEL_CELL_CHARS,
        score_places=places(AnswerOption, "score"),
        weight_places=places(Question, "weight"),
        min_places=places(LevelBand, "min_percent"),
    )


class AssessmentMode(models.TextChoices):
    SELF_FILL = "self_fill", _("Self-fill")
    INTERVIEW = "interview", _("Interview")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("assessment status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("assessment status", "Submitted")
    VALIDATED = "validated", pgettext_lazy("assessment status", "Validated")


class Assessment(models.Model):
    """One measurement of one project against one question-set version."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    version = models.ForeignKey(
        QuestionSetVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    mode = models.CharField(max_length=16, choices=AssessmentMode.choices)
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField(help_text=_("The date the figures describe"))
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conducted_assessments",
    )
    interviewees = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The assessment whose answers this one started from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Sent back by a reviewer: the message to the respondents and when.
    return_message = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    # Interview clock: seconds spent before the current sitting, and when the
    # current sitting started (None while paused).
    interview_seconds = models.PositiveIntegerField(default=0)
    interview_resumed_at = models.DateTimeField(null=True, blank=True)
    interview_position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Index of the question the interview was on")
    )
    # Set when an open assessment is upgraded to a newer question-set version: this one
    # stays in history as it was, and the work continues in `superseded_by`.
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        help_text=_("The assessment that continued this one under a newer question-set version"),
    )

    class Meta:
        ordering = ["project", "-assessed_on", "-created_at"]
        indexes = [
            models.Index(fields=["project", "status", "assessed_on"]),
            # The work still open (drafts, submissions) is a few dozen rows among thousands of
            # validated ones; "My work", its count beside every page's navigation and the review
            # queue look only at those.
            models.Index(
                fields=["status", "mode"],
                condition=Q(status__in=[AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED]),
                name="assessment_open_work",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=AssessmentMode.values), name="assessment_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values), name="assessment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.VALIDATED) | Q(validated_at__isnull=False),
                name="assessment_validated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} - {self.assessed_on:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def quarter(self) -> str:
        return f"{self.assessed_on.year} Q{(self.assessed_on.month - 1) // 3 + 1}"

    @property
    def is_open(self) -> bool:
        return self.status == AssessmentStatus.DRAFT and self.superseded_by_id is None

    @property
    def is_validated(self) -> bool:
        return self.status == AssessmentStatus.VALIDATED


class Answer(models.Model):
    """The current answer to one question in one assessment.

    `revision` grows with every change; a save names the revision it was based
    on so that concurrent edits are detected instead of overwritten.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(
        AnswerOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_na = models.BooleanField(_("not applicable"), default=False)
    na_reason = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    interviewer_note = models.TextField(blank=True, help_text=_("Private to assessors"))
    carried_over = models.BooleanField(
        default=False, help_text=_("Copied from the previous assessment and not yet confirmed")
    )
    needs_attention = models.BooleanField(
        default=False,
        help_text=_("New or reworded in an upgrade to a newer version; cleared by the next save"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    # The language the statement was shown in when this answer was chosen ("nl"; the set's own
    # language where a translation was missing); empty when not known (older answers, the API).
    language = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["assessment", "question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="answer_one_per_question"
            ),
            models.CheckConstraint(
                condition=~(Q(is_na=True) & Q(option__isnull=False)),
                name="answer_option_or_na_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question.key}"

    @property
    def is_answered(self) -> bool:
        return self.is_na or self.option_id is not None

    @property
    def safe_evidence_url(self) -> str:
        """The evidence link if it is http(s); anything else is never rendered as a link."""
        url = self.evidence_url.strip()
        return url if url.lower().startswith(("https://", "http://")) else ""


class AnswerVia(models.TextChoices):
    SELF_FILL = "self_fill", _("Self-fill")
    INTERVIEW = "interview", _("Interview")
    REVIEW = "review", _("Review")
    IMPORT = "import", _("Import")
    CARRY_OVER = "carry_over", _("Carried over")
    SEED = "seed", _("Demo data")


class AnswerEventQuerySet(models.QuerySet):
    """Answer history can be added to, never rewritten: bulk changes are refused too.

    The database refuses updates as well (a trigger, see migration 0004); rows
    only disappear with the assessment they belong to.
    """

    def update(self, **kwargs):
        raise ValueError("Answer history is append-only; events cannot be changed")

    def delete(self):
        raise ValueError("Answer history is append-only; events cannot be deleted")


class AnswerEvent(models.Model):
    """One change of an answer. Append-only: never updated or deleted by the app."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="events")
    # PROTECT: people who changed answers are deactivated, not deleted, so history keeps them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()
    via = models.CharField(max_length=16, choices=AnswerVia.choices)
    revision = models.PositiveIntegerField(help_text=_("The answer's revision after this change"))
    # {"field": [old, new], ...} for every field that changed.
    changes = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    # The language the statement was shown in when this change was made (empty: not known).
    language = models.CharField(max_length=8, blank=True, default="")

    objects = AnswerEventQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "revision"], name="event_one_per_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} r{self.revision} via {self.via}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Answer history is append-only; events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Answer history is append-only; events cannot be deleted")


class Invitation(models.Model):
    """A respondent invited to fill one assessment, by account or by e-mail address.

    The link sent by e-mail carries a signed, expiring token naming this row;
    it opens only this invitation's assessment.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The language the invitation is written in, and the self-fill shown in to someone who has
    # not chosen one (empty for invitations older than the choice: the site's default).
    language = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["assessment", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "email"], name="invitation_one_per_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.assessment}"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("round status", "Draft")
    OPEN = "open", pgettext_lazy("round status", "Open")
    CLOSED = "closed", pgettext_lazy("round status", "Closed")


class RoundMode(models.TextChoices):
    """How a project in a round is assessed: a fixed mode, or the brand lead chooses later."""

    SELF_FILL = "self_fill", _("Self-fill")
    INTERVIEW = "interview", _("Interview")
    LEAD_DECIDES = "lead_decides", _("Brand lead decides")


class Round(models.Model):
    """A campaign of assessments across brands: one question set, chosen projects, a due date.

    Launching it starts an assessment per chosen project (or lists the project's open one);
    closing it freezes who is in it. Its figures become a named point in trends and reports.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120, unique=True)
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    opens_on = models.DateField()
    due_on = models.DateField()
    # The choice of projects as it was made (brands, kinds, criticalities, product lines,
    # "not assessed for N quarters"), kept to show on the round page.
    selection = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")), name="round_due_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(status=RoundStatus.CLOSED) | Q(closed_at__isnull=False),
                name="round_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoundMember(models.Model):
    """One project in a round, and the assessment that answers for it there."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="members")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="round_members")
    mode = models.CharField(max_length=16, choices=RoundMode.choices)
    # Started by the launch, or the project's assessment of the same set that was already
    # open (listed, not duplicated); empty while the brand lead has still to choose a mode.
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="round_members",
    )
    already_open = models.BooleanField(
        default=False, help_text=_("The assessment was open before the round was launched")
    )
    # An interview: the day the lead planned it for.
    interview_planned_on = models.DateField(null=True, blank=True)
    interview_planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "project__brand__name", "project__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="round_member_once"),
            models.CheckConstraint(
                condition=Q(mode__in=RoundMode.values), name="round_member_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} in {self.round}"


# --- Round reminders (issue 16, part 3): one daily digest per person, and what it said ---


class ReminderReason(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class ReminderRole(models.TextChoices):
    """Why this person hears about the round member: they answer it, or they lead its brand."""

    RESPONDENT = "respondent", _("Respondent")
    LEAD = "lead", _("Brand lead (overview)")


class ReminderDigest(models.Model):
    """The one reminder e-mail a person gets on a day, covering all their rounds.

    Unique per address and day, so running the reminders twice on a day sends nothing twice.
    `user` is the account the address belonged to when it was sent (empty for someone invited
    by e-mail who has no account yet); only that person sees it on "Why did I get this".
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder_digests",
    )
    email = models.EmailField()
    day = models.DateField(help_text=_("The day the reminders were for"))
    subject = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "day"], name="reminder_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.email} on {self.day:%Y-%m-%d}"

    @property
    def respondent_items(self) -> list:
        return [item for item in self.items.all() if item.role == ReminderRole.RESPONDENT]

    @property
    def lead_items(self) -> list:
        return [item for item in self.items.all() if item.role == ReminderRole.LEAD]


class ReminderItem(models.Model):
    """One line of a digest: a round member, why it was mentioned, and in which capacity."""

    digest = models.ForeignKey(ReminderDigest, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey(RoundMember, on_delete=models.CASCADE, related_name="reminders")
    reason = models.CharField(max_length=16, choices=ReminderReason.choices)
    role = models.CharField(max_length=16, choices=ReminderRole.choices)
    # As it stood when the mail went out: days left (due soon) or days late (overdue), and
    # the state of the assessment in words ("not started", "in progress", ...).
    days = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["digest", "member__round__due_on", "member__project__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "member", "role"], name="reminder_item_once_per_digest"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ReminderReason.values), name="reminder_item_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(role__in=ReminderRole.values), name="reminder_item_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.member} ({self.get_role_display()})"


# --- Evidence from pipelines (issue 18, part 3) ----------------------------------------------


class EvidenceOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class PipelineEvidence(models.Model):
    """What a pipeline (CI, a model registry, monitoring) reported about one statement of one
    project: a link, passed or failed, the run and commit it came from, and when it looked.

    It belongs to the project's statement (by its key, stable across versions of a set), not
    to one assessment: the reviewer and the interviewer see the latest beside the statement and
    may adopt its link as the answer's evidence. It never changes an answer by itself. Written
    only by `surveys.services.evidence_record`, which holds every rule.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pipeline_evidence")
    question_key = models.SlugField(max_length=60, help_text=_("The statement's stable key"))
    # Empty: whichever of the project's sets has a statement with this key; set when the
    # pipeline named the set (two sets may use the same key for different statements).
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    url = models.URLField(_("link"), max_length=500)
    outcome = models.CharField(max_length=16, choices=EvidenceOutcome.choices)
    run_id = models.CharField(_("pipeline run"), max_length=200, blank=True)
    run_url = models.URLField(_("link to the run"), max_length=500, blank=True)
    commit = models.CharField(max_length=64, blank=True, help_text=_("Hexadecimal commit id"))
    observed_at = models.DateTimeField(help_text=_("When the pipeline observed it (its own clock)"))
    received_at = models.DateTimeField(help_text=_("When Yardstick received it"))
    # PROTECT: people (and the accounts API tokens act for) are deactivated, not deleted.
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True, help_text=_('E.g. "GitHub Actions"'))

    class Meta:
        ordering = ["project", "question_key", "-observed_at", "-id"]
        indexes = [
            # The latest evidence per project and statement: one index range per statement.
            models.Index(
                fields=["project", "question_key", "-observed_at", "-id"],
                name="evidence_latest_per_statement",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=EvidenceOutcome.values), name="evidence_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} / {self.question_key}: {self.outcome} at {self.observed_at}"

    @property
    def short_commit(self) -> str:
        return self.commit[:7]

    @property
    def source_name(self) -> str:
        return self.source or "CI"

    @property
    def is_failing(self) -> bool:
        return self.outcome == EvidenceOutcome.FAILED
