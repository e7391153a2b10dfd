from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user chose otherwise with the language switch (the language cookie).

    The browser's Accept-Language is ignored on purpose for the pages: shared village PCs and many phones are set
    to English, and the programme's users work in Indonesian. The API (`/api/`) honours it: a program that sends
    `Accept-Language: en` asked for English on purpose.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            if request.path_info.startswith("/api/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Content-Security-Policy and the headers Django 5.2 does not set itself.

    Scripts only from Lindung's own static files (htmx is vendored; nothing from a CDN: the app must work
    offline on a village laptop), no plugins, no framing, forms post only to Lindung. Inline style attributes
    stay allowed: they carry no script and some widgets (progress bars) need them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.LINDUNG_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
