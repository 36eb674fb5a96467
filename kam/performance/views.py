"""Team performance pages: the coaching page of a rep, the team scorecard, resource
efficiency, loyalty surveys and the public survey page (DOMAIN.md §1.4, §1.5, §7)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kam.accounts.visibility import visible_accounts
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.performance import exports, forms, selectors, services
from kam.performance.models import PerformanceSettings, ScorecardIndicator, SurveyLanguage
from kam.ui.listing import paginate

INVITATION_SORTS = {"created": "created_at", "expires": "expires_at", "account": "account__name"}


def _scope(request: AuthenticatedHttpRequest) -> selectors.Scope | None:
    scopes = selectors.team_scopes(request.user)
    wanted = request.GET.get("scope", "")
    return next((s for s in scopes if s.key == wanted), scopes[0] if scopes else None)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The team's scorecard per posture, its reps and its customers' loyalty (§1.4, §1.5)."""
    user = request.user
    scope = _scope(request)
    if scope is None:
        return redirect("performance:rep", pk=user.pk)
    reps = list(selectors.coachable_reps(user).filter(pk__in=scope.rep_ids).select_related("team"))
    latest = selectors.latest_skill_levels([r.pk for r in reps])
    return render(
        request,
        "performance/index.html",
        {
            "scope": scope,
            "scopes": selectors.team_scopes(user),
            "card": selectors.scorecard(scope),
            "reps": [(r, latest.get(r.pk), selectors.skill_of(latest.get(r.pk))) for r in reps],
            "loyalty": selectors.loyalty_overview(user)[:20],
        },
    )


@login_required
def rep_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A rep's coaching page: their scorecard, selling style and skill history (§7)."""
    user = request.user
    rep = get_object_or_404(selectors.viewable_reps(user), pk=pk)
    can_assess = selectors.coachable_reps(user).filter(pk=rep.pk).exists()
    form = forms.AssessmentForm(request.POST or None) if can_assess else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.assess_rep(
                    rep,
                    levels=form.levels(),
                    note=form.cleaned_data["note"],
                    assessed_on=form.cleaned_data["assessed_on"],
                    by=user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect("performance:rep", pk=rep.pk)
    history = list(selectors.visible_assessments(user).filter(rep=rep))
    styles = [s for s in selectors.selling_styles(user) if s.rep.pk == rep.pk]
    return render(
        request,
        "performance/rep.html",
        {
            "rep": rep,
            "card": selectors.scorecard(selectors.rep_scope(rep)),
            "history": history,
            "latest": history[0] if history else None,
            "skill": selectors.skill_of(history[0]) if history else None,
            "style": styles[0] if styles else None,
            "form": form,
        },
    )


@login_required
def efficiency(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Resources spent per account against what they brought, and selling styles (§7)."""
    user = request.user
    return render(
        request,
        "performance/efficiency.html",
        {
            "rows": selectors.efficiency(user),
            "limit": selectors.EFFICIENCY_ROWS,
            "styles": selectors.selling_styles(user),
        },
    )


@login_required
def surveys(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The survey links sent to the customers' people, and a form to make one (§1.5)."""
    user = request.user
    form = forms.InvitationForm(request.POST or None, user=user)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.invite_to_survey(
                form.cleaned_data["account"],
                contact=form.cleaned_data["contact"],
                language=form.cleaned_data["language"],
                valid_days=form.cleaned_data["valid_days"],
                by=user,
            )
        except PermissionDenied:
            form.add_error("account", _("You cannot send surveys for this account."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = forms.InvitationForm(user=user)
    listing = paginate(
        request,
        selectors.visible_invitations(user),
        sorts=INVITATION_SORTS,
        default_sort="-created",
    )
    link = (
        request.build_absolute_uri(reverse("performance:survey", args=[created.token]))
        if created
        else None
    )
    return render(
        request,
        "performance/surveys.html",
        {"form": form, "listing": listing, "link": link, "created": created},
    )


def _survey_language(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("lang") or request.GET.get("lang") or default
    return wanted if wanted in SurveyLanguage.values else SurveyLanguage.CHINESE


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey a customer's person opens from their link, signed out (§1.5).

    A wrong link answers 404, an answered or expired one 410, with a clear message;
    answers outside the scale are refused and nothing is recorded.
    """
    try:
        invitation = services.open_survey(token)
    except services.SurveyLinkError as error:
        language = _survey_language(request, SurveyLanguage.CHINESE)
        with translation.override(language):
            return render(
                request,
                "performance/survey_closed.html",
                {"message": error.message, "language": language},
                status=404 if error.reason == error.UNKNOWN else 410,
            )
    language = _survey_language(request, invitation.language)
    with translation.override(language):
        form = forms.SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_survey(
                    token, answers=form.answers(), comment=form.cleaned_data["comment"]
                )
            except services.SurveyLinkError as error:
                return render(
                    request,
                    "performance/survey_closed.html",
                    {"message": error.message, "language": language},
                    status=410,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return render(
                    request,
                    "performance/survey_closed.html",
                    {
                        "message": _("Thank you! Your answers have been recorded."),
                        "thanks": True,
                        "language": language,
                    },
                )
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "performance/survey.html",
            {
                "form": form,
                "invitation": invitation,
                "language": language,
                "languages": SurveyLanguage.choices,
            },
            status=status,
        )


@login_required
def account_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account's loyalty over time (htmx panel on the account page)."""
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    return render(
        request,
        "performance/_account_panel.html",
        {"account": account, "loyalty": selectors.loyalty_of(account)},
    )


@login_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The scorecard of the chosen scope, efficiency, skills and loyalty, in Excel."""
    user = request.user
    scope = _scope(request) or selectors.rep_scope(user)
    return exports.performance_workbook(user, scope)


@login_required
def scorecard_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Targets and weights per posture of each indicator (administrators, §1.4)."""
    user = request.user
    if not user.is_kam_admin:
        raise Http404
    indicators = list(ScorecardIndicator.objects.order_by("order"))
    bound: dict[int, Any] = {}
    if request.method == "POST":
        indicator = get_object_or_404(ScorecardIndicator, pk=request.POST.get("indicator"))
        form = forms.IndicatorForm(request.POST, instance=indicator)
        if form.is_valid():
            try:
                services.update_indicator(
                    ScorecardIndicator.objects.get(pk=indicator.pk),
                    version=form.cleaned_data["version"],
                    by=user,
                    **{f: form.cleaned_data[f] for f in services.INDICATOR_FIELDS},
                )
            except (ConflictError, ValidationError) as error:
                form.add_error(None, str(getattr(error, "messages", [error])[0]))
            else:
                messages.success(request, _("Indicator saved."))
                return redirect("performance:settings")
        bound[indicator.pk] = form
    rows = [
        (
            i,
            bound.get(i.pk) or forms.IndicatorForm(instance=i, initial={"version": i.version}),
        )
        for i in indicators
    ]
    return render(request, "performance/settings.html", {"rows": rows})


@login_required
def performance_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The hourly cost, the loyalty-drop threshold and how long survey links stay open
    (administrators and directors); a stale edit is refused, not applied."""
    user = request.user
    if not services.may_change_settings(user):
        raise Http404
    row = PerformanceSettings.current()
    version = row.version
    form = forms.PerformanceSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_performance_settings(
                by=user,
                expected_version=_posted_version(request),
                **{f: form.cleaned_data[f] for f in services.SETTINGS_FIELDS},
            )
        except ConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("performance:figures")
    return render(
        request,
        "performance/figures.html",
        {"form": form, "tab": "performance", "version": version},
    )


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None
