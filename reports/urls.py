from django.urls import path

from reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("brands/", views.brand_list, name="brand_list"),
    path("brands/<uuid:code>/", views.brand_detail, name="brand_detail"),
    path("projects/<uuid:code>/", views.project_detail, name="project_detail"),
]
