from django.urls import path
from django.views.generic import TemplateView

app_name = "grants"

urlpatterns = [
    path("", TemplateView.as_view(template_name="grants/index.html"), name="index"),
]
