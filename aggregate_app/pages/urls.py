"""The ops pages: `/` (state in the query string), `/ops/<view>/` (the same page), login, logout."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ops, name="ops"),
    path("ops/", views.ops),
    path("ops/<str:view>/", views.ops_path, name="ops-view"),
    path("login/", views.LoginView.as_view(), name="ops-login"),
    path("logout/", views.LogoutView.as_view(), name="ops-logout"),
]
