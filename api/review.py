"""Review queue API: list candidates, accept (optionally as edited) or reject them. Curators only."""

from django.urls import include, path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from api.filters import IdFilter, IdLookupMixin, StrictFilterBackend
from api.pagination import PagePagination
from api.permissions import IsCurator
from tracker.errors import DomainError
from tracker.models import Actor, Candidate, RedLine
from tracker.services import review


class CandidateSerializer(serializers.ModelSerializer):
    article = serializers.PrimaryKeyRelatedField(read_only=True)
    red_line = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    declarer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    addressees = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    actors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    created_red_line = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_event = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Candidate
        fields = (
            "id",
            "kind",
            "article",
            "red_line",
            "declarer",
            "addressees",
            "actors",
            "evidence",
            "start",
            "end",
            "trigger",
            "threatened_response",
            "occurred_on",
            "score",
            "status",
            "reviewed_by",
            "reviewed_at",
            "created_red_line",
            "created_event",
        )


class AcceptSerializer(serializers.Serializer):
    """Optional corrections applied before accepting ("accept as edited")."""

    kind = serializers.ChoiceField(choices=Candidate.Kind.choices, required=False)
    declarer = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all(), required=False)
    red_line = serializers.SlugRelatedField(slug_field="slug", queryset=RedLine.objects.all(), required=False)
    addressees = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), many=True, required=False
    )
    actors = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), many=True, required=False
    )
    trigger = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    threatened_response = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    occurred_on = serializers.DateField(required=False)
    title = serializers.CharField(required=False, max_length=300)
    summary = serializers.CharField(required=False, max_length=2000)
    severity = serializers.ChoiceField(choices=RedLine.Severity.choices, required=False)
    category = serializers.ChoiceField(choices=RedLine.Category.choices, required=False)


class CandidateFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Candidate.Status.choices)
    kind = filters.ChoiceFilter(choices=Candidate.Kind.choices)
    article = IdFilter(field_name="article_id")
    red_line = filters.CharFilter(field_name="red_line__slug")

    class Meta:
        model = Candidate
        fields = ("status", "kind", "article", "red_line")


def _domain_error(exc: DomainError) -> Response:
    return Response(exc.as_dict(), status=exc.status_code)


class CandidateViewSet(
    IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The review queue, best score first."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = CandidateSerializer
    permission_classes = [IsCurator]
    pagination_class = PagePagination
    filterset_class = CandidateFilter
    filter_backends = [StrictFilterBackend]

    def get_queryset(self):
        return (
            Candidate.objects.select_related("red_line", "declarer", "reviewed_by", "created_red_line")
            .prefetch_related("addressees", "actors")
            .order_by("-score", "id")
        )

    @extend_schema(request=AcceptSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        candidate = self.get_object()
        edits = AcceptSerializer(data=request.data or {})
        edits.is_valid(raise_exception=True)
        try:
            candidate = review.candidate_accept(
                candidate=candidate, user=request.user, edits=edits.validated_data
            )
        except DomainError as exc:
            return _domain_error(exc)
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        candidate = self.get_object()
        try:
            candidate = review.candidate_reject(candidate=candidate, user=request.user)
        except DomainError as exc:
            return _domain_error(exc)
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_200_OK)


router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("candidates", CandidateViewSet, basename="api-candidate")

urlpatterns = [path("", include(router.urls))]
