from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from accounts.models import User
from core.forms import PtceForm
from core.outbox import queue_templated_email


class EmailAuthenticationForm(PtceForm, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "unconfirmed": (
            "Votre adresse électronique n’est pas encore confirmée : ouvrez le lien reçu par "
            "courriel, ou demandez un nouveau lien."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.email_confirmed_at is None:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


class SignupForm(PtceForm, forms.ModelForm):
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, ni trop courant, ni uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "organisation"]
        labels = {"organisation": "Structure que vous représentez"}
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True

    def clean_email(self):
        """Normalised; an address that already has an account is not an error here (the
        page would tell who has an account): the view answers as for a new one and the
        owner is told by e-mail (``services.sign_up_or_notify``)."""
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        """The e-mail's uniqueness is the service's business (see ``clean_email``)."""
        exclude = self._get_validation_exclusions()
        exclude.add("email")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        if password1:
            user = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendConfirmationForm(PtceForm):
    email = forms.EmailField(label="Adresse électronique")


class OutboxPasswordResetForm(PtceForm, PasswordResetForm):
    """Django's reset form, but the e-mail goes through the outbox (never sent in the request)."""

    email = forms.EmailField(label="Adresse électronique", max_length=254)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.urls import reverse

        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        reset_url = f"{context['protocol']}://{context['domain']}{path}"
        queue_templated_email(to_email, "password_reset", {"reset_url": reset_url})


class TokenForm(PtceForm):
    token = forms.CharField(
        label="Code à 6 chiffres",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
        help_text="Le code affiché par votre application d’authentification.",
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("Le code ne contient que des chiffres.")
        return token


class NewPasswordForm(PtceForm, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields[
            "new_password1"
        ].help_text = "Au moins 12 caractères, ni trop courant, ni uniquement des chiffres."
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"
