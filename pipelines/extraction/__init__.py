"""Pure extraction: PDF bytes and camelot tables in, canonical rows out.

Nothing in this package imports Dagster or DuckDB, so the same functions run in
a test, in the CLI, in a Dagster step on this machine or on a distributed worker.
"""
