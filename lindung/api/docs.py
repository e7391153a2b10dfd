"""The interactive API docs (Swagger UI) from files on this server: no CDN, and scripts only from 'self'.

django-ninja 1.7 ships Swagger UI in its package (`ninja/static/ninja/`), but its page only uses those files when
"ninja" is in INSTALLED_APPS (otherwise it loads them from a CDN). Lindung serves the few files it needs itself,
from the installed package, so the docs work offline and under the site's Content-Security-Policy.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
OWN_STATIC = Path(__file__).resolve().parent / "static" / "api"

#: The only files served, by name.
ASSETS = {
    "swagger-ui-bundle.js": NINJA_STATIC / "swagger-ui-bundle.js",
    "swagger-ui.css": NINJA_STATIC / "swagger-ui.css",
    "favicon.png": NINJA_STATIC / "favicon.png",
    "swagger-init.js": OWN_STATIC / "swagger-init.js",
}


def _key(name: str) -> str:
    """`swagger-ui.css` → `swagger_ui_css`, usable in the template."""
    return name.replace("-", "_").replace(".", "_")


class OfflineSwagger(DocsBase):
    settings = {"layout": "BaseLayout", "deepLinking": True, "persistAuthorization": False}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        config = dict(self.settings, url=self.get_openapi_url(api, kwargs))
        user = getattr(request, "user", None)
        context = {
            "api": api,
            "swagger_settings": json.dumps(config),
            # The pages' session calls need the CSRF token; token calls do not.
            "csrf_token_value": get_token(request) if user is not None and user.is_authenticated else "",
            "asset": {_key(name): reverse("api:docs_asset", args=[name]) for name in ASSETS},
        }
        return render(request, "api/docs.html", context)


@require_GET
@cache_control(max_age=86400, public=True)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None or not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), content_type=content_type)
