"""Programme administration of calls: rounds, attachments, documents, FAQ and evaluation grids.

Date-times are entered and displayed in Europe/Paris (settings.TIME_ZONE)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from calls.forms_builder import LevelDescriptorsField
from calls.models import (
    Call,
    CallDocument,
    CallFaq,
    Criterion,
    Grid,
    PriorityTerritory,
    RequiredAttachment,
    Round,
    create_default_grid,
)
from core import audit

AUDITED_FIELDS = [
    "title",
    "slug",
    "publication_state",
    "is_permanent",
    "opens_at",
    "closes_at",
    "has_emergence_phase",
    "has_funding_phase",
    "envelope",
    "min_award",
    "max_award",
    "award_duration_months",
    "payment_schedule_template",
    "priority_territories",
    "allows_previous_support",
    "review_days",
]


class CallAdminForm(forms.ModelForm):
    priority_territories = forms.MultipleChoiceField(
        label="Territoires prioritaires",
        choices=PriorityTerritory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Call
        fields = [
            "title",
            "slug",
            "instrument",
            "year",
            "publication_state",
            "summary",
            "description",
            "legal_basis",
            "has_emergence_phase",
            "has_funding_phase",
            "is_permanent",
            "opens_at",
            "closes_at",
            "envelope",
            "min_award",
            "max_award",
            "award_duration_months",
            "payment_schedule_template",
            "priority_territories",
            "allows_previous_support",
            "retention_years",
            "review_days",
        ]


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    fields = ["name", "cut_off_at", "phase", "envelope"]


class RequiredAttachmentInline(admin.TabularInline):
    model = RequiredAttachment
    extra = 0


class CallDocumentInline(admin.TabularInline):
    model = CallDocument
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["title", "url", "file", "order"]


class CallFaqInline(admin.StackedInline):
    model = CallFaq
    extra = 0
    fields = ["question", "answer", "order"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallAdminForm
    list_display = [
        "title",
        "year",
        "instrument",
        "is_permanent",
        "publication_state",
        "next_cut_off_display",
    ]
    list_filter = ["publication_state", "instrument", "is_permanent", "year"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoundInline, RequiredAttachmentInline, CallDocumentInline, CallFaqInline]
    actions = ["add_default_grid"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "instrument", "year", "publication_state"]}),
        ("Présentation", {"fields": ["summary", "description", "legal_basis"]}),
        ("Phases", {"fields": ["has_emergence_phase", "has_funding_phase"]}),
        (
            "Calendrier (heure de Paris)",
            {
                "fields": ["is_permanent", "opens_at", "closes_at"],
                "description": "Appel permanent : les dates limites sont celles des relèves "
                "ci-dessous. Appel daté : une date et heure de clôture.",
            },
        ),
        (
            "Financement",
            {
                "fields": [
                    "envelope",
                    "min_award",
                    "max_award",
                    "award_duration_months",
                    "payment_schedule_template",
                ]
            },
        ),
        (
            "Règles",
            {
                "fields": [
                    "priority_territories",
                    "allows_previous_support",
                    "retention_years",
                    "review_days",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rounds")

    @admin.display(description="prochaine date limite (Paris)")
    def next_cut_off_display(self, obj):
        cut_off = obj.next_cut_off()
        if cut_off is None:
            return "—"
        return date_format(timezone.localtime(cut_off), "j F Y à H\\hi")

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(Call.objects.get(pk=obj.pk), AUDITED_FIELDS) if change else None
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj, AUDITED_FIELDS)
        if before != after:
            audit.record(
                "call.updated" if change else "call.created",
                actor=request.user,
                obj=obj,
                before=before,
                after=after,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not Grid.objects.filter(call=form.instance).exists():
            create_default_grid(form.instance)
            self.message_user(
                request,
                "La grille d’évaluation par défaut a été créée ; vous pouvez l’ajuster dans "
                "« Grilles d’évaluation ».",
                messages.INFO,
            )

    @admin.action(description="Créer la grille d’évaluation par défaut (si absente)")
    def add_default_grid(self, request, queryset):
        created = 0
        for call in queryset:
            if not Grid.objects.filter(call=call).exists():
                create_default_grid(call)
                created += 1
        self.message_user(request, f"{created} grille(s) créée(s).", messages.SUCCESS)


class CriterionAdminForm(forms.ModelForm):
    level_descriptors = LevelDescriptorsField(
        label="Description de chaque note",
        required=False,
        help_text="Une ligne par note de l’échelle, de la plus basse à la plus haute.",
    )

    class Meta:
        model = Criterion
        fields = [
            "order",
            "code",
            "label",
            "weight",
            "eliminatory_threshold",
            "guidance",
            "level_descriptors",
        ]


class CriterionInline(admin.TabularInline):
    model = Criterion
    form = CriterionAdminForm
    extra = 0
    fields = [
        "order",
        "code",
        "label",
        "weight",
        "eliminatory_threshold",
        "guidance",
        "level_descriptors",
    ]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scale_min", "scale_max", "total_weight"]
    search_fields = ["call__title"]
    inlines = [CriterionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("call").prefetch_related("criteria")

    @admin.display(description="total des pondérations")
    def total_weight(self, obj):
        return sum(criterion.weight for criterion in obj.criteria.all())

    def save_related(self, request, form, formsets, change):
        before = {c.code: str(c.weight) for c in form.instance.criteria.all()} if change else None
        super().save_related(request, form, formsets, change)
        after = {c.code: str(c.weight) for c in Criterion.objects.filter(grid=form.instance)}
        if before != after:
            audit.record(
                "grid.updated", actor=request.user, obj=form.instance, before=before, after=after
            )
