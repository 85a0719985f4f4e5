"""When a sentence says something happened, read against the article's own date.

News copy dates events relative to publication ("on Tuesday", "last month", "in September", "two
years ago") or outright ("on 12 September 2024", "Sept. 12"). The rules use the date to tell news
from background: a warning dated weeks before the article is a recap, not a new line.
"""

import datetime
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "several": 3,
    "few": 3,
    "eighteen": 18,
    "eleven": 11,
    "twelve": 12,
}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650}

_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d))?\b", re.I
)
_MONTH_DAY = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?", re.I
)
_MONTH_YEAR = re.compile(
    rf"\b(?:in|since|by|last|early|late|mid|of|from)[\s-]+{_MONTH}(?:\s+(?P<year>(?:19|20)\d\d))?\b", re.I
)
_YEAR = re.compile(r"\b(?:in|since|during|of|back in)\s+(?P<year>(?:19|20)\d\d)\b", re.I)
_AGO = re.compile(
    r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|several|few)\s+"
    r"(?P<unit>day|week|month|year|decade)s?\s+(?:ago|earlier|before)\b",
    re.I,
)
_LAST = re.compile(r"\blast\s+(?P<unit>week|month|year|spring|summer|autumn|fall|winter)\b", re.I)
_WEEKDAY = re.compile(r"\b(?:on|last|this|late on|early on)\s+(?P<day>" + "|".join(_WEEKDAYS) + r")\b", re.I)
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'/-]{2,}(?:,[^\n—–]{0,40})?\s[—–-]{1,2}\s")
_SINCE = re.compile(r"\bsince\b", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|next|upcoming|due to|scheduled|planned)\b", re.I)
_NOW = re.compile(r"\b(?:today|tonight|this morning|this afternoon|this evening|yesterday|overnight)\b", re.I)


def mentioned_date(text: str, published_on: datetime.date) -> datetime.date | None:
    """The date the sentence first puts an event on, or None when it gives none.

    The first date in reading order is the main clause's ("on Monday ..., earlier than Washington
    suggested in January"); a dateline ("KYIV, Sept 25 —") is the article's own date and skipped.

    Month names without a year are the latest such month on or before publication; weekdays are
    the last such day on or before it. Dates after publication (a deadline, a summit to come) are
    ignored: they say nothing about when the reported event happened."""
    found: list[tuple[int, datetime.date]] = []
    dateline = _DATELINE.match(text)
    skip = dateline.end() if dateline else 0
    at = 0

    future = _FUTURE.search(text) is not None

    def keep(day: datetime.date | None) -> None:
        if day is None or day > published_on or at < skip:
            return
        if _SINCE.search(text, max(0, at - 8), at + 6):
            return  # "supplied since last year": the start of something ongoing, not the event's date
        if future and (published_on - day).days > 180:
            return  # "the summit will open on 3 December": a date to come, not last year's
        found.append((at, day))

    for m in _DAY_MONTH.finditer(text):
        at = m.start()
        keep(_day(published_on, m.group("year"), m.group("month"), m.group("day")))
    for m in _MONTH_DAY.finditer(text):
        at = m.start()
        keep(_day(published_on, m.group("year"), m.group("month"), m.group("day")))
    for m in _MONTH_YEAR.finditer(text):
        at = m.start()
        keep(_day(published_on, m.group("year"), m.group("month"), None))
    for m in _YEAR.finditer(text):
        at = m.start()
        year = int(m.group("year"))
        if year < published_on.year:
            keep(datetime.date(year, 12, 31))
    for m in _AGO.finditer(text):
        at = m.start()
        n = m.group("n").lower()
        count = int(n) if n.isdigit() else _NUMBERS.get(n, 1)
        keep(published_on - datetime.timedelta(days=count * _UNIT_DAYS[m.group("unit").lower()]))
    for m in _LAST.finditer(text):
        at = m.start()
        unit = m.group("unit").lower()
        keep(published_on - datetime.timedelta(days=_UNIT_DAYS.get(unit, 120)))
    for m in _WEEKDAY.finditer(text):
        at = m.start()
        wanted = _WEEKDAYS.index(m.group("day").lower())
        back = (published_on.weekday() - wanted) % 7
        keep(published_on - datetime.timedelta(days=back))
    if not found and _NOW.search(text):
        return published_on
    return min(found)[1] if found else None


def _day(published_on: datetime.date, year: str | None, month: str, day: str | None) -> datetime.date | None:
    number = _MONTHS.get(month.lower().rstrip("."))
    if number is None:
        return None
    d = int(day) if day else 1
    if year:
        y = int(year)
    else:
        y = (
            published_on.year
            if (number, d) <= (published_on.month, published_on.day)
            else published_on.year - 1
        )
    try:
        return datetime.date(y, number, d)
    except ValueError:
        return None


def days_before(text: str, published_on: datetime.date) -> int | None:
    """How many days before publication the sentence dates its event (None: no date given)."""
    day = mentioned_date(text, published_on)
    return None if day is None else (published_on - day).days


_SINCE_MONTH = re.compile(
    rf"\bsince\s+(?:early\s+|late\s+|mid[\s-]+)?{_MONTH}(?:\s+(?P<year>(?:19|20)\d\d))?\b", re.I
)
_SINCE_YEAR = re.compile(r"\bsince\s+(?P<year>(?:19|20)\d\d)\b", re.I)


def days_ongoing(text: str, published_on: datetime.date) -> int | None:
    """How long before publication something "since November" / "since 2022" began (None: no such
    start given)."""
    starts: list[datetime.date] = []
    for m in _SINCE_MONTH.finditer(text):
        day = _day(published_on, m.group("year"), m.group("month"), None)
        if day is not None and day <= published_on:
            starts.append(day)
    for m in _SINCE_YEAR.finditer(text):
        year = int(m.group("year"))
        if year <= published_on.year:
            starts.append(datetime.date(year, 1, 1))
    return (published_on - min(starts)).days if starts else None
