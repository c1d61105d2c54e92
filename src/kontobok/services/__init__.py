"""Use cases: one database transaction each, called by the API and the CLI."""
