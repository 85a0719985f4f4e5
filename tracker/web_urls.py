from django.urls import path

from tracker import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("red-lines/", views.red_line_list, name="red-line-list"),
    path("red-lines/<slug:slug>/", views.red_line_detail, name="red-line-detail"),
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
]
