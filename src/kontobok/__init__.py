"""kontobok: a self-hostable general ledger and bank-balance server."""

__version__ = "0.1.0"
