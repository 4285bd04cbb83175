from django.urls import path

from reports.views import (
    brand,
    group,
    jobs,
    metrics,
    pages,
    product_lines,
    project,
    rounds,
    work,
)

urlpatterns = [
    path("", work.my_work, name="home"),
    path("brands/", pages.brand_list, name="brand_list"),
    path("brands/<uuid:code>/", brand.brand_detail, name="brand_detail"),
    path(
        "brands/<uuid:code>/dashboard/csv/<slug:chart>/",
        brand.brand_dashboard_csv,
        name="brand_dashboard_csv",
    ),
    path("dashboard/", group.group_dashboard, name="group_dashboard"),
    path("dashboard/gaps/", group.group_dashboard_gaps, name="group_dashboard_gaps"),
    path("dashboard/csv/<slug:chart>/", group.group_dashboard_csv, name="group_dashboard_csv"),
    path("projects/<uuid:code>/", project.project_detail, name="project_detail"),
    path(
        "projects/<uuid:code>/csv/profile/",
        project.project_profile_csv,
        name="project_profile_csv",
    ),
    path("product-lines/", product_lines.product_line_list, name="product_line_list"),
    path(
        "product-lines/<uuid:code>/",
        product_lines.product_line_detail,
        name="product_line_detail",
    ),
    path(
        "product-lines/<uuid:code>/csv/",
        product_lines.product_line_csv,
        name="product_line_csv",
    ),
    path("reports/", jobs.report_list, name="report_list"),
    path("reports/metrics/", metrics.report_metrics, name="report_metrics"),
    path("reports/<uuid:code>/", jobs.report_detail, name="report_detail"),
    path("reports/<uuid:code>/download/", jobs.report_download, name="report_download"),
    path("reports/<uuid:code>/retry/", jobs.report_retry, name="report_retry"),
    # An assessment round's progress and figures (the round page is in surveys).
    path("rounds/<uuid:code>/export.csv", rounds.round_csv, name="round_csv"),
    path("rounds/<uuid:code>/export.xlsx", rounds.round_xlsx, name="round_xlsx"),
]
