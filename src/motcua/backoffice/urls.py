from django.urls import path

from motcua.backoffice import views
from motcua.portal.papers import desk_paper

app_name = "backoffice"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("lanh-dao/", views.leaders, name="leaders"),
    path("lanh-dao/ho-so/", views.drill, name="drill"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/mau-<str:form>/", desk_paper, name="paper"),
    path("ho-so/<str:code>/<str:action>/", views.act, name="act"),
]
