from django.utils import translation


class UserLanguageMiddleware:
    """Pages speak the signed-in user's language, else the clinic's, else the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language or (user.clinic.default_language if user.clinic_id else "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
