"""The HTTP API: the Finago Office v1 dialect under ``/v1`` and the Powens 2.0 dialect under ``/2.0``."""
