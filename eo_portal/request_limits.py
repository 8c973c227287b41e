"""Refuse, before any view runs, query parameters no person sends: a NUL byte (PostgreSQL cannot
store or compare one, so it would surface as a server error deep in a query) or a value longer
than any search or filter needs. The answer is a 400 naming the parameter, as JSON for the API.
Bodies are checked where they are parsed: forms and serializers refuse NUL bytes field by field,
and DATA_UPLOAD_MAX_MEMORY_SIZE bounds their size."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

MAX_QUERY_VALUE_CHARS = 1000


def query_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(parameter, what is wrong) for the first unacceptable part of the address, or None."""
    if "\x00" in request.path:
        return "path", "The address contains a NUL byte."
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", ""), "The parameter contains a NUL byte."
        if any(len(value) > MAX_QUERY_VALUE_CHARS for value in values):
            return name, f"The parameter is longer than {MAX_QUERY_VALUE_CHARS} characters."
    return None


class QueryLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = query_problem(request)
        if problem is None:
            return self.get_response(request)
        name, message = problem
        if request.path.startswith("/api/"):
            return JsonResponse({name: [message]}, status=400)
        return HttpResponseBadRequest(f"{name}: {message}", content_type="text/plain; charset=utf-8")
