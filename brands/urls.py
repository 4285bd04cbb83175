from django.urls import path

from brands import views, webhook_views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("account/language/", views.set_language, name="set_language"),
    path("account/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("audit/", views.audit_log, name="audit_log"),
    path("brands/<uuid:code>/webhooks/", webhook_views.webhook_list, name="webhook_list"),
    path("webhooks/<uuid:code>/", webhook_views.webhook_detail, name="webhook_detail"),
    path("webhooks/<uuid:code>/secret/", webhook_views.webhook_secret, name="webhook_secret"),
    path("webhooks/<uuid:code>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<uuid:code>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("brands/<uuid:code>/api-tokens/", views.brand_tokens, name="brand_tokens"),
]
