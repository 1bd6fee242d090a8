"""URLs of the connectors app (mounted under /connectors/)."""

from django.urls import path

from connectors import views

app_name = "connectors"
urlpatterns = [
    path("", views.ConnectionListView.as_view(), name="list"),
    path("new/", views.ConnectionEditView.as_view(), name="create"),
    path("<int:pk>/", views.ConnectionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ConnectionEditView.as_view(), name="edit"),
    path("<int:pk>/<str:action>/", views.ConnectionActionView.as_view(), name="action"),
    path("messages/", views.EventListView.as_view(), name="events"),
    path("messages/<int:pk>/retry/", views.EventRetryView.as_view(), name="event-retry"),
    path("stock/", views.ListingListView.as_view(), name="listings"),
    path("webhooks/<str:key>/", views.WebhookView.as_view(), name="webhook"),
]
