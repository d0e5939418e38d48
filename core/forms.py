from django import forms
from dsfr.forms import DsfrBaseForm


class PtceForm(DsfrBaseForm):
    """Base of every form: DSFR rendering, optional fields marked « (facultatif) », and, after
    a failed submission, focus on the first field in error and errors tied to the fields.

    Focus and links are set when the form is rendered, so errors a view adds after
    `is_valid()` (`form.add_error(...)`) are covered too. Errors that concern no single field
    (e.g. « mot de passe incorrect ») are named by the first field's aria-describedby."""

    template_name = "core/forms/form.html"

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
