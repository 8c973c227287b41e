"""Tech Force hiring's API under /api/v1/workforce/: public pathways and openings (with facets),
applications for their applicants and hiring agencies, and OPM's figures."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eo_portal import permissions
from eo_portal.api_support import PortalRouter, PublicReadMixin
from eo_portal.models import OrganisationKind
from eo_portal.selectors import agencies_by_slug, organisations_acting_for
from workforce import selectors, services
from workforce.models import (
    Application,
    Clearance,
    HiringPath,
    OccupationalSeries,
    Opening,
    Pathway,
    PayPlan,
)
from workforce.workflow import ApplicationStatus, Stage

# ---------------------------------------------------------------------------
# Output


class PathwayOut(serializers.ModelSerializer):
    class Meta:
        model = Pathway
        fields = ["slug", "name", "hiring_authority", "who_may_apply", "description", "typical_length"]


class LocationOut(serializers.Serializer):
    city = serializers.CharField()
    state = serializers.CharField()


class OpeningOut(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pathway = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    hiring_paths = serializers.ListField(source="hiring_path_list", child=serializers.CharField())
    work_roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    locations = LocationOut(many=True)
    grade = serializers.CharField(source="grade_display")
    considering_agencies = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="A pooled cohort's other agencies."
    )

    class Meta:
        model = Opening
        fields = [
            "control_number", "title", "agency", "pathway", "series", "pay_plan", "grade_low", "grade_high",
            "grade", "salary_min", "salary_max", "remote", "telework_eligible", "clearance", "hiring_paths",
            "work_roles", "locations", "open_date", "close_date", "duties", "qualifications", "vacancies",
            "status", "usajobs_announcement", "posted_at", "considering_agencies",
        ]


class ConsiderationOut(serializers.Serializer):
    agency = serializers.CharField(source="agency.slug")
    stage = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ApplicationOut(serializers.ModelSerializer):
    opening = serializers.CharField(source="opening.control_number")
    applicant = serializers.SerializerMethodField()
    placement = serializers.SerializerMethodField()
    considerations = ConsiderationOut(many=True, read_only=True)

    class Meta:
        model = Application
        fields = ["id", "opening", "applicant", "status", "cover_note", "submitted_at", "status_changed_at",
                  "offered_at", "placement", "considerations"]

    def get_applicant(self, application: Application) -> dict:
        user = application.applicant
        return {"username": user.username, "name": user.get_full_name(), "email": user.email}

    def get_placement(self, application: Application) -> dict | None:
        placement = getattr(application, "placement", None)
        if placement is None:
            return None
        return {"start_date": placement.start_date, "office": placement.office}


# ---------------------------------------------------------------------------
# Input


class OpeningIn(serializers.Serializer):
    agency = serializers.SlugField(required=False, help_text="Your agency's slug; needed only if you have several.")
    title = serializers.CharField(max_length=200)
    pathway = serializers.SlugField()
    series = serializers.ChoiceField(OccupationalSeries.choices)
    pay_plan = serializers.ChoiceField(PayPlan.choices, required=False)
    grade_low = serializers.IntegerField(min_value=1, max_value=15, required=False, allow_null=True)
    grade_high = serializers.IntegerField(min_value=1, max_value=15, required=False, allow_null=True)
    salary_min = serializers.IntegerField(min_value=0, max_value=1_000_000)
    salary_max = serializers.IntegerField(min_value=0, max_value=1_000_000)
    remote = serializers.BooleanField(required=False)
    telework_eligible = serializers.BooleanField(required=False)
    clearance = serializers.ChoiceField(Clearance.choices, required=False)
    hiring_paths = serializers.ListField(child=serializers.ChoiceField(HiringPath.choices), min_length=1)
    work_roles = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    locations = LocationOut(many=True, required=False)
    open_date = serializers.DateField()
    close_date = serializers.DateField()
    duties = serializers.CharField()
    qualifications = serializers.CharField()
    vacancies = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    usajobs_announcement = serializers.CharField(max_length=40, required=False, allow_blank=True)
    considering_agencies = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Makes the opening a pooled cohort."
    )


class ApplyIn(serializers.Serializer):
    cover_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class AdvanceIn(serializers.Serializer):
    status = serializers.ChoiceField(ApplicationStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ConsiderIn(serializers.Serializer):
    stage = serializers.ChoiceField(Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class PlaceIn(serializers.Serializer):
    start_date = serializers.DateField()
    office = serializers.CharField(max_length=200)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    incoming = serializer_class(data=request.data, **kwargs)
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


def _opening_arguments(data: dict) -> dict:
    """Turn slugs and codes into the objects the services take; unknown ones are field errors."""
    if "pathway" in data:
        pathway = selectors.pathways().filter(slug=data["pathway"]).first()
        if pathway is None:
            raise ValidationError({"pathway": "No pathway has that slug."})
        data["pathway"] = pathway
    if "work_roles" in data:
        codes = set(data["work_roles"])
        roles = list(selectors.work_roles().filter(code__in=codes))
        if len(roles) != len(codes):
            raise ValidationError({"work_roles": "Use the codes of NICE work roles the portal knows."})
        data["work_roles"] = roles
    if "considering_agencies" in data:
        slugs = set(data["considering_agencies"])
        agencies = agencies_by_slug(slugs)
        if len(agencies) != len(slugs):
            raise ValidationError({"considering_agencies": "Use the slugs of federal agencies."})
        data["considering_agencies"] = agencies
    if "locations" in data:
        data["locations"] = [(place["city"], place["state"]) for place in data["locations"]]
    return data


# ---------------------------------------------------------------------------
# Views

SEARCH_PARAMETERS = [
    OpenApiParameter(name, str, required=False)
    for name in ("keyword", "series", "state", "clearance", "pathway", "agency", "hiring_path", "work_role", "sort")
] + [
    OpenApiParameter("grade", int, required=False),
    OpenApiParameter("minimum_salary", int, required=False),
    OpenApiParameter("remote", bool, required=False),
    OpenApiParameter("open_now", bool, required=False),
]

OPENING_MOVES = {
    "post": services.post_opening,
    "close": services.close_opening,
    "fill": services.fill_opening,
    "cancel": services.cancel_opening,
}


class PathwayViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = PathwayOut
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        return selectors.pathways()


class OpeningViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Posted openings are public; an agency also sees its own drafts."""

    serializer_class = OpeningOut
    lookup_field = "control_number"
    lookup_value_regex = r"TF-\d{4}-\d{4,}"
    filter_backends = []

    def get_queryset(self):
        return selectors.openings_visible_to(self.request.user)

    def get_object(self) -> Opening:
        return selectors.get_opening_for(self.request.user, self.kwargs["control_number"])

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses=inline_serializer(
            "OpeningSearch",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "facets": serializers.DictField(child=serializers.ListField()),
                "results": OpeningOut(many=True),
            },
        ),
    )
    def list(self, request: Request) -> Response:
        filters = selectors.filters_from(request.query_params)
        base = self.get_queryset()
        found = selectors.sorted_openings(selectors.search_openings(base, filters), filters.sort)
        self.search_counts = selectors.search_counts(base, filters)
        page = self.paginate_queryset(found)
        response = self.get_paginated_response(OpeningOut(page, many=True).data)
        response.data["facets"] = {
            name: [{"value": value, "label": label, "count": count} for value, label, count in rows]
            for name, rows in self.search_counts.facets.items()
        }
        return response

    def counting(self) -> dict:
        """The search's pages are counted by the statement that counts its facets."""
        return {"counted": self.search_counts.matched}

    @extend_schema(request=OpeningIn, responses={201: OpeningOut})
    def create(self, request: Request) -> Response:
        acting_for = organisations_acting_for(request.user, OrganisationKind.AGENCY)
        if not acting_for:
            # Refused before the input is read, as the page refuses it: only agency staff draft openings.
            raise PermissionDenied("Only agency staff post openings.")
        data = _opening_arguments(_valid(OpeningIn, request))
        slug = data.pop("agency", None)
        agencies = [agency for agency in acting_for if slug is None or agency.slug == slug]
        if len(agencies) != 1:
            raise ValidationError({"agency": "Name your agency." if agencies else "You post only for your own agency."})
        opening = services.create_opening(
            by=request.user,
            agency=agencies[0],
            hiring_paths=data.pop("hiring_paths"),
            locations=data.pop("locations", ()),
            work_roles=data.pop("work_roles", ()),
            considering_agencies=data.pop("considering_agencies", ()),
            **data,
        )
        return Response(OpeningOut(self._fresh(opening)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OpeningIn(partial=True), responses=OpeningOut)
    def partial_update(self, request: Request, control_number: str) -> Response:
        opening = self.get_object()
        data = _opening_arguments(_valid(OpeningIn, request, partial=True))
        data.pop("agency", None)
        updated = services.update_opening(
            opening,
            by=request.user,
            hiring_paths=data.pop("hiring_paths", None),
            locations=data.pop("locations", None),
            work_roles=data.pop("work_roles", None),
            considering_agencies=data.pop("considering_agencies", None),
            **data,
        )
        return Response(OpeningOut(self._fresh(updated)).data)

    def _fresh(self, opening: Opening) -> Opening:
        return selectors.get_opening_for(self.request.user, opening.control_number)

    @extend_schema(
        request=None,
        responses=OpeningOut,
        operation_id="workforce_openings_move",
        parameters=[OpenApiParameter("move", str, OpenApiParameter.PATH, enum=sorted(OPENING_MOVES))],
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<move>post|close|fill|cancel)")
    def move(self, request: Request, control_number: str, move: str) -> Response:
        """Post, close, fill or cancel; 409 with the reason when the opening's state does not allow it."""
        return Response(OpeningOut(self._fresh(OPENING_MOVES[move](self.get_object(), by=request.user))).data)

    @extend_schema(request=ApplyIn, responses={201: ApplicationOut})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, control_number: str) -> Response:
        application = services.apply(self.get_object(), by=request.user, **_valid(ApplyIn, request))
        return Response(ApplicationOut(application).data, status=status.HTTP_201_CREATED)


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An applicant's own applications, or those to the user's agency's openings."""

    serializer_class = ApplicationOut
    lookup_value_regex = r"\d+"
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.applications_visible_to(self.request.user)

    def get_object(self) -> Application:
        return selectors.get_application_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=ApplicationOut)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return Response(ApplicationOut(services.withdraw_application(self.get_object(), by=request.user)).data)

    @extend_schema(request=AdvanceIn, responses=ApplicationOut)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str) -> Response:
        application = services.advance_application(self.get_object(), by=request.user, **_valid(AdvanceIn, request))
        return Response(ApplicationOut(application).data)

    @extend_schema(request=ConsiderIn, responses=ApplicationOut)
    @action(detail=True, methods=["post"])
    def consider(self, request: Request, pk: str) -> Response:
        """In a pooled cohort, move your agency's own stand on the applicant."""
        application = self.get_object()
        services.consider_applicant(application, by=request.user, **_valid(ConsiderIn, request))
        return Response(ApplicationOut(selectors.get_application_for(request.user, application.pk)).data)

    @extend_schema(request=PlaceIn, responses=ApplicationOut)
    @action(detail=True, methods=["post"])
    def place(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        services.place_applicant(application, by=request.user, **_valid(PlaceIn, request))
        return Response(ApplicationOut(selectors.get_application_for(request.user, application.pk)).data)


class MetricsView(APIView):
    """OPM's hiring figures across agencies: counts and medians, no applicant's data."""

    @extend_schema(responses=inline_serializer("HiringMetrics", {"openings": serializers.IntegerField()}))
    def get(self, request: Request) -> Response:
        if not permissions.has_role_permission(request.user, "workforce.view_hiring_metrics"):
            raise NotFound()
        return Response(selectors.hiring_metrics())


router = PortalRouter()
router.register("pathways", PathwayViewSet, basename="pathway")
router.register("openings", OpeningViewSet, basename="opening")
router.register("applications", ApplicationViewSet, basename="application")
urlpatterns = [path("metrics/", MetricsView.as_view(), name="metrics"), *router.urls]
