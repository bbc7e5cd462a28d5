"""The ingest function that validates objects landing in the raw bucket."""
