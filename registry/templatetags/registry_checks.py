"""``{% register_checks_panel application submission %}``: the reviewer's panel of register checks
(previous State support, declared values next to the register's). Used by the reviewer's file
page; the work is in ``registry.checks``."""

from django import template

from registry.checks import previous_supports, register_checks

register = template.Library()


@register.inclusion_tag("registry/includes/register_checks.html")
def register_checks_panel(application, submission=None, part="all"):
    """``part``: "all" (both panels under one heading), "supports" (previous State support
    only) or "register" (declared values against SIRENE only), for pages that show them in
    separate sections; only the part shown is computed."""
    show_supports = part in ("all", "supports")
    show_register = part in ("all", "register")
    checks = (
        register_checks(application, submission.data if submission else None)
        if show_register
        else []
    )
    return {
        "application": application,
        "part": part,
        "show_supports": show_supports,
        "show_register": show_register,
        "supports": previous_supports(application) if show_supports else [],
        "checks": checks,
        "warning_count": sum(len(check.warnings) for check in checks),
    }
