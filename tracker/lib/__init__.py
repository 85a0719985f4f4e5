"""Building blocks that know none of the rooms using them: web, API, alerts and ingest alike."""
