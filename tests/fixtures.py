"""The shared fixture files: the folder ``shared/fixtures`` beside the repository, never copied into it."""

from __future__ import annotations

from pathlib import Path

FIXTURES: Path = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures"
