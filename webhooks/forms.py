from django import forms
from django.core.exceptions import ValidationError

from core.forms import PtceForm
from webhooks import policy
from webhooks.models import EventType


class EndpointForm(PtceForm):
    name = forms.CharField(
        label="Nom", max_length=120, help_text="Par exemple « SI de la DREETS »."
    )
    url = forms.URLField(
        label="Adresse de réception",
        max_length=500,
        assume_scheme="https",
        help_text="http:// ou https:// (https:// obligatoire en production) ; adresse publique.",
    )
    events = forms.MultipleChoiceField(
        label="Événements envoyés", choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label="Actif", required=False, initial=True)

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            policy.check_url(url)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return url
