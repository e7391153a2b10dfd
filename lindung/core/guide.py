"""The user guide (docs/panduan, built to HTML by MkDocs) served at /panduan/ from the build directory."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.static import serve

# MkDocs' theme sets its base URL in one small inline script; the guide is our own static build, so inline
# scripts are allowed there and nowhere else.
GUIDE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def guide(request: HttpRequest, path: str = "") -> HttpResponse | FileResponse:
    root = settings.LINDUNG_GUIDE_DIR
    if not (root / "index.html").is_file():
        return HttpResponse(
            _("The guide has not been built yet: run <code>make docs</code> (or <code>make run</code>)."),
            status=503,
        )
    response = serve(request, path or "index.html", document_root=str(root))  # refuses paths outside root
    response.headers["Content-Security-Policy"] = GUIDE_CSP
    return response
