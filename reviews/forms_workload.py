"""Forms of the workload and deadline pages (due dates, reassignment, correction extensions)."""

from django import forms
from django.utils import timezone

from core.forms import PtceForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DueDateForm(PtceForm):
    due_on = forms.DateField(
        label="À rendre le",
        help_text="Format attendu : JJ/MM/AAAA.",
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
    )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("La date d’échéance ne peut pas être dans le passé.")
        return due_on


class ExtensionForm(PtceForm):
    deadline = forms.DateField(
        label="Nouvelle date limite",
        help_text="Format attendu : JJ/MM/AAAA.",
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
    )


class ReassignForm(PtceForm):
    reviewer = forms.ModelChoiceField(
        label="Nouvel évaluateur",
        queryset=None,
        empty_label="Choisir…",
        error_messages={"invalid_choice": "Choisissez un évaluateur de la liste."},
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: u.full_name or u.email
