"""The small core every other layer stands on: the vocabulary, the schema, settings,
the database, the error table, logging. It imports nothing of depmap above it."""
