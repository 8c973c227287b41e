from django.urls import path, register_converter

from workforce import views

app_name = "workforce"


class OpeningMoveConverter:
    """The steps of an opening's state table that its page takes by POST."""

    regex = "|".join(views.OPENING_MOVES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OpeningMoveConverter, "opening_move")

opening = "openings/<str:control_number>/"
application = "applications/<int:application_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("pathways/", views.pathway_list, name="pathway-list"),
    path("pathways/<slug:slug>/", views.pathway_detail, name="pathway-detail"),
    path("openings/new/", views.opening_create, name="opening-create"),
    path(opening, views.opening_detail, name="opening-detail"),
    path(opening + "edit/", views.opening_edit, name="opening-edit"),
    path(opening + "apply/", views.opening_apply, name="opening-apply"),
    path(opening + "save/", views.opening_save, name="opening-save"),
    path(opening + "applicants/", views.opening_applicants, name="opening-applicants"),
    path(opening + "history/", views.opening_history, name="opening-history"),
    path(opening + "<opening_move:move>/", views.opening_move, name="opening-move"),
    path("applications/", views.application_list, name="application-list"),
    path(application, views.application_detail, name="application-detail"),
    path(application + "withdraw/", views.application_withdraw, name="application-withdraw"),
    path(application + "consider/", views.application_consider, name="application-consider"),
    path(application + "advance/", views.application_advance, name="application-advance"),
    path(application + "place/", views.application_place, name="application-place"),
    path("profile/", views.profile, name="profile"),
    path("profile/resume/", views.resume_download, name="resume-download"),
    path("saved/", views.saved, name="saved"),
    path("saved/searches/<int:saved_id>/delete/", views.saved_search_delete, name="saved-search-delete"),
    path("metrics/", views.metrics, name="metrics"),
    path("metrics.csv", views.metrics_csv, name="metrics-csv"),
]
