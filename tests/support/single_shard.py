"""Would Citus route a statement to one shard? A judge of the statements kontobok sends to its database.

Every kontobok table is distributed by ``organization_id`` (see ``docs/scaling.md``). Citus's router sends
a statement to one shard, with no cross-node work, when the statement fixes that column to one value for
every distributed table it touches: an INSERT names the value in each row; a SELECT, UPDATE or DELETE has
``t.organization_id = <parameter>`` among the conditions ANDed together in its WHERE or a join's ON, or joins
``t.organization_id`` to another table's ``organization_id`` that is fixed so (a co-located join). A
condition inside an OR, an ``IN`` list, or no condition at all leaves the table on every shard.

The judge reads the SQLAlchemy Core statement behind each cursor execution (``context.compiled``) and the
parameters it was executed with, so it sees the same conditions and values that Citus would see in the SQL
text, without parsing SQL. Statements that are not Core (``BEGIN IMMEDIATE`` and the like) are judged by
their text: they must not name a table. Rows that the store hands straight to the driver, past SQLAlchemy
(``kontobok.store.row_insert``, where it exists: ``COPY`` on PostgreSQL, which Citus routes row by row), are
judged by the rows themselves: each must carry ``organization_id``, all the same.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList, ColumnClause, Grouping
from sqlalchemy.sql.selectable import Alias, Join

from kontobok.store.schema import metadata

DISTRIBUTION_COLUMN = "organization_id"
TENANT_TABLES = frozenset(metadata.tables)
_MISSING = object()


@dataclass(frozen=True)
class Verdict:
    """One statement: the tables it touches, the organizations it names, what keeps it off one shard."""

    sql: str
    tables: frozenset[str]
    organization_ids: frozenset[Any]
    problems: tuple[str, ...]

    @property
    def single_shard(self) -> bool:
        return not self.problems


def judge(sql: str, context: Any) -> Verdict:
    compiled: Any = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    if not isinstance(statement, sa.Select | sa.CompoundSelect | sa.Insert | sa.Update | sa.Delete):
        named = frozenset(name for name in TENANT_TABLES if re.search(rf"\b{name}\b", sql, re.IGNORECASE))
        problems = ("not a Core statement: its organization cannot be seen",) if named else ()
        return Verdict(sql, named, frozenset(), problems)
    reading = _Reading(compiled.bind_names, context.compiled_parameters)
    reading.statement(statement)
    if reading.tables and len(reading.organization_ids) != 1:
        reading.problems.append(f"names {len(reading.organization_ids)} organizations, not one")
    return Verdict(
        sql, frozenset(reading.tables), frozenset(reading.organization_ids), tuple(reading.problems)
    )


@contextmanager
def recording(engine: sa.Engine) -> Iterator[list[Verdict]]:
    """Judge every statement the engine executes, and every batch of rows sent past it, during the block."""
    seen: list[Verdict] = []

    def before_cursor_execute(
        _connection: Any, _cursor: Any, sql: str, _parameters: Any, context: Any, _many: bool
    ) -> None:
        seen.append(judge(sql, context))

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        with _watching_row_inserts(seen):
            yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def judge_rows(table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Verdict:
    sql = f"ROWS INTO {table.name} ({', '.join(columns)}), sent past SQLAlchemy"
    if DISTRIBUTION_COLUMN not in columns:
        return Verdict(sql, frozenset({table.name}), frozenset(), (f"rows without {DISTRIBUTION_COLUMN}",))
    where = list(columns).index(DISTRIBUTION_COLUMN)
    values = frozenset(row[where] for row in rows)
    problems = () if len(values) == 1 else (f"names {len(values)} organizations, not one",)
    return Verdict(sql, frozenset({table.name}), values, problems)


@contextmanager
def _watching_row_inserts(seen: list[Verdict]) -> Iterator[None]:
    try:
        row_insert: Any = importlib.import_module("kontobok.store.row_insert")
    except ModuleNotFoundError:
        yield
        return
    original = row_insert.insert_rows

    def insert_rows(connection: Any, table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None:
        if rows:
            seen.append(judge_rows(table, columns, rows))
        original(connection, table, columns, rows)

    users = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("kontobok.") and getattr(module, "insert_rows", None) is original
    ]
    for module in users:
        module.insert_rows = insert_rows  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in users:
            module.insert_rows = original  # type: ignore[attr-defined]


def _conjuncts(clause: Any) -> Iterator[Any]:
    """The conditions ANDed together at the top of ``clause``; anything under an OR stays whole."""
    if clause is None:
        return
    if isinstance(clause, Grouping):
        yield from _conjuncts(clause.element)
    elif isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for part in clause.clauses:
            yield from _conjuncts(part)
    else:
        yield clause


def _is_distribution_column(element: Any) -> bool:
    return (
        isinstance(element, ColumnClause)
        and element.name == DISTRIBUTION_COLUMN
        and element.table is not None
    )


def _table_name(from_clause: Any) -> str | None:
    """The tenant table a FROM item reads: the table itself or an alias of it; None for subqueries."""
    if isinstance(from_clause, sa.Table):
        return from_clause.name if from_clause.name in TENANT_TABLES else None
    if isinstance(from_clause, Alias) and isinstance(from_clause.element, sa.Table):
        return _table_name(from_clause.element)
    return None


class _Reading:
    def __init__(self, bind_names: dict[BindParameter[Any], str], parameters: Sequence[dict[str, Any]]):
        self.bind_names = bind_names
        self.parameters = parameters
        self.tables: set[str] = set()
        self.organization_ids: set[Any] = set()
        self.problems: list[str] = []

    def values(self, bind: BindParameter[Any]) -> set[Any]:
        name = self.bind_names.get(bind)
        if name is None:
            return {bind.effective_value}
        return {row.get(name, _MISSING) for row in self.parameters}

    def statement(self, statement: Any) -> None:
        if isinstance(statement, sa.Insert):
            self.insert(statement)
        elif isinstance(statement, sa.Update | sa.Delete):
            self.fixed([statement.table], list(_conjuncts(statement.whereclause)))
        for node in visitors.iterate(statement):
            if isinstance(node, sa.Select):
                self.select(node)

    def insert(self, statement: sa.Insert) -> None:
        name = _table_name(statement.table)
        if name is None:
            return
        self.tables.add(name)
        if statement.select is not None:
            self.problems.append(f"INSERT INTO {name} … SELECT: judge the rows it reads")
            return
        values = {row.get(DISTRIBUTION_COLUMN, _MISSING) for row in self.parameters}
        if _MISSING in values:
            self.problems.append(f"INSERT INTO {name} without {DISTRIBUTION_COLUMN}")
            values.discard(_MISSING)
        self.organization_ids |= values

    def select(self, select: sa.Select[Any]) -> None:
        occurrences: list[Any] = []
        conditions: list[Any] = list(_conjuncts(select.whereclause))

        def walk(from_clause: Any) -> None:
            if isinstance(from_clause, Join):
                walk(from_clause.left)
                walk(from_clause.right)
                conditions.extend(_conjuncts(from_clause.onclause))
            elif _table_name(from_clause) is not None:
                occurrences.append(from_clause)

        for from_clause in select.get_final_froms():
            walk(from_clause)
        self.fixed(occurrences, conditions)

    def fixed(self, occurrences: Iterable[Any], conditions: list[Any]) -> None:
        """Check that each table occurrence has its organization fixed by ``conditions``."""
        parent: dict[Any, Any] = {}

        def root(item: Any) -> Any:
            while parent.get(item, item) is not item:
                item = parent[item]
            return item

        pinned: dict[Any, set[Any]] = {}
        for condition in conditions:
            if not isinstance(condition, BinaryExpression) or condition.operator is not operators.eq:
                continue
            left, right = condition.left, condition.right
            for column, other in ((left, right), (right, left)):
                if _is_distribution_column(column) and isinstance(other, BindParameter):
                    pinned.setdefault(column.table, set()).update(self.values(other))
            if _is_distribution_column(left) and _is_distribution_column(right):
                parent[root(left.table)] = root(right.table)
        values_at: dict[Any, set[Any]] = {}
        for table, values in pinned.items():
            values_at.setdefault(root(table), set()).update(values)
        for occurrence in occurrences:
            name = _table_name(occurrence)
            assert name is not None
            self.tables.add(name)
            found = values_at.get(root(occurrence))
            if not found:
                self.problems.append(f"{name}: {DISTRIBUTION_COLUMN} is not fixed to a value")
            else:
                self.organization_ids |= found
