"""API of the AI cybersecurity grants program under /api/v1/grants/: serializers and viewsets."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
urlpatterns = router.urls
