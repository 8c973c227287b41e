"""API of the Frontier model reviews program under /api/v1/reviews/: serializers and viewsets."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
