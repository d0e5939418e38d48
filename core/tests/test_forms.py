"""PtceForm: focus on the first field in error and errors tied to fields, as rendered."""

import pytest
from django import forms

from core.forms import PtceForm


class ContactForm(PtceForm):
    name = forms.CharField(label="Nom", help_text="Tel qu’il apparaît sur vos courriers.")
    email = forms.EmailField(label="Adresse électronique", widget=forms.EmailInput())
    code = forms.CharField(label="Code", widget=forms.TextInput(attrs={"autofocus": True}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("code") == "refus":
            raise forms.ValidationError("Ces informations ne correspondent à aucun compte.")
        return cleaned


def autofocus_of(form) -> list[str]:
    str(form)
    return [name for name, field in form.fields.items() if "autofocus" in field.widget.attrs]


def test_first_field_in_error_in_page_order_gets_the_focus_and_no_other():
    form = ContactForm({"name": "", "email": "pas une adresse", "code": "x"})
    assert not form.is_valid()
    assert autofocus_of(form) == ["name"]
    assert 'aria-describedby="id_email-desc-error"' in str(form)


def test_error_added_by_the_view_after_validation_gets_the_focus():
    form = ContactForm({"name": "Camille", "email": "c@exemple.fr", "code": "123"})
    assert form.is_valid()
    form.add_error("email", "Adresse déjà utilisée.")
    assert autofocus_of(form) == ["email"]


def test_form_level_error_is_named_by_the_first_field():
    form = ContactForm({"name": "Camille", "email": "c@exemple.fr", "code": "refus"})
    assert not form.is_valid()
    html = str(form)
    assert 'id="erreurs-formulaire"' in html
    assert 'aria-describedby="id_name_helptext erreurs-formulaire"' in html
    # No field is in error: the form's own autofocus stays.
    assert autofocus_of(form) == ["code"]


def test_unbound_form_keeps_its_own_autofocus_and_no_error_block():
    form = ContactForm()
    assert autofocus_of(form) == ["code"]
    assert "erreurs-formulaire" not in str(form)


# ------------------------------------------------------------------ required to submit


class DraftStepForm(PtceForm):
    required_to_submit = frozenset({"address", "kind"})
    required_to_submit_hint = "Obligatoire pour déposer le dossier."

    address = forms.CharField(label="Adresse", required=False)
    kind = forms.ChoiceField(
        label="Nature", choices=[("a", "Association"), ("b", "Société")], required=False
    )
    phone = forms.CharField(label="Téléphone", required=False, help_text="Facultatif ici.")
    city = forms.CharField(label="Commune", required=False, help_text="Celle du siège.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_to_submit = self.required_to_submit | {"city"}  # per instance too


def label_of(form, name) -> str:
    html = form[name].as_field_group()
    start = html.index("<label")
    return " ".join(html[start : html.index("</label>", start)].split())


def test_fields_required_to_submit_are_not_marked_optional_and_say_why():
    form = DraftStepForm()
    assert "(Optionnel)" not in label_of(form, "address")
    assert "Obligatoire pour déposer le dossier." in label_of(form, "address")
    assert "Obligatoire pour déposer le dossier. Celle du siège." in label_of(form, "city")
    assert "(Optionnel)" in label_of(form, "phone")
    assert "Obligatoire" not in label_of(form, "phone")
    # The hint names the field for assistive technologies, as any DSFR hint.
    assert 'aria-describedby="id_address_helptext"' in str(form["address"])


def test_fields_required_to_submit_do_not_block_the_draft_in_the_browser():
    html = str(DraftStepForm())
    assert " required" not in html.replace("fr-required-marker", "")


def test_a_draft_saves_with_fields_required_to_submit_left_empty():
    form = DraftStepForm({"address": "", "kind": "", "phone": "", "city": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"address": "", "kind": "", "phone": "", "city": ""}
    # Rendered again after saving: still labelled as needed for the submission.
    assert "(Optionnel)" not in label_of(form, "address")
    # Values are still checked when given.
    form = DraftStepForm({"address": "", "kind": "z", "phone": "", "city": ""})
    assert not form.is_valid() and list(form.errors) == ["kind"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "1e3", "²", "abc"])
def test_id_multiple_choice_refuses_values_that_are_not_ids(value):
    from accounts.factories import UserFactory
    from accounts.models import User
    from core.forms import IdMultipleChoiceField

    user = UserFactory()
    field = IdMultipleChoiceField(queryset=User.objects.all())
    assert list(field.clean([str(user.pk)])) == [user]
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([str(user.pk), value])
    assert refused.value.code == "invalid_choice"


def test_every_form_renders_through_one_renderer_and_its_cached_templates():
    """django-dsfr gives Django its renderer class: instantiated per form, it built a new
    template engine (and compiled every widget template again) for each form of a page."""
    first, second = PtceForm(), PtceForm(prefix="b")
    assert first.renderer is second.renderer
    engine = first.renderer.engine
    assert engine.engine.loaders[0][0] == "django.template.loaders.cached.Loader"
    assert PtceForm(prefix="c").renderer.engine is engine
