from django import forms

from core.forms import PtceForm

CONFIRMATION = "SUPPRIMER"


class ErasureForm(PtceForm):
    confirmation = forms.CharField(
        label=f"Pour confirmer, saisissez « {CONFIRMATION} »",
        max_length=20,
        help_text="Cette suppression est définitive.",
    )

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip()
        if value.upper() != CONFIRMATION:
            raise forms.ValidationError(f"Saisissez « {CONFIRMATION} » pour confirmer.")
        return value
