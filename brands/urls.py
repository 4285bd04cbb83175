from django.urls import path

from brands import views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("account/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("audit/", views.audit_log, name="audit_log"),
]
