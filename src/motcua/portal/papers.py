"""Printable papers (Mẫu 01, 02, 03) for the desk in the back office and for the dossier's owner in
"Hồ sơ của tôi": the data comes from `dossiers.papers`, the page is an HTML paper with a print
stylesheet (A4, no navigation printed) and a QR code of the public tracking page."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from motcua.backoffice.views import staff_required
from motcua.common import net
from motcua.common.errors import DomainError
from motcua.common.params import int_param
from motcua.dossiers import authz, papers, selectors


@staff_required
def desk_paper(request, code: str, form: str):
    """A paper of a dossier the officer may see (the read is in its access log)."""
    dossier = _dossier(request, code, form)
    return _render(request, dossier, form, reverse("backoffice:dossier", args=[code]))


@login_required
def my_paper(request, code: str, form: str):
    """A paper of the citizen's own dossier; staff are sent to the back office's copy."""
    if not authz.is_citizen(request.user):
        return redirect("backoffice:paper", code=code, form=form)
    dossier = _dossier(request, code, form)
    if dossier.owner_id != request.user.pk:
        raise Http404
    return _render(request, dossier, form, reverse("portal:my-dossier", args=[code]))


def tracking_url(code: str) -> str:
    """The public tracking page of the dossier, absolute (`MOTCUA_PUBLIC_URL`): what the QR code holds."""
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}{reverse('portal:track')}?{urlencode({'code': code})}"


def qr_svg(url: str, title: str) -> str:
    """The QR code of `url` as inline SVG (no script, no style attribute: the site's CSP allows it)."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2, svgclass="qr-code", lineclass=None, title=title)
    return mark_safe(svg)  # segno writes the markup and escapes the title


def _dossier(request, code: str, form: str):
    if form not in papers.PAPERS:
        raise Http404
    try:
        return selectors.get_dossier(request.user, code, purpose=f"paper-{form}", ip=net.client_ip(request) or None)
    except DomainError:
        raise Http404 from None


def _render(request, dossier, form: str, back: str):
    try:
        if form == "01":
            paper = papers.form_01(dossier)
        elif form == "02":
            paper = papers.form_02(dossier, int_param(request.GET.get("lan")))
        else:
            paper = papers.form_03(dossier)
    except DomainError:
        raise Http404 from None
    url = tracking_url(dossier.code)
    context = {
        "f": paper,
        "back": back,
        "tracking_url": url,
        "qr": qr_svg(url, _("QR code: track dossier %(code)s") % {"code": dossier.code}),
    }
    return render(request, f"papers/form{form}.html", context)
