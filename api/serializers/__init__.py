"""The API's serializers, by concern.

- `records`: reads of actors, red lines, events and sources, built from their public shapes
  (tracker.shapes); they give the schema and the answers to writes.
- `rows`: the same output from rows read as plain values, for the busiest reads.
- `stats`: the figures of /stats/.
- `queries`: query parameters checked by a serializer.
- `inputs`: writes, validated here and saved by tracker.services.record.
"""
