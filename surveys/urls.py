from django.urls import path

from surveys.views import answers, assessments, interview, invitations, question_sets, review

urlpatterns = [
    path("question-sets/", question_sets.question_set_list, name="question_set_list"),
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
]
