from django.apps import AppConfig


class EoPortalConfig(AppConfig):
    name = "eo_portal"
    verbose_name = "EO Portal core"

    def ready(self) -> None:
        from eo_portal import registry, selectors

        registry.register_visibility("eo_portal.Organisation", selectors.organisations_visible_to)
