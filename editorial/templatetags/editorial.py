"""``{% load editorial %}{% page_block "faq" %}``: the edited text of a public page block
(Markdown sanitised by nh3), or its shipped default."""

from django import template

from editorial import services

register = template.Library()


@register.simple_tag
def page_block(key):
    return services.render_page(key)
