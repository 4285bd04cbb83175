from django.urls import path

from surveys import views

urlpatterns = [
    path("question-sets/", views.question_set_list, name="question_set_list"),
    path("question-sets/versions/<uuid:code>/", views.version_detail, name="version_detail"),
    path("assessments/<uuid:code>/", views.assessment_detail, name="assessment_detail"),
]
