from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from brands.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("brands.urls")),
    path("", include("reports.urls")),
    path("", include("surveys.urls")),
    path("", include("scoring.urls")),
    path("admin/", admin.site.urls),
]
