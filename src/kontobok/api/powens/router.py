"""All Powens 2.0 routes, mounted under ``/2.0``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/2.0")
