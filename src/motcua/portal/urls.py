from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from motcua.identity.forms import ThrottledPasswordResetForm
from motcua.portal import papers, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.search, name="search"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("thu-tuc/<str:code>/nop/", views.submit, name="submit"),
    path("nop-thanh-cong/<str:code>/", views.receipt, name="receipt"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my-dossiers"),
    path("ho-so-cua-toi/<str:code>/", views.my_dossier, name="my-dossier"),
    path("ho-so-cua-toi/<str:code>/mau-<str:form>/", papers.my_paper, name="paper"),
    path("ho-so-cua-toi/<str:code>/<str:action>/", views.my_dossier_action, name="my-dossier-action"),
    path("tra-cuu/", views.track, name="track"),
    path("tep/<uuid:file_id>/", views.download, name="download"),
    path("dang-ky/", views.register, name="register"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth.LogoutView.as_view(), name="logout"),
    path("sau-dang-nhap/", views.after_login, name="after-login"),
    path(
        "quen-mat-khau/",
        auth.PasswordResetView.as_view(
            template_name="portal/password_reset.html",
            success_url=reverse_lazy("portal:password-reset-done"),
            email_template_name="portal/password_reset_email.txt",
            form_class=ThrottledPasswordResetForm,
        ),
        name="password-reset",
    ),
    path(
        "quen-mat-khau/da-gui/",
        auth.PasswordResetDoneView.as_view(template_name="portal/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            template_name="portal/password_reset_confirm.html",
            success_url=reverse_lazy("portal:login"),
        ),
        name="password-reset-confirm",
    ),
]
