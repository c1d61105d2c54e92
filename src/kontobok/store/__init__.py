"""Persistence: SQLAlchemy Core tables, queries and Alembic migrations, on SQLite and PostgreSQL."""
