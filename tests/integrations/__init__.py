"""Tests of the change feed's consumers: webhooks, monitors, the MCP server."""
