from django.urls import path

from tracker import alerts_views

urlpatterns = [
    path("follows/red-lines/<slug:slug>/", alerts_views.follow_red_line, name="follow-red-line"),
    path("follows/actors/<slug:slug>/", alerts_views.follow_actor, name="follow-actor"),
    path("follows/queries/", alerts_views.follow_query, name="follow-query"),
    path("follows/<int:follow_id>/delete/", alerts_views.unfollow, name="unfollow"),
]
