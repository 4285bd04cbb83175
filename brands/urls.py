from django.urls import path

from brands import views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("account/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<uuid:code>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("brands/<uuid:code>/api-tokens/", views.brand_tokens, name="brand_tokens"),
]
