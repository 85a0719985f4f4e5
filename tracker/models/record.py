"""The curated record: actors, red lines, the events that tested them, and sources."""

import datetime
from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from tracker import record_rules


def _in(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


country_validator = RegexValidator(
    r"^[A-Z]{2}$", "Use a two-letter ISO 3166-1 alpha-2 code in capitals, e.g. RU."
)
wikidata_validator = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id is Q followed by digits, e.g. Q159.")


def validate_string_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("Enter a list of non-empty strings.")


SLUG_TAKEN = "slug_taken"


def slug_unique_in_any_case(model_name: str, noun: str) -> models.UniqueConstraint:
    """Slugs are addresses: `RUSSIA` beside `russia` would be two pages a reader cannot tell apart."""
    return models.UniqueConstraint(
        Lower("slug"),
        name=f"{model_name}_slug_unique_any_case",
        violation_error_code=SLUG_TAKEN,
        violation_error_message=f"Another {noun} already has this slug "
        "(slugs are compared without regard to letter case).",
    )


class SlugInAnyCase:
    """Puts the case-insensitive slug constraint's message under `slug`, where admin and the API
    show field messages (Django reports a constraint over an expression as a non-field error)."""

    def validate_constraints(self, exclude: Any = None) -> None:
        try:
            super().validate_constraints(exclude)  # type: ignore[misc]
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            taken = [e for e in general if e.code == SLUG_TAKEN]
            if taken:
                errors.setdefault("slug", []).extend(taken)
            if rest := [e for e in general if e.code != SLUG_TAKEN]:
                errors[NON_FIELD_ERRORS] = rest
            raise ValidationError(errors) from None


class TimeStamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    ALLIANCE = "alliance", "Alliance"
    ARMED_GROUP = "armed_group", "Armed group"
    GROUP = "group", "Group"


class Actor(SlugInAnyCase, TimeStamped):
    Kind = ActorKind

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.CharField(
        max_length=2, blank=True, validators=[country_validator], help_text="ISO 3166-1 alpha-2"
    )
    affiliation = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text="Other names used for matching in articles, e.g. “the Kremlin”.",
    )
    wikidata_id = models.CharField(max_length=20, blank=True, validators=[wikidata_validator])
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", ActorKind), name="actor_kind_valid"),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"), name="actor_country_iso2"
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="actor_wikidata_id_format",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="actor_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="actor_slug_not_empty"),
            slug_unique_in_any_case("actor", "actor"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actor-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.affiliation_id and self.pk and self.affiliation_id == self.pk:
            raise ValidationError({"affiliation": "An actor cannot be affiliated with itself."})


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    CROSSED = "crossed", "Crossed"
    ENFORCED = "enforced", "Enforced"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Explicitness(models.TextChoices):
    EXPLICIT = "explicit", "Explicit"
    IMPLICIT = "implicit", "Implicit"


class Severity(models.TextChoices):
    DIPLOMATIC = "diplomatic", "Diplomatic"
    ECONOMIC = "economic", "Economic"
    MILITARY = "military", "Military"
    NUCLEAR = "nuclear", "Nuclear"


class Category(models.TextChoices):
    WEAPONS_TRANSFER = "weapons_transfer", "Weapons transfer"
    STRIKES_ON_TERRITORY = "strikes_on_territory", "Strikes on territory"
    ALLIANCE_ENLARGEMENT = "alliance_enlargement", "Alliance enlargement"
    FOREIGN_DEPLOYMENT = "foreign_deployment", "Foreign deployment"
    WMD_USE = "wmd_use", "Use of weapons of mass destruction"
    TERRITORIAL_CHANGE = "territorial_change", "Territorial change"
    DIPLOMATIC_CONTACT = "diplomatic_contact", "Diplomatic contact"
    ECONOMIC_MEASURE = "economic_measure", "Economic measure"
    OTHER = "other", "Other"


class Theatre(models.TextChoices):
    """The region or dispute a line belongs to, so a reader can follow one conflict across lines."""

    RUSSIA_UKRAINE = "russia-ukraine", "Russia–Ukraine"
    SYRIA = "syria", "Syria"
    IRAN_ISRAEL_US = "iran-israel-us", "Iran–Israel–United States"
    ISRAEL_GAZA_LEBANON_YEMEN = "israel-gaza-lebanon-yemen", "Israel–Gaza, Lebanon, Yemen"
    TAIWAN_STRAIT = "taiwan-strait", "Taiwan Strait"
    SOUTH_CHINA_SEA = "south-china-sea", "South China Sea"
    KOREA = "korea", "Korean Peninsula"
    INDIA_PAKISTAN = "india-pakistan", "India–Pakistan"
    VENEZUELA_GUYANA = "venezuela-guyana", "Venezuela–Guyana"
    SERBIA_KOSOVO = "serbia-kosovo", "Serbia–Kosovo"
    ARMENIA_AZERBAIJAN = "armenia-azerbaijan", "Armenia–Azerbaijan"
    NILE_GERD = "nile-gerd", "Nile and the Ethiopian dam (GERD)"
    ARCTIC_GREENLAND = "arctic-greenland", "Arctic and Greenland"
    TRADE_TECHNOLOGY = "trade-technology", "Trade and technology"
    OTHER = "other", "Other"


class RedLine(SlugInAnyCase, TimeStamped):
    Status = Status

    Explicitness = Explicitness

    Severity = Severity

    Category = Category

    Theatre = Theatre

    slug = models.SlugField(max_length=160, unique=True)
    title = models.CharField(max_length=300)
    declared_by = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="red_lines_declared")
    addressees = models.ManyToManyField(Actor, blank=True, related_name="red_lines_addressed")
    declared_on = models.DateField()
    statement = models.TextField(help_text="The words, quoted or closely paraphrased.")
    trigger = models.TextField(help_text="The action that would cross the line.")
    threatened_response = models.TextField(blank=True)
    explicitness = models.CharField(max_length=10, choices=Explicitness.choices, default="explicit")
    severity = models.CharField(max_length=12, choices=Severity.choices)
    category = models.CharField(max_length=24, choices=Category.choices, default="other")
    theatre = models.CharField(
        max_length=32, choices=Theatre.choices, default="other", help_text="The region or dispute."
    )
    topics = models.JSONField(default=list, blank=True, validators=[validate_string_list])
    restates = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="restated_by"
    )

    # Derived from the events by tracker.rules.status; never typed in.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, editable=False)
    status_changed_on = models.DateField(null=True, blank=True, editable=False)
    last_reaffirmed_on = models.DateField(null=True, blank=True, editable=False)
    # Its follow-through outcome, stored with the status so stats aggregate without reading events:
    # the first sourced crossing, and the first sourced response on or after it.
    first_crossed_on = models.DateField(null=True, blank=True, editable=False)
    first_response_on = models.DateField(null=True, blank=True, editable=False)
    # A line without any source is a draft: kept for curators, hidden from public views.
    is_published = models.BooleanField(default=False, editable=False, db_index=True)
    # Full-text document kept by a PostgreSQL trigger (migration 0003).
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(
        m2m_fields=[addressees],
        excluded_fields=["search_vector", "first_crossed_on", "first_response_on"],
    )

    class Meta:
        ordering = ["-declared_on", "-id"]
        indexes = [
            models.Index(fields=["status", "-declared_on"]),
            models.Index(fields=["declared_by", "-declared_on"]),
            models.Index(fields=["severity"]),
            models.Index(fields=["category"]),
            models.Index(fields=["theatre"]),
            models.Index(fields=["updated_at", "id"]),
            GinIndex(fields=["search_vector"], name="redline_search_gin"),
            # The public list's default order (newest first), read page by page.
            models.Index(
                fields=["-declared_on", "-id"], condition=Q(is_published=True), name="redline_public_newest"
            ),
            # Counting public lines by status (the overview's links, the list's status filter).
            models.Index(fields=["status"], condition=Q(is_published=True), name="redline_public_status"),
            # Counts of the filtered public list without reading the table (index-only scans):
            # status and/or severity, and category with a declaration window.
            models.Index(
                fields=["status", "severity", "category", "declared_on"],
                condition=Q(is_published=True),
                name="redline_public_facets",
            ),
            models.Index(
                fields=["category", "declared_on"],
                condition=Q(is_published=True),
                name="redline_public_category",
            ),
            # Search over public lines only: no filter left to check in the table, so a count of
            # matches skips the table's pages that are all-visible.
            GinIndex(fields=["search_vector"], condition=Q(is_published=True), name="redline_public_search"),
            # Follow-through by declarer or category read from the index alone (stats, overview).
            models.Index(
                fields=[
                    "declared_by",
                    "category",
                    "declared_on",
                    "severity",
                    "first_crossed_on",
                    "first_response_on",
                ],
                condition=Q(is_published=True),
                name="redline_public_outcomes",
            ),
            # The same grouped by category: read in category order, no sort of every public line.
            models.Index(
                fields=["category", "declared_on", "severity", "first_crossed_on", "first_response_on"],
                condition=Q(is_published=True),
                name="redline_public_cat_outcomes",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("status", Status), name="redline_status_valid"),
            models.CheckConstraint(
                condition=_in("explicitness", Explicitness), name="redline_explicitness_valid"
            ),
            models.CheckConstraint(condition=_in("severity", Severity), name="redline_severity_valid"),
            models.CheckConstraint(condition=_in("category", Category), name="redline_category_valid"),
            models.CheckConstraint(condition=_in("theatre", Theatre), name="redline_theatre_valid"),
            models.CheckConstraint(condition=~Q(statement=""), name="redline_statement_not_empty"),
            models.CheckConstraint(condition=~Q(title=""), name="redline_title_not_empty"),
            models.CheckConstraint(condition=~Q(trigger=""), name="redline_trigger_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="redline_slug_not_empty"),
            slug_unique_in_any_case("redline", "red line"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("red-line-detail", kwargs={"slug": self.slug})

    @property
    def is_live(self) -> bool:
        return self.status in (Status.ACTIVE, Status.CROSSED)

    def clean(self) -> None:
        if self.declared_on and self.declared_on > timezone.localdate():
            raise ValidationError({"declared_on": "A red line cannot be declared in the future."})
        if self.restates_id and self.pk and self.restates_id == self.pk:
            raise ValidationError({"restates": "A red line cannot restate itself."})
        if self.pk and self.declared_on:
            first = self.events.order_by("occurred_on").values_list("occurred_on", flat=True).first()
            if first is not None and first < self.declared_on:
                raise ValidationError(
                    {
                        "declared_on": f"The line has an event dated {first.isoformat()}, "
                        "before this declaration date."
                    }
                )
        for field in ("title", "statement", "trigger"):
            if not (getattr(self, field) or "").strip():
                raise ValidationError({field: "This field cannot be blank."})


class EventKind(models.TextChoices):
    RESTATEMENT = "restatement", "Restatement"
    CROSSING = "crossing", "Crossing"
    RESPONSE = "response", "Response"
    WITHDRAWAL = "withdrawal", "Withdrawal"


class Event(TimeStamped):
    Kind = EventKind

    red_line = models.ForeignKey(RedLine, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    occurred_on = models.DateField()
    actors = models.ManyToManyField(Actor, blank=True, related_name="events")
    summary = models.TextField()
    partial = models.BooleanField(default=False, help_text="A crossing that only partly meets the trigger.")
    # Sourced and on a published line (`tracker.rules.publication`): kept by
    # tracker.services.derived.event_publication_refresh.
    is_public = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords(m2m_fields=[actors])

    class Meta:
        ordering = ["occurred_on", "created_at", "id"]
        indexes = [
            models.Index(fields=["red_line", "occurred_on", "created_at"]),
            models.Index(fields=["kind", "-occurred_on"]),
            models.Index(fields=["-occurred_on"]),
            models.Index(
                fields=["occurred_on", "kind"], condition=Q(is_public=True), name="event_public_month"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("kind", EventKind), name="event_kind_valid"),
            models.CheckConstraint(condition=~Q(summary=""), name="event_summary_not_empty"),
            models.CheckConstraint(
                condition=Q(partial=False) | Q(kind="crossing"), name="event_partial_only_crossing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; an update never writes `is_public`, which only its refresh keeps (this copy may be stale)."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "is_public" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.occurred_on:
            if self.occurred_on > timezone.localdate():
                errors["occurred_on"] = "An event cannot be dated in the future."
            elif self.red_line_id and self.occurred_on < self.red_line.declared_on:
                errors["occurred_on"] = (
                    f"The event is dated {self.occurred_on.isoformat()}, before the line was "
                    f"declared on {self.red_line.declared_on.isoformat()}."
                )
        if self.partial and self.kind != self.Kind.CROSSING:
            errors["partial"] = "Only a crossing can be partial."
        if not (self.summary or "").strip():
            errors["summary"] = "This field cannot be blank."
        if errors:
            raise ValidationError(errors)


class Source(TimeStamped):
    """Provenance for exactly one red line or one event."""

    red_line = models.ForeignKey(
        RedLine, null=True, blank=True, on_delete=models.CASCADE, related_name="sources"
    )
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Empty only for an article pasted as text: the source is then cited by title.",
    )
    publisher = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    language = models.CharField(
        max_length=2, blank=True, help_text="ISO 639-1 code of the page's language, e.g. en, ru."
    )
    quote = models.TextField(blank=True, help_text=record_rules.QUOTE_RULE)
    quote_translation = models.TextField(blank=True, help_text="An English translation of the quote.")
    note = models.TextField(blank=True, help_text=record_rules.NOTE_RULE)
    article = models.ForeignKey(
        "tracker.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["published_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(red_line__isnull=False) & Q(event__isnull=True))
                | (Q(red_line__isnull=True) & Q(event__isnull=False)),
                name="source_belongs_to_one",
            ),
            # A source is cited by its URL, or (pasted text) by its title; the title stays when the
            # article it came from is deleted.
            models.CheckConstraint(condition=~Q(url="") | ~Q(title=""), name="source_url_or_title"),
            models.CheckConstraint(
                condition=Q(language="") | Q(language__regex=r"^[a-z]{2}$"), name="source_language_iso639_1"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def clean(self) -> None:
        # "Neither" is left to the database constraint: an inline form validates before its parent exists.
        if self.red_line_id and self.event_id:
            raise ValidationError("A source belongs to exactly one red line or one event.")
        errors = {}
        if self.published_on and self.published_on > timezone.localdate():
            errors["published_on"] = "A source cannot be published in the future."
        if not self.url and not (self.article_id and self.title):
            errors["url"] = "A source needs a URL, unless it cites an article pasted as text."
        if problem := record_rules.quote_problem(self.quote or ""):
            errors["quote"] = problem
        if problem := record_rules.language_problem(self.language or ""):
            errors["language"] = problem
        if errors:
            raise ValidationError(errors)


class StatusChange(models.Model):
    """One recorded change of a line's derived status and the event that caused it."""

    red_line = models.ForeignKey(RedLine, on_delete=models.CASCADE, related_name="status_changes")
    changed_on = models.DateField(help_text="The date the new status took effect.")
    old_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=Status.choices)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="status_changes"
    )
    reason = models.CharField(max_length=300)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("new_status", Status), name="statuschange_new_valid"),
            models.CheckConstraint(
                condition=Q(old_status="") | _in("old_status", Status), name="statuschange_old_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_status or '—'} → {self.new_status} on {self.changed_on}"


class Deletion(models.Model):
    """A tombstone for a deleted public record, so API clients can mirror deletions."""

    model = models.CharField(max_length=40)
    key = models.CharField(max_length=200, help_text="The slug or id the record was published under.")
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["deleted_at", "id"]
        # The analyser's stamps read the newest tombstone of one model for every article.
        indexes = [models.Index(fields=["model", "id"], name="deletion_model_id")]

    def __str__(self) -> str:
        return f"{self.model} {self.key}"


def today() -> datetime.date:
    return timezone.localdate()


class ActorCounts(models.Model):
    """How many published lines an actor declared and was warned by, and the sourced crossings it made.

    Derived by tracker.services.actor_counts and kept current by tracker.services.changes on every write path,
    so the actors list reads one row per actor instead of counting over every line and event.
    """

    actor = models.OneToOneField(Actor, primary_key=True, on_delete=models.CASCADE, related_name="counts")
    lines_declared = models.PositiveIntegerField(default=0)
    lines_addressed = models.PositiveIntegerField(default=0)
    crossings_made = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"counts of actor {self.actor_id}"
