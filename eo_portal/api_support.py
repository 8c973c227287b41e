"""What every program's API shares: pagination and the error handler (named in settings)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.views import exception_handler as drf_exception_handler

from eo_portal.errors import Conflict


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PublicReadMixin:
    """Anyone may list and read; every other action needs a signed-in user as usual."""

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return super().get_permissions()


class PortalPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


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
