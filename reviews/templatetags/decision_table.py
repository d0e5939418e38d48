"""``{{ form.decision|plain_widget }}``: a field's widget written in Python, the same HTML as
Django's widget templates, for the committee's decision table (four controls on each of
several hundred rows: through the widget templates, a 300-row table took most of a second to
render). Widgets other than text, hidden, text area and select are rendered as usual."""

from django import forms, template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _attrs(attrs) -> str:
    """`` name="value"`` pairs as Django's ``attrs.html`` writes them (True: the name alone;
    False: left out)."""
    return mark_safe(  # noqa: S308 — every name and value escaped here
        "".join(
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


def _select(widget_context) -> str:
    options = "\n".join(
        f'  <option value="{escape(option["value"])}"'
        f"{' selected' if option['selected'] else ''}>{escape(option['label'])}</option>"
        for _group, group_options, _index in widget_context["optgroups"]
        for option in group_options
    )
    return format_html(
        '<select name="{}"{}>\n{}\n</select>',
        widget_context["name"],
        _attrs(widget_context["attrs"]),
        mark_safe(options),  # noqa: S308 — values and labels escaped above
    )


@register.filter
def plain_widget(bound_field):
    widget = bound_field.field.widget
    if type(widget) not in (forms.TextInput, forms.HiddenInput, forms.Textarea, forms.Select):
        return bound_field.as_widget()
    attrs = bound_field.build_widget_attrs({})
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    if isinstance(widget, forms.Select):
        return _select(context)
    if isinstance(widget, forms.Textarea):
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            context["name"],
            _attrs(context["attrs"]),
            context["value"] or "",
        )
    value = context["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        format_html(' value="{}"', value) if value is not None else "",
        _attrs(context["attrs"]),
    )
