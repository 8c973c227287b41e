"""Downloads and feeds of the clearinghouse: CSAF 2.0, the KEV-style catalogue, the public
Atom and JSON feeds and the priority queue as CSV. Reads through the selectors like every page:
an advisory the reader may not see answers 404, and feeds carry published TLP:CLEAR only."""

from __future__ import annotations

import csv
import json

from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from clearinghouse import exports, selectors
from clearinghouse.models import Advisory

FEED_SIZE = 50


class _Echo:
    """A file-like sink for csv.writer that hands each row straight to the response."""

    def write(self, value: str) -> str:
        return value


def _csv(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def advisory_csaf(request: HttpRequest, reference: str) -> HttpResponse:
    advisory = selectors.get_advisory_with_contents_for(request.user, reference)
    body = json.dumps(exports.csaf_document(advisory), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{advisory.reference.lower()}.json"'
    return response


@require_safe
def kev_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(exports.kev_catalogue(selectors.kev_catalogue()), json_dumps_params={"ensure_ascii": False})


@require_safe
def kev_csv(request: HttpRequest) -> StreamingHttpResponse:
    return _csv(exports.kev_rows(selectors.kev_catalogue()), "known_exploited_vulnerabilities.csv")


@require_safe
def json_feed(request: HttpRequest) -> JsonResponse:
    feed = exports.json_feed(selectors.public_advisories()[:FEED_SIZE])
    return JsonResponse(feed, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False})


@require_safe
@login_required
def priority_csv(request: HttpRequest) -> StreamingHttpResponse:
    return _csv(exports.priority_rows(selectors.priority_queue(request.user).iterator(chunk_size=2000)), "priority_queue.csv")


class AdvisoryAtomFeed(Feed):
    feed_type = Atom1Feed
    title = "EO Portal clearinghouse advisories (TLP:CLEAR)"
    subtitle = "Published TLP:CLEAR advisories of the AI cybersecurity clearinghouse."

    def link(self) -> str:
        return reverse("clearinghouse:index")

    def items(self):
        return selectors.public_advisories()[:FEED_SIZE]

    def item_title(self, item: Advisory) -> str:
        return f"[TLP:CLEAR] {item.reference}: {item.title}"

    def item_description(self, item: Advisory) -> str:
        return f"TLP:CLEAR. {item.summary}"

    def item_link(self, item: Advisory) -> str:
        return reverse("clearinghouse:advisory-detail", args=[item.reference])

    def item_guid(self, item: Advisory) -> str:
        return item.reference

    def item_pubdate(self, item: Advisory):
        return item.published_at

    def item_updateddate(self, item: Advisory):
        return item.updated_at
