from django.urls import path
from django.views.generic import TemplateView

app_name = "clearinghouse"

urlpatterns = [
    path("", TemplateView.as_view(template_name="clearinghouse/index.html"), name="index"),
]
