"""Root URL configuration: the project's pages, each domain app under its prefix, the API and its schema."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from fulfillment import views_public as fulfillment_views
from oms import views
from reports.views import dashboard

urlpatterns = [
    # The landing page is the reports app's per-role dashboard (URL wiring is oms's one domain import).
    path("", dashboard, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("notifications/", views.OutboxListView.as_view(), name="outbox-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("imports/templates/", views.import_template_list, name="import-templates"),
    path("imports/templates/<slug:key>/", views.import_template_download, name="import-template"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("privacy/reveal/<str:model>/<int:pk>/", views.personal_data_reveal, name="personal-data-reveal"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("orders.api_urls")),
    path("api/v1/", include("inventory.api_urls")),
    path("api/v1/", include("fulfillment.api_urls")),
    path("track/", fulfillment_views.PublicTrackingView.as_view(), name="tracking-public"),
    path("track/s/<str:token>/", fulfillment_views.SignedTrackingView.as_view(), name="tracking-signed"),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
]

# Each domain app mounts its own urls.py when it has one.
for app_label, prefix in [
    ("inventory", "inventory/"),
    ("orders", "orders/"),
    ("fulfillment", "fulfillment/"),
    ("connectors", "connectors/"),
    ("aftersales", "aftersales/"),
    ("reconciliation", "reconciliation/"),
    ("reports", "reports/"),
]:
    try:
        urlpatterns.append(path(prefix, include(f"{app_label}.urls")))
    except ModuleNotFoundError as exc:
        if exc.name != f"{app_label}.urls":
            raise

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
