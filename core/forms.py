from functools import cache

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrBoundField, DsfrDjangoTemplates

from core.params import guard_integer_field, int_param


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of objects with integer keys that refuses, as an invalid choice,
    any value that is not a 64-bit integer before it reaches the database (SQLite raises
    OverflowError on `pk__in` with a larger number instead of finding nothing)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if int_param(text) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)


class PtceBoundField(DsfrBoundField):
    """A field of a `PtceForm`. A field named in the form's `required_to_submit` is shown as
    required (no « (Optionnel) », the form's `required_to_submit_hint` first in its hint) but
    carries no HTML `required` attribute, so that the draft can still be saved empty."""

    @property
    def is_required_to_submit(self) -> bool:
        return self.name in self.form.required_to_submit

    @property
    def help_text(self):
        if not self.is_required_to_submit:
            return self._help_text
        hint = self.form.required_to_submit_hint
        return f"{hint} {self._help_text}" if self._help_text else hint

    @help_text.setter
    def help_text(self, value):
        self._help_text = value

    def get_context(self):
        if self.is_required_to_submit:
            # Read by django-dsfr's « (Optionnel) » marking; relaxed again while cleaning.
            self.field.required = True
        return super().get_context()

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.is_required_to_submit:
            attrs.pop("required", None)
        return attrs


@cache
def _dsfr_renderer() -> DsfrDjangoTemplates:
    return DsfrDjangoTemplates()


class PtceForm(DsfrBaseForm):
    """Base of every form: DSFR rendering, optional fields marked « (Optionnel) », and, after
    a failed submission, focus on the first field in error and errors tied to the fields.

    Focus and links are set when the form is rendered, so errors a view adds after
    `is_valid()` (`form.add_error(...)`) are covered too. Errors that concern no single field
    (e.g. « mot de passe incorrect ») are named by the first field's aria-describedby.

    `required_to_submit`: names of fields that may be left empty when the form is saved (a
    draft) but are needed later (to submit the file, to send the evaluation). They are
    validated as optional, yet labelled as required, with `required_to_submit_hint` in their
    hint, instead of « (Optionnel) »; the browser does not block saving them empty."""

    template_name = "core/forms/form.html"
    bound_field_class = PtceBoundField
    required_to_submit: frozenset[str] | set[str] = frozenset()
    required_to_submit_hint = "Obligatoire pour déposer le dossier."

    @property
    def default_renderer(self):
        """One renderer for every form. django-dsfr gives its renderer class, which Django
        instantiates per form: a new template engine each time, so every widget template was
        read and compiled again (a 300-row committee table took seconds)."""
        from django.conf import global_settings, settings
        from django.forms.renderers import get_default_renderer

        if settings.FORM_RENDERER == global_settings.FORM_RENDERER:
            return _dsfr_renderer()
        return get_default_renderer()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Integers and objects by integer key: ASCII digits only (core.params).
        for field in self.fields.values():
            guard_integer_field(field)

    def full_clean(self):
        relaxed = [self.fields[name] for name in self.required_to_submit if name in self.fields]
        for field in relaxed:
            field.required = False
        try:
            super().full_clean()
        finally:
            for field in relaxed:
                field.required = True

    @property
    def non_field_errors_id(self) -> str:
        return f"{self.prefix}-erreurs" if self.prefix else "erreurs-formulaire"

    def get_context(self):
        self._point_to_errors()
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

    def _point_to_errors(self):
        if not (self.is_bound and self._errors):
            return
        visible = [bf.name for bf in self.visible_fields()]
        first_error = next((name for name in visible if name in self._errors), None)
        if first_error is not None:
            for name in visible:
                attrs = self.fields[name].widget.attrs
                if name == first_error:
                    attrs["autofocus"] = ""
                else:
                    attrs.pop("autofocus", None)
        if self.non_field_errors() and visible:
            bound = self[visible[0]]
            attrs = self.fields[visible[0]].widget.attrs
            described_by = [f"{bound.auto_id}_helptext"] if bound.help_text else []
            attrs["aria-describedby"] = " ".join([*described_by, self.non_field_errors_id])
