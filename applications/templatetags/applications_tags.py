from django import template

from applications.amounts import format_amount

register = template.Library()


@register.filter
def euros(value):
    """« 1 234,50 € » (French typography); empty for None."""
    if value is None or value == "":
        return "—"
    return format_amount(value)


@register.simple_tag
def budget_row_total(summary, kind, category):
    return summary.total_for(kind, category)


@register.filter
def filesize_mo(value):
    return f"{(value or 0) / (1024 * 1024):.1f} Mo".replace(".", ",")


@register.filter
def dictget(mapping, key):
    return mapping.get(key, [])


@register.simple_tag
def error_links(form):
    """One entry per error of ``form`` for the error summary: the anchor of the field (its
    first input for radio buttons and checkboxes), its label and the message."""
    if form is None or not form.is_bound or not form.errors:
        return []
    links = []
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            anchor = getattr(form, "non_field_errors_id", "")
            label = "Formulaire"
        else:
            bound = form[name]
            anchor = bound.id_for_label or f"{bound.auto_id}_0"
            label = bound.label
        for message in errors:
            links.append({"anchor": anchor, "label": label, "message": message})
    return links
