from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from brands import oidc
from brands.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (brands/oidc.py): both answer 404 unless OIDC_CLIENT_ID is set.
    path("sso/login/", oidc.LoginStartView.as_view(), name="oidc_authentication_init"),
    path("sso/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("", include("brands.urls")),
    path("", include("reports.urls")),
    path("", include("surveys.urls")),
    path("", include("scoring.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
