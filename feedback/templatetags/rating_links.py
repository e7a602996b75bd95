"""The informant's link on the owner's pages: its absolute address and its QR code."""

import segno
from django import template
from django.utils.safestring import mark_safe

from feedback.constants import rating_link_base_url

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_link_url(context, path: str) -> str:
    """Return the link's full address: on RATING_LINK_BASE_URL if set, else on this page's
    host."""
    if base := rating_link_base_url():
        return base + path
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.filter
def qr_svg(url: str) -> str:
    """Return the QR code of `url` as inline SVG, drawn here: the page asks nobody for it."""
    code = segno.make(str(url), error="m")
    # segno writes only path data and fixed attributes: nothing of `url` is echoed as text.
    return mark_safe(code.svg_inline(border=4, omitsize=True, svgclass="rating-qr", light="#fff"))
