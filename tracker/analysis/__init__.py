"""Stage 3 of ingestion: read an article and propose candidates for review."""
