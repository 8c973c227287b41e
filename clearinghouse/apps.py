from django.apps import AppConfig


class ClearinghouseConfig(AppConfig):
    name = "clearinghouse"
    verbose_name = "AI cybersecurity clearinghouse"
