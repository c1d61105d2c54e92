"""The Powens (ex Budget Insight) API 2.0 dialect, balances part, under ``/2.0``."""
