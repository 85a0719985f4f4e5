"""The rules that keep the record honest, as plain functions.

Model validation (hence admin and the API), `manage.py check_record` and the reference loader all
call these, so each rule is written once.
"""

from datetime import date

# A quote is the speaker's own short phrase that is itself the fact recorded ("direct
# participation"); anything longer is a curator's summary and belongs in the source's note.
QUOTE_MAX_WORDS = 12
QUOTE_RULE = (
    f"Only the declarer's or actor's own words as the source reports them, at most {QUOTE_MAX_WORDS} "
    "words, in the source's language (shown in quotation marks). A summary of what the source says "
    "goes in the note."
)
NOTE_RULE = "The curator's summary of what the source says (never shown in quotation marks)."

# A source published this many days after the declaration or event it supports is a retrospective,
# not a report of it; product.md gives no window, so a month it is.
SOURCE_WINDOW_DAYS = 30

# Actors of these kinds have a Wikidata item; armed groups and loose groups often do not.
WIKIDATA_KINDS = ("state", "person", "alliance", "organization")

# ISO 639-1: every two-letter language code (written as text: a list literal would run 184 lines).
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu""".split()  # noqa: SIM905
)


def quote_words(quote: str) -> int:
    return len(quote.split())


def quote_problem(quote: str) -> str | None:
    """Why `quote` cannot be a quote, or None when it can."""
    words = quote_words(quote)
    if words > QUOTE_MAX_WORDS:
        return (
            f"A quote is at most {QUOTE_MAX_WORDS} words of the speaker's own (this one has {words}); "
            "put a summary of the source in the note."
        )
    return None


def language_problem(language: str) -> str | None:
    """Why `language` is not an ISO 639-1 code, or None when it is (or is empty)."""
    if language and language not in ISO_639_1:
        return "Use a two-letter ISO 639-1 language code in lower case, e.g. en, ru, fr."
    return None


def page_language(tag: str) -> str:
    """The ISO 639-1 part of a page's language tag ("en-GB" → "en"), or "" when there is none."""
    code = tag.strip().lower().replace("_", "-").split("-")[0]
    return code if code in ISO_639_1 else ""


def source_lateness(*, published_on: date | None, supported_on: date) -> int | None:
    """Days past the window by which a source postdates what it supports, or None when it is in time."""
    if published_on is None:
        return None
    late = (published_on - supported_on).days
    return late if late > SOURCE_WINDOW_DAYS else None


def quoted(*, quote: str, language: str = "", translation: str = "") -> str:
    """A quote as every page, feed and export shows it: “…” (ru), then its translation if any."""
    if not quote:
        return ""
    text = f"“{quote}”"
    if language:
        text += f" ({language})"
    if translation:
        text += f" [{translation}]"
    return text


# The source fields a citation is made of.
CITATION_FIELDS = ("url", "title", "quote", "language", "quote_translation", "note")


def source_citation(
    *, url: str, title: str, quote: str = "", language: str = "", quote_translation: str = "", note: str = ""
) -> str:
    """A source in one line of text (CSV cells, feeds): its URL (or, pasted as text, its title), the
    quote in quotation marks with its language, then the note after a dash, never in marks."""
    text = url or title
    if quote:
        text += " " + quoted(quote=quote, language=language, translation=quote_translation)
    if note:
        text += f" — {note}"
    return text


def source_missing(*, url: str, title: str, publisher: str, published_on: date | None) -> list[str]:
    """What a public source lacks to be cited: a URL (or, pasted as text, its title), publisher, title, date."""
    wanted = {"URL or title": url or title, "publisher": publisher, "title": title, "date": published_on}
    return [name for name, value in wanted.items() if not value]


def trigger_key(trigger: str) -> str:
    """A trigger as compared for duplicates: case and spacing do not make two lines different."""
    return " ".join(trigger.casefold().split())
