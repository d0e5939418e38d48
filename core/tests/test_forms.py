"""PtceForm: focus on the first field in error and errors tied to fields, as rendered."""

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
