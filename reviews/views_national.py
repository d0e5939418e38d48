"""National consolidation and the allocation simulator (SPEC §5.5). National cell and
programme administrators only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_national, user_passes
from calls.models import Call
from core.params import id_param, int_param
from reviews import conflicts, forms, national
from reviews.models import Simulation

RANKING_PAGE_SIZE = 50


def _call(request):
    calls = Call.objects.order_by("-year", "title")
    raw = request.GET.get("call") or request.POST.get("call")
    if raw:
        pk = id_param(raw)
        if pk is None:
            raise Http404("Appel inconnu.")
        return get_object_or_404(Call, pk=pk), calls
    return calls.first(), calls


def _crumbs(current, call=None):
    links = [{"url": reverse("reviews:list"), "title": "Dossiers à instruire"}]
    if call is not None and current != "Consolidation nationale":
        links.append(
            {
                "url": f"{reverse('reviews:national')}?call={call.pk}",
                "title": "Consolidation nationale",
            }
        )
    return {"links": links, "current": current}


@require_http_methods(["GET", "POST"])
@user_passes(is_national)
def consolidation(request):
    """Who may see it: the national cell and programme administrators. Every file of the call
    ranked nationally (figures and validated régional opinions) and the allocation simulator:
    POST runs it; with a name, the simulation is saved."""
    call, calls = _call(request)
    rows = national.RankingRows(call, request.user) if call else []
    page_obj = Paginator(rows, RANKING_PAGE_SIZE).get_page(
        int_param(request.GET.get("page", "")) or 1
    )
    form = forms.SimulationForm(
        request.POST or None,
        initial=national.initial_parameters(call) if call else None,
        priority_territories=call.priority_territories if call else None,
    )
    result = None
    if request.method == "POST" and call is not None and form.is_valid():
        result = national.simulate(call, form.cleaned_data["parameters"])
        name = form.cleaned_data.get("name", "").strip()
        if name:
            simulation = national.save_simulation(call, name, result, actor=request.user)
            messages.success(request, f"Simulation « {simulation.name} » enregistrée.")
            return redirect("reviews:simulation", pk=simulation.pk)
        # The simulation covers every file; a file with a conflict is a masked row.
        result = conflicts.mask_allocation(result, request.user, call)
    return render(
        request,
        "reviews/national.html",
        {
            "call": call,
            "calls": calls,
            "page_obj": page_obj,
            "form": form,
            "result": result,
            "result_rows": national.result_rows(result, call) if result else None,
            "priorities": national.priority_texts(
                call, [application.pk for _l, application, _o in page_obj if application]
            )
            if call
            else {},
            "bonus_notes": national.bonus_data_notes(call) if call else [],
            "simulations": Simulation.objects.filter(call=call)[:10] if call else [],
            "breadcrumb": _crumbs("Consolidation nationale"),
        },
        status=400 if (request.method == "POST" and not form.is_valid()) else 200,
    )


@user_passes(is_national)
def simulation_list(request):
    """Who may see it: the national cell and programme administrators. Saved simulations of
    the call, and two of them compared side by side (``?a=&b=``)."""
    call, calls = _call(request)
    simulations = Simulation.objects.filter(call=call).select_related("created_by")
    form = forms.CompareForm(request.GET if "a" in request.GET else None, simulations=simulations)
    comparison = None
    if form.is_bound and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        comparison = {
            "a": a,
            "b": b,
            "result_a": national.load_result(a),
            "result_b": national.load_result(b),
            # Totals stay complete; a file with a conflict of interest is a masked line.
            "differences": conflicts.mask_differences(national.compare(a, b), request.user, call),
        }
    return render(
        request,
        "reviews/simulation_list.html",
        {
            "call": call,
            "calls": calls,
            "simulations": simulations,
            "form": form,
            "comparison": comparison,
            "breadcrumb": _crumbs("Simulations enregistrées", call),
        },
    )


@user_passes(is_national)
def simulation_detail(request, pk):
    """Who may see it: the national cell and programme administrators. One saved simulation,
    complete, with the files the reader has a conflict of interest on masked."""
    simulation = get_object_or_404(Simulation.objects.select_related("call", "created_by"), pk=pk)
    result = conflicts.mask_allocation(
        national.load_result(simulation), request.user, simulation.call
    )
    return render(
        request,
        "reviews/simulation_detail.html",
        {
            "simulation": simulation,
            "result": result,
            "result_rows": national.result_rows(result, simulation.call),
            "priorities": national.priority_texts(simulation.call),
            "breadcrumb": _crumbs(simulation.name, simulation.call),
        },
    )
