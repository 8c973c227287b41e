"""API of the AI cybersecurity clearinghouse program under /api/v1/clearinghouse/: serializers and viewsets."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
urlpatterns = router.urls
