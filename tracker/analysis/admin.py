"""Review queue in admin: best score first, evidence highlighted in its paragraph, accept or reject."""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from tracker.errors import DomainError
from tracker.models import Candidate
from tracker.services import review

CONTEXT_CHARS = 1_500


def evidence_in_paragraph(candidate: Candidate) -> str:
    """The paragraph around the evidence, all of it escaped, the evidence inside <mark>."""
    text = candidate.article.text or ""
    start, end = candidate.start, candidate.end
    if not (0 <= start <= end <= len(text)):
        return format_html("<mark>{}</mark>", candidate.evidence)
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    lo = max(before + 2 if before >= 0 else 0, start - CONTEXT_CHARS)
    hi = min(after if after >= 0 else len(text), end + CONTEXT_CHARS)
    return format_html(
        '<div style="max-width:60em;white-space:pre-wrap">{}<mark>{}</mark>{}</div>',
        text[lo:start],
        text[start:end],
        text[end:hi],
    )


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("score", "kind", "status", "evidence_short", "declarer", "red_line", "article_link")
    list_display_links = ("evidence_short",)
    list_filter = ("status", "kind")
    search_fields = ("evidence", "article__title", "red_line__title", "declarer__name")
    ordering = ("-score", "id")
    list_select_related = ("declarer", "red_line", "article")
    autocomplete_fields = ("declarer", "red_line", "addressees", "actors")
    actions = ("accept_selected", "reject_selected")
    list_per_page = 50
    change_form_template = "admin/tracker/candidate/change_form.html"
    fields = (
        "article_link",
        "evidence_highlighted",
        "kind",
        "declarer",
        "addressees",
        "red_line",
        "actors",
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
    readonly_fields = (
        "article_link",
        "evidence_highlighted",
        "score",
        "status",
        "reviewed_by",
        "reviewed_at",
        "created_red_line",
        "created_event",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Candidate | None = None) -> bool:
        if obj is not None and obj.status != Candidate.Status.PENDING:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="Evidence")
    def evidence_short(self, obj: Candidate) -> str:
        return obj.evidence if len(obj.evidence) <= 160 else obj.evidence[:157] + "…"

    @admin.display(description="Evidence in its paragraph")
    def evidence_highlighted(self, obj: Candidate) -> str:
        return evidence_in_paragraph(obj)

    @admin.display(description="Article", ordering="article__title")
    def article_link(self, obj: Candidate) -> str:
        try:
            url = reverse("admin:tracker_article_change", args=[obj.article_id])
        except NoReverseMatch:
            url = obj.article.url if (obj.article.url or "").startswith(("http://", "https://")) else ""
        original = obj.article.url or ""
        if original.startswith(("http://", "https://")):
            return format_html(
                '<a href="{}">{}</a> (<a href="{}" rel="noopener noreferrer nofollow" target="_blank">original</a>)',
                url,
                obj.article.title or obj.article_id,
                original,
            )
        if url:
            return format_html('<a href="{}">{}</a>', url, obj.article.title or obj.article_id)
        return obj.article.title or str(obj.article_id)

    @admin.action(description="Accept selected candidates", permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset) -> None:
        done, errors = review.candidates_accept(candidates=list(queryset), user=request.user)
        self._report(request, "accepted", done, errors)

    @admin.action(description="Reject selected candidates", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset) -> None:
        done, errors = review.candidates_reject(candidates=list(queryset), user=request.user)
        self._report(request, "rejected", done, errors)

    def _report(self, request: HttpRequest, verb: str, done: int, errors: list[str]) -> None:
        if done:
            self.message_user(request, f"{done} candidate(s) {verb}.", messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    def response_change(self, request: HttpRequest, obj: Candidate) -> HttpResponse:
        """ "Save and accept" accepts the candidate as the curator corrected it."""
        for key, verb in (("_accept", "accepted"), ("_reject", "rejected")):
            if key in request.POST:
                try:
                    if key == "_accept":
                        review.candidate_accept(candidate=obj, user=request.user)
                    else:
                        review.candidate_reject(candidate=obj, user=request.user)
                except DomainError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                    return HttpResponseRedirect(request.path)
                self.message_user(request, mark_safe(f"Candidate {escape(obj.pk)} {verb}."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:tracker_candidate_changelist"))
        return super().response_change(request, obj)
