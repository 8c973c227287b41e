"""API of the Tech Force cyber hiring program under /api/v1/workforce/: serializers and viewsets."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
