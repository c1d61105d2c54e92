"""All Powens 2.0 routes, mounted under ``/2.0``."""

from __future__ import annotations

from fastapi import APIRouter

from kontobok.api.powens import accounts, balances, transactions, user_transactions

router = APIRouter(prefix="/2.0")
for module in (accounts, balances, transactions, user_transactions):
    router.include_router(module.router)
