from django.urls import path

from surveys.views import (
    answers,
    assessments,
    interview,
    invitations,
    question_sets,
    reminders,
    review,
    rounds,
    versions,
    workbooks,
)

urlpatterns = [
    # Assessment rounds: a campaign across brands, launched, followed and closed.
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<uuid:code>/", rounds.round_detail, name="round_detail"),
    path("rounds/<uuid:code>/launch/", rounds.round_launch, name="round_launch"),
    path("rounds/<uuid:code>/close/", rounds.round_close, name="round_close"),
    path("rounds/projects/<uuid:code>/", rounds.round_member, name="round_member"),
    path("question-sets/", question_sets.question_set_list, name="question_set_list"),
    path(
        "question-sets/defaults/",
        question_sets.question_set_defaults,
        name="question_set_defaults",
    ),
    path(
        "question-sets/<uuid:code>/state/",
        question_sets.question_set_state,
        name="question_set_state",
    ),
    path(
        "question-sets/versions/<uuid:code>/",
        question_sets.version_detail,
        name="version_detail",
    ),
    path(
        "projects/<uuid:code>/assessments/start/",
        assessments.assessment_start,
        name="assessment_start",
    ),
    path("assessments/<uuid:code>/", assessments.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<uuid:code>/submit/", assessments.assessment_submit, name="assessment_submit"
    ),
    path("assessments/<uuid:code>/fill/", answers.assessment_fill, name="assessment_fill"),
    path("assessments/<uuid:code>/answers/<slug:key>/", answers.answer_save, name="answer_save"),
    path(
        "assessments/<uuid:code>/answers/<slug:key>/history/",
        answers.answer_history,
        name="answer_history",
    ),
    path(
        "assessments/<uuid:code>/invitations/",
        invitations.invitation_list,
        name="invitation_list",
    ),
    path(
        "invitations/<uuid:code>/remind/",
        invitations.invitation_remind,
        name="invitation_remind",
    ),
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path(
        "assessments/<uuid:code>/interview/",
        interview.interview_console,
        name="interview_console",
    ),
    path(
        "assessments/<uuid:code>/interview/pause/",
        interview.interview_pause,
        name="interview_pause",
    ),
    path(
        "assessments/<uuid:code>/interview/finalise/",
        interview.interview_finalise,
        name="interview_finalise",
    ),
    path("assessments/<uuid:code>/review/", review.assessment_review, name="assessment_review"),
    path(
        "assessments/<uuid:code>/review/validate/",
        review.assessment_validate,
        name="assessment_validate",
    ),
    path(
        "assessments/<uuid:code>/review/return/",
        review.assessment_return,
        name="assessment_return",
    ),
    # Question-set versions: drafting, editing, comparing, publishing; upgrading assessments.
    path(
        "question-sets/versions/<uuid:code>/export.yaml",
        question_sets.version_yaml,
        name="version_yaml",
    ),
    path(
        "question-sets/versions/<uuid:code>/export.xlsx",
        question_sets.version_xlsx,
        name="version_xlsx",
    ),
    path(
        "question-sets/versions/<uuid:code>/new-draft/",
        versions.version_draft_new,
        name="version_draft_new",
    ),
    path(
        "question-sets/versions/<uuid:code>/new-draft/copy/",
        versions.version_draft_copy,
        name="version_draft_copy",
    ),
    path(
        "question-sets/versions/<uuid:code>/new-draft/upload/",
        versions.version_draft_upload,
        name="version_draft_upload",
    ),
    path("question-sets/versions/<uuid:code>/edit/", versions.draft_edit, name="draft_edit"),
    path(
        "question-sets/versions/<uuid:code>/edit/question/",
        versions.draft_question_edit,
        name="draft_question_edit",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/question/new/",
        versions.draft_question_add,
        name="draft_question_add",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/question/remove/",
        versions.draft_question_remove,
        name="draft_question_remove",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/question/move/",
        versions.draft_question_move,
        name="draft_question_move",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/section/",
        versions.draft_section_edit,
        name="draft_section_edit",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/section/new/",
        versions.draft_section_add,
        name="draft_section_add",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/section/remove/",
        versions.draft_section_remove,
        name="draft_section_remove",
    ),
    path(
        "question-sets/versions/<uuid:code>/edit/scoring/",
        versions.draft_scoring_edit,
        name="draft_scoring_edit",
    ),
    path("question-sets/versions/<uuid:code>/diff/", versions.version_diff, name="version_diff"),
    path(
        "question-sets/versions/<uuid:code>/preview/",
        versions.draft_preview,
        name="draft_preview",
    ),
    path(
        "question-sets/versions/<uuid:code>/publish/",
        versions.draft_publish,
        name="draft_publish",
    ),
    path(
        "question-sets/versions/<uuid:code>/discard/",
        versions.draft_discard,
        name="draft_discard",
    ),
    path(
        "assessments/<uuid:code>/upgrade/",
        versions.assessment_upgrade,
        name="assessment_upgrade",
    ),
    # Offline questionnaires (Excel): download, upload, preview, apply; earlier rounds.
    path(
        "assessments/<uuid:code>/workbook/",
        workbooks.workbook_download,
        name="workbook_download",
    ),
    path(
        "assessments/<uuid:code>/workbook/upload/",
        workbooks.workbook_upload,
        name="workbook_upload",
    ),
    path(
        "assessments/<uuid:code>/workbook/preview/",
        workbooks.workbook_preview,
        name="workbook_preview",
    ),
    path(
        "assessments/<uuid:code>/workbook/apply/",
        workbooks.workbook_apply,
        name="workbook_apply",
    ),
    path(
        "projects/<uuid:code>/earlier-round/",
        workbooks.historic_import,
        name="historic_import",
    ),
    path(
        "projects/<uuid:code>/earlier-round/template/",
        workbooks.historic_template,
        name="historic_template",
    ),
]

# Round reminders ("Why did I get this") and interview slots (issue 16, part 3).
urlpatterns += [
    path("reminders/", reminders.reminder_list, name="reminder_list"),
    path("reminders/<uuid:code>/", reminders.reminder_detail, name="reminder_detail"),
    path("rounds/<uuid:code>/interviews/", reminders.round_interviews, name="round_interviews"),
    path(
        "rounds/members/<uuid:code>/interview/",
        reminders.member_interview,
        name="member_interview",
    ),
]
