"""Views of the project package: dashboard, language preference, health check, outbox list, job progress."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from oms.import_templates import import_template, import_templates_for, template_response
from oms.models import BackgroundJob, OutboxMessage
from oms.privacy import can_view_personal_data, may_reveal, personal_data_log
from oms.redirects import safe_next_url
from oms.services import user_set_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = safe_next_url(request, fallback="/")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return HttpResponseRedirect(next_url)
    user_set_language(user=request.user, language=language)
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_not_required
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says: send them to the SVG icon."""
    return HttpResponseRedirect(static("favicon.svg"))


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class OutboxListView(PermissionRequiredMixin, ListView):
    permission_required = "oms.view_outboxmessage"
    template_name = "oms/outbox_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = OutboxMessage.objects.all()
        status = self.request.GET.get("status")
        if status in OutboxMessage.Status.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = OutboxMessage.Status.choices
        ctx["current_status"] = self.request.GET.get("status", "")
        return ctx


def _job_for(request: HttpRequest, pk: int) -> BackgroundJob:
    job = get_object_or_404(BackgroundJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    return job


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of a background job; HTMX polls the partial until it is finished."""
    job = _job_for(request, pk)
    template = "oms/inc/job_progress.html" if request.htmx else "oms/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_for(request, pk)
    if job.status != BackgroundJob.Status.DONE or not job.file:
        raise Http404(_("This job has no file to download (yet)."))
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name or None)


@require_POST
def personal_data_reveal(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    """Show one record's personal data in full to a user allowed to see it, and log that they did."""
    if not can_view_personal_data(request.user):
        raise PermissionDenied
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError) as exc:
        raise Http404(_("Unknown record type.")) from exc
    fields = getattr(model_class, "pii_fields", None)
    if not fields:
        raise Http404(_("This record holds no personal data."))
    instance = model_class._default_manager.filter(pk=pk).first()
    if instance is None or not may_reveal(request.user, instance):
        # The same answer whether the record exists or not: ids cannot be probed.
        raise PermissionDenied
    personal_data_log(
        user=request.user,
        instance=instance,
        fields=list(fields),
        purpose=request.POST.get("purpose", "")[:200],
    )
    values = [(model_class._meta.get_field(f).verbose_name, getattr(instance, f)) for f in fields]
    return render(request, "oms/inc/personal_data.html", {"values": values, "instance": instance})


def import_template_list(request: HttpRequest) -> HttpResponse:
    """Every import template the user may use, in English and Chinese, CSV and XLSX."""
    return render(request, "oms/import_templates.html", {"templates": import_templates_for(request.user)})


def import_template_download(request: HttpRequest, key: str) -> HttpResponse:
    template = import_template(key)
    if template is None:
        raise Http404(_("No such import template."))
    if template.permission and not request.user.has_perm(template.permission):
        raise PermissionDenied
    language = request.GET.get("lang") or translation.get_language() or "en"
    return template_response(template, language=language, fmt=request.GET.get("format", "xlsx"))
