from django.urls import path

from motcua.national import views

app_name = "national"
urlpatterns = [
    path("", views.monitor, name="monitor"),
    path("bao-cao/", views.file_report, name="file-report"),
    path("api/auth", views.auth, name="auth"),
    path("api/integration", views.integration, name="integration"),
    path("api/digests", views.digests, name="digests"),
    path("api/versions", views.versions, name="versions"),
    path("api/report", views.report, name="report"),
]
