"""Pages of local dynamics: public declaration and listing, moderation by the national cell,
conversion into a draft application."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import is_national, login_required, user_passes
from calls.models import Call
from core import ratelimit
from core.params import int_param
from dynamics import services
from dynamics.forms import ConversionForm, DeclarationForm, ModerationForm
from dynamics.models import DynamicStage, LocalDynamic, ModerationStatus
from laureates.models import Theme
from territories.models import Commune, Epci, Region

national_required = user_passes(is_national)
PAGE_SIZE = 20


def _public_crumb(current: str, *, extra=()) -> dict:
    return {
        "links": [
            {"url": reverse("directory:list"), "title": "Annuaire des PTCE"},
            *extra,
        ],
        "current": current,
    }


def _territory_choices(data) -> tuple[list, list]:
    """Communes and EPCI named in ``data`` (sent or restored), for the selection list."""
    from applications.forms import CodesField

    codes = CodesField().to_python
    communes = list(
        Commune.objects.current()
        .filter(code__in=codes(data.getlist("communes"))[:500])
        .select_related("department")
        .order_by("name")
    )
    epcis = list(Epci.objects.filter(code__in=codes(data.getlist("epcis"))[:100]).order_by("name"))
    return communes, epcis


def _search_results(query: str, kind: str, communes, epcis) -> list[dict]:
    from territories.services import search_communes, search_epcis

    if not query:
        return []
    if kind == "epci":
        chosen = {e.code for e in epcis}
        return [
            {"code": e.code, "label": f"{e.name} ({e.kind})", "name": "epcis"}
            for e in search_epcis(query)
            if e.code not in chosen
        ]
    chosen = {c.code for c in communes}
    return [
        {"code": m.commune.code, "label": m.label, "name": "communes"}
        for m in search_communes(query)
        if m.commune.code not in chosen
    ]


@require_http_methods(["GET", "POST"])
def declare(request):
    """Who may see it: everyone (public form). Anti-spam: honeypot field and a per-address
    hourly limit. Works without JavaScript: « Rechercher » re-displays the form with the
    matching communes or EPCI to tick."""
    searching = request.method == "POST" and request.POST.get("action") == "search"
    if request.method == "POST" and not searching:
        form = DeclarationForm(request.POST)
        if form.is_spam:
            # Robots get the same answer as people and nothing is stored.
            return redirect("dynamics:declared")
        wait = None
        # Only complete declarations count towards the limit: corrections are free.
        if form.is_valid():
            wait = ratelimit.hit(request, "dynamics_declaration")
            if wait is None:
                services.declare(form.cleaned_data)
                return redirect("dynamics:declared")
            form.add_error(
                None,
                ratelimit.retry_message(
                    wait, "Trop de déclarations envoyées depuis cette connexion."
                ),
            )
        data = request.POST
    else:
        data = request.POST if searching else request.GET
        initial = {
            key: data.getlist(key) if key in {"themes", "communes", "epcis"} else data.get(key)
            for key in DeclarationForm.base_fields
            if key in data and key != "site_internet"
        }
        form = DeclarationForm(initial=initial)
        wait = None
    query = data.get("q", "")[:100]
    kind = "epci" if data.get("type") == "epci" else "commune"
    communes, epcis = _territory_choices(data)
    response = render(
        request,
        "dynamics/declare.html",
        {
            "form": form,
            "query": query,
            "kind": kind,
            "results": _search_results(query, kind, communes, epcis),
            "selected_communes": communes,
            "selected_epcis": epcis,
            "breadcrumb": _public_crumb("Déclarer une dynamique territoriale"),
        },
    )
    return ratelimit.refused(response, wait) if wait is not None else response


@require_safe
def declared(request):
    """Who may see it: everyone. Thanks page after a declaration."""
    return render(
        request,
        "dynamics/declared.html",
        {"breadcrumb": _public_crumb("Déclaration envoyée")},
    )


def _clean_choice(value: str, allowed) -> str:
    return value if value in allowed else ""


def _region_codes() -> set[str]:
    return set(Region.objects.values_list("code", flat=True))


@require_safe
def public_list(request):
    """Who may see it: everyone. Accepted dynamics whose declarants agreed to be listed."""
    params = request.GET
    notices = []
    region = _clean_choice(params.get("region", ""), _region_codes())
    theme = _clean_choice(params.get("theme", ""), set(Theme.values))
    for name, value, kept in (
        ("region", params.get("region"), region),
        ("theme", params.get("theme"), theme),
    ):
        if value and not kept:
            notices.append(f"Valeur de filtre inconnue ignorée : {name} = « {value[:50]} ».")
    filters = services.PublicFilters(q=params.get("q", "")[:200], region=region, theme=theme)
    queryset = services.search_public(filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(int_param(params.get("page", "")) or 1)
    query_string = urlencode({k: v for k, v in vars(filters).items() if v})
    return render(
        request,
        "dynamics/list.html",
        {
            "page_obj": page,
            "filters": filters,
            "notices": notices,
            "regions": Region.objects.order_by("name"),
            "themes": Theme.choices,
            "query_string": query_string,
            "breadcrumb": _public_crumb("Dynamiques territoriales"),
        },
    )


@require_safe
def public_detail(request, slug):
    """Who may see it: everyone, for accepted dynamics listed with consent (404 otherwise).
    The contact e-mail is shown only with the declarant's consent; name and phone never."""
    dynamic = get_object_or_404(
        LocalDynamic.objects.public().select_related("main_region", "main_department"), slug=slug
    )
    return render(
        request,
        "dynamics/detail.html",
        {
            "dynamic": dynamic,
            "communes": dynamic.communes.select_related("department").order_by("name")[:300],
            "commune_count": dynamic.communes.count(),
            "epcis": dynamic.epcis.order_by("name"),
            "can_convert": services.can_convert(request.user, dynamic),
            "breadcrumb": _public_crumb(
                dynamic.name,
                extra=[{"url": reverse("dynamics:list"), "title": "Dynamiques territoriales"}],
            ),
        },
    )


