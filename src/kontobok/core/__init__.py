"""The ledger's pure core: money, accounts, vouchers, VAT, periods and balances.

Nothing here does I/O or imports the store, the API or the importers.
"""
