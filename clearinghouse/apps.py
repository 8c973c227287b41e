from django.apps import AppConfig


class ClearinghouseConfig(AppConfig):
    name = "clearinghouse"
    verbose_name = "AI cybersecurity clearinghouse"

    def ready(self) -> None:
        from clearinghouse import demo, selectors
        from eo_portal import registry

        registry.register_visibility("clearinghouse.Vulnerability", selectors.vulnerabilities_visible_to)
        registry.register_visibility("clearinghouse.Advisory", selectors.advisories_visible_to)
        registry.register_visibility("clearinghouse.Delivery", selectors.deliveries_visible_to)
        registry.register_visibility("clearinghouse.Directive", selectors.directives_visible_to)
        registry.register_open_work("clearinghouse", selectors.open_work_for)
        registry.register_public_aggregates("clearinghouse", selectors.public_aggregates)
        registry.register_demo_content("clearinghouse", demo.seed)
