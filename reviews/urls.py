from django.urls import path, register_converter

from reviews import views

app_name = "reviews"


class TransitionConverter:
    """The steps of the state table a page takes by POST (the determination has its own form)."""

    regex = "|".join(views.TRANSITIONS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class PartnerActionConverter:
    regex = "concur|decline|revoke"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TransitionConverter, "review_transition")
register_converter(PartnerActionConverter, "review_partner_action")

case = "cases/<str:reference>/"

urlpatterns = [
    path("", views.case_list, name="index"),
    path("new/", views.case_create, name="case-create"),
    path("invitations/<int:invitation_id>/", views.invitation, name="invitation"),
    path(case, views.case_detail, name="case-detail"),
    path(case + "edit/", views.case_edit, name="case-edit"),
    path(case + "government-access/", views.case_government_access, name="case-government-access"),
    path(case + "determination/", views.case_determination, name="case-determination"),
    path(case + "partners/", views.case_partners, name="case-partners"),
    path(
        case + "partners/<int:access_id>/<review_partner_action:action>/",
        views.partner_action,
        name="partner-action",
    ),
    path(case + "findings/", views.case_findings, name="case-findings"),
    path(case + "findings/<int:number>/edit/", views.finding_edit, name="finding-edit"),
    path(case + "findings/<int:number>/respond/", views.finding_respond, name="finding-respond"),
    path(case + "messages/", views.case_messages, name="case-messages"),
    path(case + "documents/", views.case_documents, name="case-documents"),
    path(case + "documents/<int:document_id>/download/", views.document_download, name="document-download"),
    path(case + "documents/<int:document_id>/shareable/", views.document_shareable, name="document-shareable"),
    path(case + "history/", views.case_history, name="case-history"),
    path(case + "<review_transition:transition>/", views.case_transition, name="case-transition"),
]
