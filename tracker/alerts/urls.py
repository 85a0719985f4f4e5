from django.urls import path

from tracker.alerts import views

urlpatterns = [
    path("follows/red-lines/<slug:slug>/", views.follow_red_line, name="follow-red-line"),
    path("follows/actors/<slug:slug>/", views.follow_actor, name="follow-actor"),
    path("follows/queries/", views.follow_query, name="follow-query"),
    path("follows/<int:follow_id>/delete/", views.unfollow, name="unfollow"),
]
