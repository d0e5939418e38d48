"""``{% register_checks_panel application submission %}``: the reviewer's panel of register checks
(previous State support, declared values next to the register's). Used by the reviewer's file
page; the work is in ``registry.checks``."""

from django import template

from registry.checks import previous_supports, register_checks

register = template.Library()


@register.inclusion_tag("registry/includes/register_checks.html")
def register_checks_panel(application, submission=None):
    checks = register_checks(application, submission.data if submission else None)
    return {
        "application": application,
        "supports": previous_supports(application),
        "checks": checks,
        "warning_count": sum(len(check.warnings) for check in checks),
    }
