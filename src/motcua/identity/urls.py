from django.urls import path

from motcua.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("thiet-lap/", views.enrol, name="enrol"),
]
