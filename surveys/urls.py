from django.urls import path

from surveys.views import answers, assessments, invitations, question_sets

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
]
