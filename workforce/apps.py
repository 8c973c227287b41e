from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "workforce"
    verbose_name = "Tech Force cyber hiring"

    def ready(self) -> None:
        from eo_portal import registry
        from workforce import demo, selectors

        registry.register_visibility("workforce.Opening", selectors.openings_visible_to)
        registry.register_visibility("workforce.Application", selectors.applications_visible_to)
        registry.register_open_work("workforce", selectors.open_work_for)
        registry.register_demo_content("workforce", demo.seed)
        registry.register_public_aggregates("workforce", selectors.public_aggregates)
