"""The list-view side of bulk actions: the bar's context, the confirmation that states the count, the run.

A list view mixes in ``BulkMixin``, names its list (``bulk_list_key``), says how its GET parameters filter it
(``bulk_queryset``; a ``ListView`` filtering ``request.GET`` in ``get_queryset`` needs nothing) and, for the
"export" action, how it exports (``bulk_export``; by default ``oms.exports.ListExportMixin``'s). Its template includes
``inc/bulk_bar.html`` (with ``bulk``) above the table, ``inc/bulk_check_all.html`` in the header row and
``inc/bulk_check.html`` in each row. The bar posts to the list's own URL:

1. without ``confirmed``: the confirmation page ("Hold 12 orders?", with the reason or choice the action
   needs);
2. with it: up to ``SYNC_LIMIT`` records run now and the result page lists each one (done / refused and
   why); more run as a background job whose page shows the progress and then the same list.

"Selected" means the ticked rows (still within the list's filter); "matching" means every record the filter
finds, up to ``MAX_RECORDS``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms import bulk
from oms.forms import style_fields
from oms.jobs import job_start

DROPPED_PARAMS = ("page", "export")


class BulkConfirmForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)
    choice = forms.ChoiceField(label=gettext_lazy("Choose"), required=False, choices=())

    def __init__(self, *args, action: bulk.BulkAction, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action.needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        if action.choices:
            self.fields["choice"].choices = [("", "---------"), *action.choices()]
            self.fields["choice"].required = True
            self.fields["choice"].label = action.choice_label or self.fields["choice"].label
        else:
            del self.fields["choice"]
        style_fields(self.fields)


def list_query(params: QueryDict) -> str:
    """The list's filter as a query string, without the page number and the export switch."""
    query = params.copy()
    for name in DROPPED_PARAMS:
        query.pop(name, None)
    return query.urlencode()


class BulkMixin:
    bulk_list_key = ""

    def bulk_queryset(self, params: QueryDict):
        """The list's records for these GET parameters, or ``None`` when the filter is not understood.

        By default the list's own ``get_queryset()`` reading ``params`` as its query string (a ``ListView``
        whose filter reads ``request.GET``); a view with another filter overrides this.
        """
        original = self.request.GET
        self.request.GET = params
        try:
            return self.get_queryset()
        finally:
            self.request.GET = original

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["bulk"] = self.bulk_context(self.object_list)
        return ctx

    def bulk_export(self, qs, fmt: str) -> HttpResponse:
        """The "export" action: by default the list's own export (``oms.exports.ListExportMixin``)."""
        if not hasattr(self, "export_rows"):
            raise Http404
        return self.export_rows(qs, fmt)

    def bulk_context(self, qs) -> dict:
        """What ``inc/bulk_bar.html`` needs: the user's actions, the count the filter matches, the filter."""
        actions = bulk.bulk_actions_for(self.bulk_list_key, self.request.user)
        if not actions:
            return {}
        total = qs.order_by()[: bulk.MAX_RECORDS + 1].count()
        return {
            "actions": actions,
            "total": min(total, bulk.MAX_RECORDS),
            "over": total > bulk.MAX_RECORDS,
            "query": list_query(self.request.GET),
            "noun": bulk.bulk_list(self.bulk_list_key).noun,
        }

    def _back(self, query: str) -> HttpResponseRedirect:
        return HttpResponseRedirect(self.request.path + (f"?{query}" if query else ""))

    def _selected_ids(self, qs, post) -> list[int]:
        if post.get("scope") != "matching":
            picked = {int(v) for v in post.getlist("ids") if v.isdigit()}
            qs = qs.filter(pk__in=picked)
        return list(qs.order_by("pk").values_list("pk", flat=True)[: bulk.MAX_RECORDS + 1])

    def post(self, request, *args, **kwargs):
        action = bulk.bulk_action(self.bulk_list_key, request.POST.get("action", ""))
        if action is None:
            raise Http404
        if not action.allowed(request.user):
            raise PermissionDenied
        query = request.POST.get("query", "")
        qs = self.bulk_queryset(QueryDict(query))
        if qs is None:
            messages.error(request, _("The filter was not understood; nothing was changed."))
            return self._back(query)
        ids = self._selected_ids(qs, request.POST)
        if not ids:
            messages.error(request, _("Select at least one row first."))
            return self._back(query)
        if len(ids) > bulk.MAX_RECORDS:
            messages.error(
                request,
                _("More than %(max)s records match: narrow the filter first.") % {"max": bulk.MAX_RECORDS},
            )
            return self._back(query)
        if action.kind == bulk.DOWNLOAD:
            return self.bulk_export(qs.filter(pk__in=ids), action.extra.get("format", "csv"))
        form = BulkConfirmForm(request.POST if request.POST.get("confirmed") else None, action=action)
        if not form.is_valid():
            return self._confirm(action, ids, query, form)
        return self._run(action, ids, query, form.cleaned_data)

    def _confirm(self, action, ids, query, form) -> HttpResponse:
        scope = self.request.POST.get("scope", "selected")
        ctx = {
            "action": action,
            "count": len(ids),
            "noun": bulk.bulk_list(self.bulk_list_key).noun,
            "ids": ids if scope != "matching" else [],
            "scope": scope,
            "query": query,
            "form": form,
            "back": self.request.path + (f"?{query}" if query else ""),
            "as_job": action.kind == bulk.FILE or len(ids) > bulk.SYNC_LIMIT,
        }
        return render(self.request, "oms/bulk_confirm.html", ctx)

    def _run(self, action, ids, query, data) -> HttpResponse:
        reason = data.get("reason", "").strip()
        params = {"choice": data["choice"]} if data.get("choice") else {}
        noun = bulk.bulk_list(self.bulk_list_key).noun
        if action.kind == bulk.FILE or len(ids) > bulk.SYNC_LIMIT:
            job = job_start(
                kind=_("%(action)s: %(count)s %(noun)s")
                % {"action": action.label, "count": len(ids), "noun": noun},
                handler="oms.bulk.bulk_job",
                params={
                    "list_key": self.bulk_list_key,
                    "action": action.name,
                    "ids": ids,
                    "reason": reason,
                    "params": params,
                    "language": translation.get_language(),
                },
                by=self.request.user,
            )
            return HttpResponseRedirect(reverse("job-detail", args=[job.pk]))
        rows = bulk.bulk_run(
            list_key=self.bulk_list_key,
            action=action,
            ids=ids,
            by=self.request.user,
            reason=reason,
            params=params,
        )
        ctx = {
            "action": action,
            "noun": noun,
            "rows": sorted(rows, key=lambda r: (r["ok"], r["pk"])),
            "summary": bulk.summary(rows),
            "back": self.request.path + (f"?{query}" if query else ""),
        }
        return render(self.request, "oms/bulk_result.html", ctx)
