from django import forms
from dsfr.forms import DsfrBaseForm


class PtceForm(DsfrBaseForm):
    """Base of every form: DSFR rendering, optional fields marked « (facultatif) », and focus
    moved to the first field in error after a failed submission."""

    def get_context(self):
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            for name in self._errors:
                if name in self.fields:
                    self.fields[name].widget.attrs["autofocus"] = ""
                    break
