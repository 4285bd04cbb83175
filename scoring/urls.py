from django.urls import path

from scoring.views import benchmarks, gaps, movement, plans, trends

urlpatterns = [
    path("projects/<uuid:code>/plan/", plans.project_plan, name="project_plan"),
    path("projects/<uuid:code>/plan/actions/", plans.action_create, name="action_create"),
    path("actions/<uuid:code>/", plans.action_update, name="action_update"),
    path("gaps/", gaps.group_gaps, name="group_gaps"),
    path("brands/<uuid:code>/gaps/", gaps.brand_gaps, name="brand_gaps"),
    path("brands/<uuid:code>/benchmark/", benchmarks.brand_benchmark, name="brand_benchmark"),
    path("brands/<uuid:code>/trend/", trends.brand_trend, name="brand_trend"),
    path("projects/<uuid:code>/trend/", trends.project_trend, name="project_trend"),
    path("assessments/<uuid:code>/moved/", movement.assessment_moved, name="assessment_moved"),
]
