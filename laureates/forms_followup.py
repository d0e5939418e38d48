"""Forms of the follow-up pages. The rules themselves live in ``laureates.followup``; these
forms only collect the values (typed as text so that the service, which never trusts the
browser, validates them and the errors come back tied to their field)."""

from django import forms

from core.forms import PtceForm
from laureates.followup import INDICATORS


class ReportForm(PtceForm):
    narrative = forms.CharField(
        label="Bilan qualitatif",
        help_text="Actions menées, coopérations nouées, difficultés rencontrées, perspectives.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in INDICATORS:
            self.fields[indicator.code] = forms.CharField(
                label=indicator.label,
                help_text="Nombre décimal, 0 si aucun."
                if indicator.decimal
                else "Nombre entier, 0 si aucun.",
                max_length=30,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal" if indicator.decimal else "numeric"}
                ),
            )

    def indicator_fields(self, prefix):
        return [self[code] for code in self.fields if code.startswith(prefix)]

    @property
    def member_fields(self):
        return self.indicator_fields("members_")

    @property
    def cofinancing_fields(self):
        return self.indicator_fields("cofinancing_")

    @property
    def activity_fields(self):
        return [
            self[code]
            for code in self.fields
            if code != "narrative" and not code.startswith(("members_", "cofinancing_"))
        ]


class SignatureForm(PtceForm):
    signed_on = forms.DateField(
        label="Date de signature de la convention",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class PaymentForm(PtceForm):
    amount = forms.CharField(label="Montant versé (€)", max_length=30)
    paid_on = forms.DateField(
        label="Date du versement", widget=forms.DateInput(attrs={"type": "date"})
    )


class ReviewForm(PtceForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accept", "Accepter le bilan"), ("changes", "Demander des compléments")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Observations",
        help_text="Obligatoire pour une demande de compléments ; envoyées au lauréat.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class PtceStatusForm(PtceForm):
    to = forms.ChoiceField(label="Nouveau statut", choices=[])
    reason = forms.CharField(
        label="Motif",
        help_text="Obligatoire pour passer un PTCE en « inactif » ou le réactiver ; conservé "
        "dans l’historique.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        from laureates.models import PtceStatus

        self.fields["to"].choices = [(t, PtceStatus(t).label) for t in targets]
