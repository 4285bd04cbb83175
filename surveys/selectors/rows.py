"""Model instances read with SQL written once per process, for the reads every autosave makes.

Building a statement through the ORM (joins, select_related columns, subqueries) costs a
save more CPU than PostgreSQL takes to run it: 2 to 3 ms for the assessment and about 2 ms for
the locked answer, against a floor of 1 ms for the whole save. The statements here are
written once from the models' own metadata, so they follow the models' columns, and the
rows become instances the way the ORM makes them (the fields' converters, `from_db`).
"""

from django.db import connection
from django.db.models import Model


class Columns:
    """One model's columns in a SELECT (named by their table, as the ORM writes them), and an
    instance back from them."""

    def __init__(self, model: type[Model], *, leave_out: tuple[str, ...] = ()):
        self.model = model
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in leave_out]
        self.names = [f.attname for f in self.fields]
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.table)}.{quote(f.column)}" for f in self.fields)

    def instance(self, values) -> Model:
        """An instance from this model's values of a row (fields left out stay deferred)."""
        converters = self._converters.get(connection.vendor)
        if converters is None:
            converters = []
            for i, field in enumerate(self.fields):
                column = field.get_col(self.table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if found:
                    converters.append((i, column, found))
            self._converters[connection.vendor] = converters
        if converters:
            values = list(values)
            for i, column, found in converters:
                for convert in found:
                    values[i] = convert(values[i], column, connection)
        return self.model.from_db(connection.alias, self.names, values)


def split(row, *columns: Columns) -> list:
    """The instances of `columns` from one row, in order, then the row's remaining values."""
    found, start = [], 0
    for cols in columns:
        found.append(cols.instance(row[start : start + len(cols)]))
        start += len(cols)
    return [*found, *row[start:]]
