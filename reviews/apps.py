from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Frontier model reviews"

    def ready(self) -> None:
        from eo_portal import registry
        from reviews import demo, selectors

        registry.register_visibility("reviews.ReviewCase", selectors.cases_visible_to)
        registry.register_open_work("reviews", selectors.open_work_for)
        registry.register_demo_content("reviews", demo.seed)
        registry.register_public_aggregates("reviews", selectors.public_aggregates)
