import datetime

import factory
from factory.django import DjangoModelFactory

from tracker.models import Actor, Event, RedLine, Source


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    kind = "state"


class RedLineFactory(DjangoModelFactory):
    class Meta:
        model = RedLine
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Warning number {n} against long-range strikes")
    slug = factory.Sequence(lambda n: f"red-line-{n}")
    declared_by = factory.SubFactory(ActorFactory)
    declared_on = datetime.date(2024, 1, 1)
    statement = "Any strike on our territory with such missiles would be an act of war."
    trigger = "Strikes on the declarer's territory with long-range missiles"
    threatened_response = "Corresponding decisions"
    severity = "military"
    category = "strikes_on_territory"
    topics = factory.LazyFunction(lambda: ["missiles"])

    @factory.post_generation
    def sourced(obj, create, extracted, **kwargs):
        """Published by default: a line gets one source unless `sourced=False`."""
        if create and extracted is not False:
            SourceFactory(red_line=obj)
            obj.refresh_from_db()


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    red_line = factory.SubFactory(RedLineFactory)
    kind = "crossing"
    occurred_on = datetime.date(2024, 6, 1)
    summary = "Missiles were fired at targets inside the declarer's territory."

    @factory.post_generation
    def sourced(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            SourceFactory(event=obj, red_line=None)
            obj.red_line.refresh_from_db()


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example.org/story/{n}")
    publisher = "Example News"
    title = "A report"
    published_on = datetime.date(2024, 1, 2)
    quote = "the words that support the claim"
