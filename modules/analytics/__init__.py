"""Glue (catalog, crawlers, connection, jobs, workflow) and Athena."""
