"""Fast bulk writes of plain row tuples: COPY on PostgreSQL, batched bulk_create elsewhere.

Rows are tuples in the order of the `fields` given; every other concrete field
of the model is filled with its Python default once (a constant tail), so a
field added later with a default does not break the seed.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from django.db import connections
from django.db.models import Model

SQLITE_BATCH = 2000


@dataclass
class Written:
    table: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class TableWriter:
    def __init__(self, model: type[Model], fields: list[str], using: str = "default"):
        self.model = model
        self.using = using
        self.connection = connections[using]
        meta = model._meta
        by_name = {f.name: f for f in meta.concrete_fields}
        by_name.update({f.attname: f for f in meta.concrete_fields})
        self.fields = [by_name[name] for name in fields]
        given = {f.attname for f in self.fields}
        self.tail_fields = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in given]
        self.tail = tuple(f.get_default() for f in self.tail_fields)
        self.columns = [f.column for f in self.fields + self.tail_fields]
        self.attnames = [f.attname for f in self.fields + self.tail_fields]

    @property
    def uses_copy(self) -> bool:
        return self.connection.vendor == "postgresql"

    def write(self, rows: Iterable[tuple]) -> Written:
        started = time.perf_counter()
        count = self._copy(rows) if self.uses_copy else self._bulk_create(rows)
        return Written(self.model._meta.db_table, count, time.perf_counter() - started)

    def _copy(self, rows: Iterable[tuple]) -> int:
        qn = self.connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            qn(self.model._meta.db_table), ", ".join(qn(c) for c in self.columns)
        )
        tail = self.tail
        count = 0
        with self.connection.cursor() as cursor:
            # The psycopg 3 cursor under Django's wrapper.
            with cursor.cursor.copy(sql) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row + tail)
                    count += 1
        return count

    def _bulk_create(self, rows: Iterable[tuple]) -> int:
        model, attnames, tail = self.model, self.attnames, self.tail
        manager = model._base_manager.using(self.using)
        iterator = iter(rows)
        count = 0
        while batch := list(islice(iterator, SQLITE_BATCH)):
            manager.bulk_create([model(**dict(zip(attnames, row + tail))) for row in batch])
            count += len(batch)
        return count
