from django.urls import path, register_converter

from grants import views

app_name = "grants"


class OpportunityMoveConverter:
    """The steps of an opportunity's state table that its page takes by POST."""

    regex = "|".join(views.OPPORTUNITY_MOVES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OpportunityMoveConverter, "opportunity_move")

opportunity = "opportunities/<str:number>/"
application = "applications/<str:tracking_number>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("saved-searches/", views.saved_searches, name="saved-searches"),
    path("saved-searches/<int:search_id>/delete/", views.saved_search_delete, name="saved-search-delete"),
    path("opportunities/new/", views.opportunity_create, name="opportunity-create"),
    path(opportunity, views.opportunity_detail, name="opportunity-detail"),
    path(opportunity + "documents/<int:document_id>/", views.opportunity_document, name="opportunity-document"),
    path(opportunity + "documents/", views.opportunity_attach, name="opportunity-attach"),
    path(opportunity + "edit/", views.opportunity_edit, name="opportunity-edit"),
    path(opportunity + "amend/", views.opportunity_amend, name="opportunity-amend"),
    path(opportunity + "applications/", views.opportunity_applications, name="opportunity-applications"),
    path(opportunity + "apply/", views.application_create, name="application-create"),
    path(opportunity + "<opportunity_move:move>/", views.opportunity_move, name="opportunity-move"),
    path("applications/", views.application_list, name="application-list"),
    path(application, views.application_detail, name="application-detail"),
    path(application + "history/", views.application_history, name="application-history"),
    path(application + "edit/", views.application_edit, name="application-edit"),
    path(application + "documents/<int:document_id>/", views.application_document, name="application-document"),
    path(application + "documents/", views.application_attach, name="application-attach"),
    path(application + "submit/", views.application_submit, name="application-submit"),
    path(application + "withdraw/", views.application_withdraw, name="application-withdraw"),
    path(application + "reviewers/", views.application_assign, name="application-assign"),
    path(application + "award/", views.application_award, name="application-award"),
    path(application + "decline/", views.application_decline, name="application-decline"),
    path(application + "subawards/", views.application_subaward, name="application-subaward"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:assignment_id>/", views.review_detail, name="review-detail"),
    path("reviews/<int:assignment_id>/attest/", views.review_attest, name="review-attest"),
    path("reviews/<int:assignment_id>/score/", views.review_score, name="review-score"),
    path("subawards/<int:subaward_id>/", views.subaward_detail, name="subaward-detail"),
]
