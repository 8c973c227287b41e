"""The transparency page as JSON at /api/v1/transparency/: public, no sign-in.

The same figures as the page and the CSV, under the same small-number rule
(eo_portal/transparency.py): a suppressed figure has `"value": null` and `"suppressed": true`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eo_portal import transparency


@extend_schema_field(OpenApiTypes.NUMBER)
class FigureValue(serializers.Field):
    """A count (whole number), a median, or a share in percent; null when suppressed."""

    def to_representation(self, value: Any) -> Any:
        return value


class TransparencyRowOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = FigureValue(allow_null=True, help_text="The count; null when suppressed.")
    suppressed = serializers.BooleanField(help_text=f"True when drawn from fewer than {transparency.MINIMUM} cases.")
    display = serializers.CharField(help_text=f"The number as the page shows it, or “{transparency.SUPPRESSED_TEXT}”.")


class TransparencyFigureOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=transparency.KINDS,
        help_text="count; median (in `unit`); share (a percentage); breakdown (`rows`, and `value` is their total).",
    )
    value = FigureValue(allow_null=True, help_text="The figure; null when suppressed.")
    suppressed = serializers.BooleanField(help_text=f"True when drawn from fewer than {transparency.MINIMUM} cases.")
    display = serializers.CharField(help_text=f"The figure as the page shows it, or “{transparency.SUPPRESSED_TEXT}”.")
    unit = serializers.CharField(allow_blank=True)
    of = serializers.IntegerField(
        allow_null=True, help_text="How many cases a median or share is drawn from; null when suppressed."
    )
    total_label = serializers.CharField(allow_blank=True, help_text="A breakdown's label for its total (`value`).")
    rows = TransparencyRowOut(many=True, help_text="A breakdown's rows; empty for other kinds.")


class TransparencyProgramOut(serializers.Serializer):
    program = serializers.CharField(source="key")
    title = serializers.CharField()
    published = serializers.BooleanField(help_text="False while the program publishes nothing in the portal yet.")
    figures = TransparencyFigureOut(many=True)


class TransparencyMandateOut(serializers.Serializer):
    section = serializers.CharField()
    action = serializers.CharField()
    responsible = serializers.CharField()
    due_date = serializers.DateField(allow_null=True, help_text="Null where the order's text gives no deadline.")
    status_label = serializers.CharField()
    overdue = serializers.BooleanField()


class TransparencyOut(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    minimum = serializers.IntegerField(help_text="No figure drawn from fewer than this many cases is shown.")
    suppressed_text = serializers.CharField()
    programs = TransparencyProgramOut(many=True)
    mandates = TransparencyMandateOut(many=True)


class TransparencyView(APIView):
    """Public figures: the same for everyone, so no sign-in is read."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="transparency",
        summary="The public transparency figures",
        description=(
            "Counts, medians and shares of each program of the order, and the order's mandates. No lab, "
            f"model, organisation or person is named. A figure drawn from fewer than {transparency.MINIMUM} "
            'cases has `"value": null` and `"suppressed": true`. A program that publishes nothing yet has '
            '`"published": false`.'
        ),
        responses=TransparencyOut,
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response(TransparencyOut(transparency.build()).data)
