from django.urls import path
from django.views.generic import TemplateView

app_name = "workforce"

urlpatterns = [
    path("", TemplateView.as_view(template_name="workforce/index.html"), name="index"),
]
