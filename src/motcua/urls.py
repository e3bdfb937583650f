from django.contrib import admin
from django.urls import include, path

from motcua.api.main import api
from motcua.metrics import views as metrics_views
from motcua.web import errors, views

admin.site.site_header = "motcua — Quản trị hệ thống"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị tỉnh: cơ quan, cán bộ, danh mục thủ tục, lịch làm việc"

urlpatterns = [
    path("", include("motcua.portal.urls")),
    path("mot-cua/", include("motcua.backoffice.urls")),
    path("xac-thuc/", include("motcua.identity.urls")),  # the login's second factor
    path("national/", include("motcua.national.urls")),
    path("cong-khai/chi-so/", metrics_views.transparency, name="transparency"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# Errors in the site's look and language, with a way back (also with DEBUG off): web/errors.py
handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