# ------------------------------------------------------------------ moderation


@national_required
def moderation_list(request):
    """Who may see it: national cell and programme administrators (2FA). Filters: status,
    région, text."""
    params = request.GET
    status = _clean_choice(
        params.get("statut", ModerationStatus.PENDING), {*ModerationStatus.values, "tous"}
    )
    status = status or ModerationStatus.PENDING
    region = _clean_choice(params.get("region", ""), _region_codes())
    queryset = LocalDynamic.objects.select_related("main_region", "main_department")
    if status != "tous":
        queryset = queryset.filter(status=status)
    if region:
        queryset = queryset.filter(main_region_id=region)
    from territories.text import normalise

    for term in normalise(params.get("q", "")[:200]).split()[:10]:
        queryset = queryset.filter(search_text__contains=term)
    page = Paginator(queryset.order_by("-created_at", "-pk"), 50).get_page(
        int_param(params.get("page", "")) or 1
    )
    return render(
        request,
        "dynamics/moderation_list.html",
        {
            "page_obj": page,
            "status": status,
            "region": region,
            "q": params.get("q", "")[:200],
            "statuses": [*ModerationStatus.choices, ("tous", "Toutes")],
            "regions": Region.objects.order_by("name"),
            "query_string": urlencode(
                {
                    k: v
                    for k, v in {
                        "statut": status,
                        "region": region,
                        "q": params.get("q", "")[:200],
                    }.items()
                    if v
                }
            ),
            "breadcrumb": {"links": [], "current": "Modération des dynamiques territoriales"},
        },
    )


@national_required
@require_http_methods(["GET", "POST"])
def moderation_detail(request, uuid):
    """Who may see it: national cell and programme administrators (2FA). Whole declaration,
    including contact details; accept or refuse with a reason."""
    dynamic = get_object_or_404(
        LocalDynamic.objects.select_related("main_region", "main_department", "moderated_by"),
        uuid=uuid,
    )
    allowed = services.allowed_decisions(dynamic)
    form = ModerationForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate(
                dynamic,
                form.cleaned_data["decision"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Décision enregistrée ; le déclarant est prévenu par courriel."
            )
            return redirect("dynamics:moderation_detail", uuid=dynamic.uuid)
    return render(
        request,
        "dynamics/moderation_detail.html",
        {
            "dynamic": dynamic,
            "form": form if allowed else None,
            "communes": dynamic.communes.select_related("department").order_by("name")[:300],
            "commune_count": dynamic.communes.count(),
            "epcis": dynamic.epcis.order_by("name"),
            "stages": DynamicStage,
            "breadcrumb": {
                "links": [
                    {
                        "url": reverse("dynamics:moderation_list"),
                        "title": "Dynamiques territoriales",
                    }
                ],
                "current": dynamic.name,
            },
        },
    )


@national_required
@require_POST
def moderation_delete(request, uuid):
    """Who may do it: national cell and programme administrators (2FA). Erases the
    declaration, e.g. when its contact asks for it."""
    dynamic = get_object_or_404(LocalDynamic, uuid=uuid)
    services.delete_dynamic(dynamic, actor=request.user)
    messages.success(request, f"La déclaration « {dynamic.name} » est supprimée.")
    return redirect("dynamics:moderation_list")


# ------------------------------------------------------------------ conversion


@login_required
@require_http_methods(["GET", "POST"])
def convert(request, uuid):
    """Who may see it: a candidate whose account e-mail is the declaration's contact, or who
    holds the link (``?jeton=``) sent when the declaration was accepted; 403 otherwise."""
    dynamic = get_object_or_404(LocalDynamic, uuid=uuid)
    token = request.POST.get("jeton") or request.GET.get("jeton", "")
    if not services.can_convert(request.user, dynamic, token):
        raise PermissionDenied
    calls = Call.objects.open_at().order_by("title")
    form = ConversionForm(request.POST or None, calls=calls)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.convert_to_application(
                dynamic, form.cleaned_data["call"], actor=request.user, token=token
            )
        except ValidationError as error:
            form.add_error("call", error)
        else:
            messages.success(
                request,
                "Votre brouillon est créé à partir de la déclaration : complétez la structure "
                "porteuse, les membres et le budget.",
            )
            return redirect("applications:lead", uuid=application.uuid)
    return render(
        request,
        "dynamics/convert.html",
        {
            "dynamic": dynamic,
            "form": form,
            "has_calls": calls.exists(),
            "token": token,
            "breadcrumb": {
                "links": [{"url": reverse("applications:dashboard"), "title": "Mes dossiers"}],
                "current": "Transformer la déclaration en candidature",
            },
        },
    )
