"""Ingestion API: feeds and articles, for curators only.

Articles are unreviewed material (extracted text, pipeline errors, feeds a newsroom follows); the
public record cites what curators accepted through its sources, so anonymous and plain users get
401/403 here.

Input serializer -> service -> output serializer; the services own every rule.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.filters import UPDATED_SINCE_HELP, IdLookupMixin, id_param, refuse_empty
from api.pagination import PagePagination
from api.permissions import IsCurator
from tracker.errors import DomainError
from tracker.ingest.articles import article_submit_text, article_submit_url
from tracker.ingest.feeds import feed_add
from tracker.models import Article, Feed


def _domain_to_400(exc: DomainError) -> ValidationError:
    return ValidationError(exc.as_dict())


class FeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "title",
            "active",
            "poll_interval",
            "last_polled_at",
            "last_status",
            "consecutive_failures",
            "disabled_reason",
        ]
        read_only_fields = fields


class FeedInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=1000)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)
    poll_interval = serializers.IntegerField(required=False, default=1800, min_value=60, max_value=7 * 86400)


class ArticleSerializer(serializers.ModelSerializer):
    published_on = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "canonical_url",
            "feed",
            "title",
            "publisher",
            "published_on",
            "language",
            "text",
            "state",
            "duplicate_of",
            "error",
        ]
        read_only_fields = fields

    def get_published_on(self, article: Article) -> str | None:
        return article.published_at.date().isoformat() if article.published_at else None


class ArticleInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)
    published_on = serializers.DateField(required=False, allow_null=True, default=None)
    publisher = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, data: dict) -> dict:
        if data["text"]:
            if not data["title"].strip():
                raise ValidationError({"title": ["A title is needed with a text."]})
        elif not data["url"]:
            raise ValidationError({"url": ['Give either "url", or "title" and "text".']})
        elif data["title"] or data["published_on"]:
            raise ValidationError({"text": ['"title" and "published_on" go with a "text".']})
        return data


class FeedListCreate(generics.ListCreateAPIView):
    """Feeds polled for articles. Curators only. A new feed is polled at once."""

    serializer_class = FeedSerializer
    permission_classes = [IsCurator]
    pagination_class = PagePagination
    queryset = Feed.objects.order_by("id")

    @extend_schema(request=FeedInputSerializer, responses={201: FeedSerializer})
    def post(self, request, *args, **kwargs) -> Response:
        data = FeedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            feed = feed_add(**data.validated_data)
        except DomainError as exc:
            raise _domain_to_400(exc) from exc
        return Response(FeedSerializer(feed).data, status=status.HTTP_201_CREATED)


class FeedDetail(IdLookupMixin, generics.RetrieveAPIView):
    serializer_class = FeedSerializer
    permission_classes = [IsCurator]
    queryset = Feed.objects.all()


MAX_ID = 2**63 - 1  # PostgreSQL's bigint
ARTICLE_FILTERS = [
    OpenApiParameter("state", enum=Article.State.values, description="Pipeline state"),
    OpenApiParameter("feed", {"type": "integer", "minimum": 0, "maximum": MAX_ID}, description="Feed id"),
    OpenApiParameter("q", description="Words in the title or text"),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description=UPDATED_SINCE_HELP),
]


@extend_schema_view(get=extend_schema(parameters=ARTICLE_FILTERS))
class ArticleListCreate(generics.ListCreateAPIView):
    """Ingested articles (curators only); filters `state`, `feed`, `q` (title/text), `updated_since`.

    POST `{"url"}` stores the article and queues its fetch; POST `{"title", "text", "url"?,
    "published_on"?}` stores it as given for analysis. Both answer 201 with the article (200 with
    the stored one when that URL or text is already there); its `state` moves on as the pipeline runs.
    """

    serializer_class = ArticleSerializer
    permission_classes = [IsCurator]
    pagination_class = PagePagination

    def get_queryset(self):
        articles = Article.objects.order_by("-created_at", "-id")
        params = self.request.query_params
        refuse_empty(params, [p.name for p in ARTICLE_FILTERS])
        if state := params.get("state"):
            if state not in Article.State.values:
                raise ValidationError({"state": [f"One of: {', '.join(Article.State.values)}."]})
            articles = articles.filter(state=state)
        if feed := params.get("feed"):
            articles = articles.filter(feed_id=id_param(feed, name="feed"))
        if q := params.get("q", "").strip():
            articles = articles.filter(Q(title__icontains=q) | Q(text__icontains=q))
        if since := params.get("updated_since"):
            try:
                parsed = serializers.DateTimeField().to_internal_value(since)
            except ValidationError as exc:
                raise ValidationError({"updated_since": exc.detail}) from exc
            articles = articles.filter(updated_at__gte=parsed)
        return articles

    @extend_schema(request=ArticleInputSerializer, responses={201: ArticleSerializer, 200: ArticleSerializer})
    def post(self, request, *args, **kwargs) -> Response:
        data = ArticleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values["text"]:
                article, created = article_submit_text(
                    title=values["title"],
                    text=values["text"],
                    url=values["url"],
                    published_on=values["published_on"],
                    publisher=values["publisher"],
                )
            else:
                article, created = article_submit_url(url=values["url"])
        except DomainError as exc:
            raise _domain_to_400(exc) from exc
        article.refresh_from_db()
        return Response(
            ArticleSerializer(article).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ArticleDetail(IdLookupMixin, generics.RetrieveAPIView):
    """One ingested article with its text and pipeline state (curators only)."""

    serializer_class = ArticleSerializer
    permission_classes = [IsCurator]
    queryset = Article.objects.all()


urlpatterns = [
    path("feeds/", FeedListCreate.as_view(), name="api-feed-list"),
    path("feeds/<int:pk>/", FeedDetail.as_view(), name="api-feed-detail"),
    path("articles/", ArticleListCreate.as_view(), name="api-article-list"),
    path("articles/<int:pk>/", ArticleDetail.as_view(), name="api-article-detail"),
]
