"""The clearinghouse's downloads and feeds, included in `clearinghouse.urls` under its namespace."""

from django.urls import path

from clearinghouse import export_views

urlpatterns = [
    path("advisories/<str:reference>/csaf.json", export_views.advisory_csaf, name="advisory-csaf"),
    path("kev.json", export_views.kev_json, name="kev-json"),
    path("kev.csv", export_views.kev_csv, name="kev-csv"),
    path("feed.atom", export_views.AdvisoryAtomFeed(), name="feed-atom"),
    path("feed.json", export_views.json_feed, name="feed-json"),
    path("vulnerabilities/priority.csv", export_views.priority_csv, name="priority-csv"),
]
