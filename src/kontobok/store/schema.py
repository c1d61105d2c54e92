"""The database schema.

Every table's primary key starts with ``organization_id`` and every query filters by it: one organization's
rows never mix with another's, and on PostgreSQL the schema can be distributed by that column (Citus) with
all of an organization's rows on one shard.

``account_daily_totals`` holds, per account and day, the sum of the lines posted that day. It is written in
the same database transaction as the lines, so it is never out of step with them, and balance reports read
it instead of the lines: their cost depends on the days asked for, not on the number of lines. ``basis``
says which day a row is keyed by: the posting date, or the accounting-period date. ``daily_line_counts``
counts an organization's lines per posting date, so that a deep page of lines starts at the right day
instead of skipping every line before it.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money = sa.BigInteger
Timestamp = sa.DateTime(timezone=True)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("organization_number", sa.String(9), nullable=False),
    sa.Column("base_currency", sa.String(3), nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("fiscal_year_start_month", sa.SmallInteger, nullable=False),
    # the generation of the organization's token key; the key itself is derived outside the database
    sa.Column("key_generation", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.CheckConstraint("fiscal_year_start_month BETWEEN 1 AND 12", name="start_month"),
)

api_clients = sa.Table(
    "api_clients",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("client_id", sa.String(80), primary_key=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("revoked_at", Timestamp, nullable=True),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("tax_number", sa.Integer, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # the Tax Administration's mapping of the account, as SAF-T carries it
    sa.Column("standard_account_id", sa.String(35), nullable=True),
    sa.Column("grouping_category", sa.String(100), nullable=True),
    sa.Column("grouping_code", sa.String(35), nullable=True),
    sa.UniqueConstraint("organization_id", "number"),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

tax_codes = sa.Table(
    "tax_codes",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("rate_basis_points", sa.Integer, nullable=False),
    sa.Column("treatment", sa.String(40), nullable=False),
    sa.Column("vat_account", sa.Integer, nullable=True),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

transaction_types = sa.Table(
    "transaction_types",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("is_incoming_balance", sa.Boolean, nullable=False),
    sa.Column("next_voucher_number", sa.Integer, nullable=False),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

fiscal_years = sa.Table(
    "fiscal_years",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("fiscal_year_id", sa.Uuid, nullable=False),
    sa.Column("begins_on", sa.Date, nullable=False),
    sa.Column("ends_before", sa.Date, nullable=False),
    sa.Column("is_closed", sa.Boolean, nullable=False),
    # the voucher that moved the year's result to equity when it was closed; reopening reverses it
    sa.Column("closing_voucher_id", sa.Uuid, nullable=True),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("organization_number", sa.String(20), nullable=True),
    sa.Column("external_id", sa.String(35), nullable=True),
    sa.UniqueConstraint("organization_id", "external_id"),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

suppliers = sa.Table(
    "suppliers",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("supplier_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("organization_number", sa.String(20), nullable=True),
    sa.Column("external_id", sa.String(35), nullable=True),
    sa.UniqueConstraint("organization_id", "external_id"),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

vouchers = sa.Table(
    "vouchers",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("voucher_id", sa.Uuid, primary_key=True),
    sa.Column("transaction_type_number", sa.Integer, nullable=False),
    sa.Column("voucher_number", sa.Integer, nullable=False),
    sa.Column("voucher_date", sa.Date, nullable=False),
    sa.Column("comment", sa.String(75), nullable=True),
    sa.Column("document_id", sa.BigInteger, nullable=True),
    sa.Column("reverses_voucher_id", sa.Uuid, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("organization_id", "transaction_type_number", "voucher_number"),
    sa.UniqueConstraint("organization_id", "reverses_voucher_id"),
    sa.ForeignKeyConstraint(
        ["organization_id", "transaction_type_number"],
        ["transaction_types.organization_id", "transaction_types.number"],
    ),
)

transaction_lines = sa.Table(
    "transaction_lines",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("line_id", sa.Uuid, primary_key=True),
    sa.Column("voucher_id", sa.Uuid, nullable=False),
    sa.Column("line_number", sa.Integer, nullable=False),
    sa.Column("transaction_type_number", sa.Integer, nullable=False),
    sa.Column("voucher_number", sa.Integer, nullable=False),
    sa.Column("account_id", sa.Integer, nullable=False),
    sa.Column("account_number", sa.Integer, nullable=False),
    sa.Column("line_date", sa.Date, nullable=False),
    sa.Column("period_date", sa.Date, nullable=False),
    sa.Column("amount", Money, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("currency_amount", Money, nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("tax_number", sa.Integer, nullable=False),
    sa.Column("tax_rate_basis_points", sa.Integer, nullable=False),
    sa.Column("is_vat", sa.Boolean, nullable=False),
    sa.Column("comment", sa.String(75), nullable=True),
    sa.Column("invoice_number", sa.String(50), nullable=True),
    sa.Column("invoice_due_date", sa.Date, nullable=True),
    sa.Column("remittance_reference", sa.String(32), nullable=True),
    sa.Column("invoice_bank_account", sa.String(50), nullable=True),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("supplier_id", sa.Integer, nullable=True),
    sa.Column("dimensions", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("modified_at", Timestamp, nullable=False),
    sa.ForeignKeyConstraint(
        ["organization_id", "voucher_id"], ["vouchers.organization_id", "vouchers.voucher_id"]
    ),
    sa.ForeignKeyConstraint(
        ["organization_id", "account_id"], ["accounts.organization_id", "accounts.account_id"]
    ),
    sa.Index(
        "ix_transaction_lines_order",
        "organization_id",
        "line_date",
        "voucher_number",
        "voucher_id",
        "line_number",
    ),
    sa.Index("ix_transaction_lines_account", "organization_id", "account_id", "line_date"),
    sa.Index("ix_transaction_lines_voucher", "organization_id", "voucher_id"),
    # a read as of an instant subtracts the few lines recorded after it
    sa.Index("ix_transaction_lines_created", "organization_id", "created_at"),
)

account_daily_totals = sa.Table(
    "account_daily_totals",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("basis", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("movement", Money, nullable=False),
    sa.Column("incoming", Money, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    # the sum of the positive amounts among the lines that are not incoming balance: a period's debits, and
    # with ``movement - incoming - debit`` its credits, for the trial balance
    sa.Column("debit", Money, nullable=False, server_default="0"),
    # a report over every account reads one basis and a range of days: without this it would read every
    # row the organization has
    sa.Index("ix_account_daily_totals_by_day", "organization_id", "basis", "day", "account_id"),
)

daily_line_counts = sa.Table(
    "daily_line_counts",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("line_count", sa.BigInteger, nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("idempotency_key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("response_body", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

imported_files = sa.Table(
    "imported_files",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("imported_at", Timestamp, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
)

# Bank side: accounts at a bank, the balances the bank reported, and the transactions it booked. The per-day
# inflow and outflow totals are written with the transactions, as the ledger's per-day totals are.

bank_accounts = sa.Table(
    "bank_accounts",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("bank_account_id", sa.Uuid, primary_key=True),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("number_type", sa.String(4), nullable=False),
    sa.Column("bic", sa.String(11), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("owner_name", sa.String(200), nullable=True),
    sa.Column("owner_organization_number", sa.String(20), nullable=True),
    sa.Column("contact_name", sa.String(200), nullable=True),
    sa.Column("contact_email", sa.String(320), nullable=True),
    sa.Column("transaction_type_number", sa.Integer, nullable=True),
    sa.Column("ledger_account_number", sa.Integer, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("modified_at", Timestamp, nullable=False),
    sa.UniqueConstraint("organization_id", "number"),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

bank_balances = sa.Table(
    "bank_balances",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("bank_account_id", sa.Uuid, primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("reported_at", Timestamp, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("amount", Money, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("source", sa.String(40), nullable=False),
    sa.Column("statement_identity", sa.String(300), nullable=True),
    # when kontobok recorded the report, as against when the bank says it made it
    sa.Column("created_at", Timestamp, nullable=False),
    sa.ForeignKeyConstraint(
        ["organization_id", "bank_account_id"],
        ["bank_accounts.organization_id", "bank_accounts.bank_account_id"],
    ),
    sa.Index("ix_bank_balances_created", "organization_id", "created_at"),
    sa.Index("ix_bank_balances_day", "organization_id", "bank_account_id", "currency", "day", "position"),
    sa.Index("ix_bank_balances_reported", "organization_id", "bank_account_id", "reported_at"),
    sa.Index("ix_bank_balances_statement", "organization_id", "bank_account_id", "statement_identity"),
)

bank_transactions = sa.Table(
    "bank_transactions",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(130), primary_key=True),
    sa.Column("bank_account_id", sa.Uuid, nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("amount", Money, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("booking_date", sa.Date, nullable=False),
    sa.Column("value_date", sa.Date, nullable=True),
    sa.Column("payment_reference_type", sa.String(12), nullable=False),
    sa.Column("payment_reference_value", sa.String(1000), nullable=False),
    sa.Column("from_number", sa.String(64), nullable=True),
    sa.Column("from_type", sa.String(4), nullable=True),
    sa.Column("to_number", sa.String(64), nullable=True),
    sa.Column("to_type", sa.String(4), nullable=True),
    sa.Column("domain_code", sa.String(35), nullable=True),
    sa.Column("family_code", sa.String(35), nullable=True),
    sa.Column("subfamily_code", sa.String(35), nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("statement_identity", sa.String(300), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("modified_at", Timestamp, nullable=False),
    sa.ForeignKeyConstraint(
        ["organization_id", "bank_account_id"],
        ["bank_accounts.organization_id", "bank_accounts.bank_account_id"],
    ),
    sa.Index("ix_bank_transactions_date", "organization_id", "booking_date", "reference"),
    sa.Index("ix_bank_transactions_account", "organization_id", "bank_account_id", "booking_date"),
    sa.Index("ix_bank_transactions_created", "organization_id", "created_at"),
)

bank_daily_totals = sa.Table(
    "bank_daily_totals",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("bank_account_id", sa.Uuid, primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("inflow", Money, nullable=False),
    sa.Column("outflow", Money, nullable=False),
    sa.Column("transaction_count", sa.Integer, nullable=False),
)

# The journal: every change to an organization's books, hash-chained (see kontobok.store.journal). Rows are
# only ever appended; triggers refuse updates and deletes of it and of the posted vouchers and lines.
journal_entries = sa.Table(
    "journal_entries",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("recorded_at", Timestamp, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("entry", sa.Text, nullable=False),
    sa.Column("previous_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# Integrations (see kontobok.store.outbox): webhook subscriptions, the outbox of their deliveries written in
# the same transaction as the change, and balance monitors. The journal is read by kind to tell a row's
# creation from its update, and a Powens client reads what changed since its last sync.
sa.Index("ix_journal_entries_kind", journal_entries.c.organization_id, journal_entries.c.kind)
sa.Index(
    "ix_bank_transactions_modified", bank_transactions.c.organization_id, bank_transactions.c.modified_at
)

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("subscription_id", sa.String(40), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(80), nullable=False),
    # comma-separated event types, or "*" for every type
    sa.Column("event_types", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

webhook_outbox = sa.Table(
    "webhook_outbox",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("subscription_id", sa.String(40), primary_key=True),
    # the journal position and the event's index in it: the order of delivery
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("event_index", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("message_id", sa.String(80), nullable=False),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", Timestamp, nullable=False),
    sa.Column("claimed_until", Timestamp, nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("last_status_code", sa.Integer, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    sa.Index("ix_webhook_outbox_due", "status", "next_attempt_at"),
)

balance_monitors = sa.Table(
    "balance_monitors",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("monitor_id", sa.String(40), primary_key=True),
    sa.Column("account_number", sa.Integer, nullable=False),
    sa.Column("threshold", Money, nullable=False),
    sa.Column("balance", Money, nullable=False),
    sa.Column("is_below", sa.Boolean, nullable=False),
    sa.Column("subscription_id", sa.String(40), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)

# A voucher an assistant proposed (kontobok mcp --allow-write): the vendor's TransactionInput as JSON text,
# posted only when a person confirms it, through the same checks as POST /transactions.
voucher_drafts = sa.Table(
    "voucher_drafts",
    metadata,
    sa.Column("organization_id", sa.Integer, primary_key=True),
    sa.Column("draft_id", sa.String(40), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("note", sa.String(500), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.ForeignKeyConstraint(["organization_id"], ["organizations.organization_id"]),
)
