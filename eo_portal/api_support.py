"""What every program's API shares: pagination and the error handler (named in settings)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from eo_portal.errors import Conflict
from eo_portal.pagination import COUNT_CAP, CappedPaginator
from eo_portal.row_release import release


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def edit_version_field() -> serializers.IntegerField:
    """The `edit_version` an API client last read, sent back with an edit of a draft."""
    return serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The edit_version you last read; if someone has saved since, the edit is refused with 409.",
    )


class PublicReadMixin:
    """Anyone may list and read; every other action needs a signed-in user as usual."""

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return super().get_permissions()


class PortalRouter(DefaultRouter):
    """Every program's router. No format-suffix routes (…/cases.json): the API answers JSON, and
    the actions' signatures take no `format` argument, so such a URL failed with a 500."""

    include_format_suffixes = False


class PortalPagination(PageNumberPagination):
    """Page numbers with a capped count (eo_portal/pagination.py): `count` is exact up to 10,000;
    beyond it `count` is 10,000, `count_is_capped` is true and the pages offer the first 10,000."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # A view may say how its list is counted: `CappedPaginator`'s `parts` or `counted`.
        self.counting = view.counting() if hasattr(view, "counting") else {}
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size) -> CappedPaginator:
        return CappedPaginator(queryset, page_size, **self.counting)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_capped"] = self.page.paginator.count_is_capped
        # `data` is the page serialised: its rows are done with.
        release(self.page.object_list)
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = (
            f"The number of results, exact up to {COUNT_CAP:,}; when there are more it is {COUNT_CAP:,}, "
            f"count_is_capped is true and the pages offer the first {COUNT_CAP:,} (narrow the list with its filters)."
        )
        described["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": f"True when there are more than {COUNT_CAP:,} results.",
        }
        described["required"] = [*described["required"], "count_is_capped"]
        return described


def exception_handler(exc, context):
    """Service errors become API errors: a Django ValidationError is a 400 naming the field,
    a refused action on a visible object is a 403 (invisible objects are 404 before that), and
    a step the object's state does not allow is a 409 with the reason."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, PermissionDenied):
        # A service may say why (a second coordinator must publish); a bare refusal says nothing more.
        exc = ApiPermissionDenied(str(exc) or None)
    elif isinstance(exc, Conflict):
        exc = ConflictError(str(exc))
    return drf_exception_handler(exc, context)
