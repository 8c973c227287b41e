from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "AI cybersecurity grants"

    def ready(self) -> None:
        from eo_portal import registry
        from grants import demo, selectors

        registry.register_visibility("grants.Application", selectors.applications_visible_to)
        registry.register_visibility("grants.Opportunity", lambda user: selectors.opportunities())
        registry.register_open_work("grants", selectors.open_work_for)
        registry.register_public_aggregates("grants", selectors.public_aggregates)
        registry.register_demo_content("grants", demo.seed)
