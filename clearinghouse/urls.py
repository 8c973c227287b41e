from django.urls import include, path, register_converter

from clearinghouse import views

app_name = "clearinghouse"


class AdvisoryMoveConverter:
    """The steps of an advisory's state table its page takes by POST (withdrawal has its own form)."""

    regex = "|".join(views.ADVISORY_MOVES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DirectiveMoveConverter:
    regex = "|".join(views.DIRECTIVE_MOVES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AdvisoryMoveConverter, "advisory_move")
register_converter(DirectiveMoveConverter, "directive_move")

advisory = "advisories/<str:reference>/"
vulnerability = "vulnerabilities/<str:reference>/"
# Identifiers hold a space ("BOD 27-01"); reverse() writes it as %20 and the resolver reads it back.
directive = "directives/<str:identifier>/"
tool_request = "tool-requests/<int:request_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("advisories/", views.advisory_list, name="advisory-list"),
    path("advisories/new/", views.advisory_create, name="advisory-create"),
    path(advisory, views.advisory_detail, name="advisory-detail"),
    path(advisory + "edit/", views.advisory_edit, name="advisory-edit"),
    path(advisory + "revise/", views.advisory_revise, name="advisory-revise"),
    path(advisory + "revisions/", views.advisory_revisions, name="advisory-revisions"),
    path(advisory + "distribution/", views.advisory_distribution, name="advisory-distribution"),
    path(advisory + "history/", views.advisory_history, name="advisory-history"),
    path(advisory + "withdraw/", views.advisory_withdraw, name="advisory-withdraw"),
    path(advisory + "<advisory_move:move>/", views.advisory_move, name="advisory-move"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:delivery_id>/", views.delivery_detail, name="delivery-detail"),
    path("vulnerabilities/", views.vulnerability_list, name="vulnerability-list"),
    path("vulnerabilities/report/", views.vulnerability_report, name="vulnerability-report"),
    path(vulnerability, views.vulnerability_detail, name="vulnerability-detail"),
    path(vulnerability + "history/", views.vulnerability_history, name="vulnerability-history"),
    path(vulnerability + "triage/", views.vulnerability_triage, name="vulnerability-triage"),
    path(vulnerability + "move/", views.vulnerability_move, name="vulnerability-move"),
    path(vulnerability + "merge/<str:duplicate>/", views.vulnerability_merge, name="vulnerability-merge"),
    path("directives/", views.directive_list, name="directive-list"),
    path("directives/new/", views.directive_create, name="directive-create"),
    path(directive, views.directive_detail, name="directive-detail"),
    path(directive + "edit/", views.directive_edit, name="directive-edit"),
    path(directive + "actions/<int:number>/report/", views.compliance_report, name="compliance-report"),
    path(directive + "<directive_move:move>/", views.directive_move, name="directive-move"),
    path("tools/", views.tool_list, name="tool-list"),
    path("tools/<slug:slug>/", views.tool_detail, name="tool-detail"),
    path("tools/<slug:slug>/request/", views.tool_request, name="tool-request"),
    path("tool-requests/", views.tool_request_list, name="tool-request-list"),
    path(tool_request, views.tool_request_detail, name="tool-request-detail"),
    path(tool_request + "decide/", views.tool_request_decide, name="tool-request-decide"),
    path(tool_request + "withdraw/", views.tool_request_withdraw, name="tool-request-withdraw"),
    # Downloads and feeds: CSAF 2.0, the KEV catalogue, Atom and JSON feeds, the priority CSV.
    path("", include("clearinghouse.export_urls")),
]
