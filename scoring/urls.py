from django.urls import path

from scoring.views import benchmarks, gaps, movement, plans, trackers, trends

urlpatterns = [
    path("projects/<uuid:code>/plan/", plans.project_plan, name="project_plan"),
    path("projects/<uuid:code>/plan/actions/", plans.action_create, name="action_create"),
    path("actions/<uuid:code>/", plans.action_update, name="action_update"),
    path("projects/<uuid:code>/plan/jira.csv", plans.project_plan_csv, name="project_plan_csv"),
    path("actions/<uuid:code>/issue/", trackers.action_issue, name="action_issue"),
    path("brands/<uuid:code>/trackers/", trackers.tracker_list, name="tracker_list"),
    path("trackers/<uuid:code>/", trackers.tracker_detail, name="tracker_detail"),
    path("trackers/<uuid:code>/secret/", trackers.tracker_secret, name="tracker_secret"),
    path("trackers/<uuid:code>/delete/", trackers.tracker_delete, name="tracker_delete"),
    path("trackers/<uuid:code>/hook/", trackers.tracker_hook, name="tracker_hook"),
    path("gaps/", gaps.group_gaps, name="group_gaps"),
    path("brands/<uuid:code>/gaps/", gaps.brand_gaps, name="brand_gaps"),
    path("brands/<uuid:code>/benchmark/", benchmarks.brand_benchmark, name="brand_benchmark"),
    path("brands/<uuid:code>/trend/", trends.brand_trend, name="brand_trend"),
    path("projects/<uuid:code>/trend/", trends.project_trend, name="project_trend"),
    path("assessments/<uuid:code>/moved/", movement.assessment_moved, name="assessment_moved"),
]
