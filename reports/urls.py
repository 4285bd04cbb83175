from django.urls import path

from reports import views, views_dashboard

urlpatterns = [
    path("", views.home, name="home"),
    path("brands/", views.brand_list, name="brand_list"),
    path("brands/<uuid:code>/", views.brand_detail, name="brand_detail"),
    path("dashboard/", views_dashboard.group_dashboard, name="group_dashboard"),
    path("dashboard/gaps/", views_dashboard.group_dashboard_gaps, name="group_dashboard_gaps"),
    path(
        "dashboard/csv/<slug:chart>/",
        views_dashboard.group_dashboard_csv,
        name="group_dashboard_csv",
    ),
    path("projects/<uuid:code>/", views.project_detail, name="project_detail"),
]
