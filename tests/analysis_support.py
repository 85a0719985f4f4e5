"""A small record for analysis tests: actors and one tracked line, in our own words."""

import datetime

from tests.factories import ActorFactory, RedLineFactory
from tracker.analysis.actors import actor_cache_clear
from tracker.analysis.lines import line_cache_clear


def small_record() -> dict:
    actor_cache_clear()
    line_cache_clear()
    norland = ActorFactory(
        slug="norland", name="Norland", kind="state", country="RU", aliases=["the Citadel", "Nordhaven"]
    )
    chief = ActorFactory(
        slug="ivar-berg",
        name="Ivar Berg",
        kind="person",
        country="RU",
        affiliation=norland,
        aliases=["President Berg"],
    )
    sudria = ActorFactory(slug="sudria", name="Sudria", kind="state", country="UA", aliases=["Southport"])
    alliance = ActorFactory(slug="pact", name="Western Pact", kind="alliance", aliases=["WPA"])
    usa = ActorFactory(
        slug="united-states",
        name="United States",
        kind="state",
        country="US",
        aliases=["US", "U.S.", "Washington"],
    )
    line = RedLineFactory(
        slug="norland-gliders-2023",
        title="Long-range glider missiles for Sudria",
        declared_by=norland,
        declared_on=datetime.date(2023, 3, 1),
        statement="Norland said that sending long-range glider missiles to Sudria would make the suppliers parties to the war.",
        trigger="Delivery of long-range glider missiles to Sudria.",
        threatened_response="Suppliers treated as parties to the war.",
        severity="military",
        category="weapons_transfer",
        topics=["gliders", "missiles"],
    )
    line.addressees.set([alliance, usa])
    return {"norland": norland, "chief": chief, "sudria": sudria, "pact": alliance, "usa": usa, "line": line}
