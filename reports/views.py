"""The clinic admins' reports page, and each of its tables as a CSV file."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.roles import RUNS_THE_CLINIC
from protocols.models import ProtocolTemplate, Session
from reports import charts, selectors, tables
from reports.forms import ReportFilterForm


def _report(request):
    """The form, and the report when the filters are valid (None otherwise)."""
    clinic = request.user.clinic
    if clinic is None:
        raise PermissionDenied(_("Your account does not belong to a clinic."))
    today = timezone.localdate()
    templates = {t.pk: t for t in ProtocolTemplate.objects.filter(clinic=clinic)}
    form = ReportFilterForm(request.GET, clinic=clinic, today=today, templates=templates)
    if not form.is_valid():
        return form, None
    filters = form.filters()
    return form, selectors.report(filters, clinic, today, templates=templates, staff=form.staff)


# Rounded first: number_format cuts the decimals it does not show (6.875 would read 6.8 beside
# the table's 6.9).
def _number(value) -> str:
    return number_format(round(value, 1), 1)


def _percent(value) -> str:
    return f"{number_format(round(value * 100, 1), 1)}\u00a0%"


def _chosen(form):
    """(label, choice) of each filter beyond the period that is set, for the page's heading."""
    chosen = []
    for name in ("template", "condition", "therapist"):
        value = form.cleaned_data.get(name)
        if value not in (None, ""):
            labels = {str(key): label for key, label in form.fields[name].choices}
            chosen.append((form.fields[name].label, labels.get(str(value), value)))
    return chosen


def _charts(report):
    outcomes = [
        (tables.template_name(report, o.template_id), [o.mean_before, o.mean_after])
        for o in report.outcomes
        if o.enough
    ]
    labels = dict(Session.STATUS_CHOICES)
    counts = report.adherence.sessions
    sessions = [(str(labels[s]), [counts.get(s, 0)]) for s in tables.SESSION_ORDER]
    most = max((n for _label, (n,) in sessions), default=0)
    use = [(u.name, [u.share]) for u in report.utilisation.therapists + report.utilisation.rooms]
    return {
        "outcomes": charts.bar_chart(
            _("Mean pain (0–10) before the first session and after the last, per template"),
            outcomes,
            series=(_("before"), _("after")),
            maximum=10,
            text=_number,
        ),
        "sessions": charts.bar_chart(
            _("Sessions in the period by status"),
            sessions if most else [],
            maximum=most,
        ),
        "use": charts.bar_chart(
            _("Share of working hours booked, per therapist and per room"),
            use,
            maximum=max([1.0, *(v for _label, (v,) in use if v is not None)]),
            text=_percent,
        ),
    }


@require_GET
@login_required
@permission_required(RUNS_THE_CLINIC, raise_exception=True)
def reports_page(request):
    form, report = _report(request)
    context = {"form": form, "report": report, "min_courses": selectors.MIN_COURSES}
    if report is not None:
        by_slug = tables.all_tables(report)
        context["tables"] = {slug.replace("-", "_"): table for slug, table in by_slug.items()}
        context["charts"] = _charts(report)
        context["chosen"] = _chosen(form)
        context["query"] = request.GET.urlencode()
    return render(request, "reports/index.html", context)


@require_GET
@login_required
@permission_required(RUNS_THE_CLINIC, raise_exception=True)
def report_csv(request, table):
    _form, report = _report(request)
    if report is None:
        raise Http404(_("The filters are not valid."))
    by_slug = tables.all_tables(report)
    if table not in by_slug:
        raise Http404
    response = HttpResponse(tables.to_csv(by_slug[table]), content_type="text/csv; charset=utf-8")
    first, last = report.filters.start.isoformat(), report.filters.end.isoformat()
    response["Content-Disposition"] = f'attachment; filename="{table}-{first}-{last}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
