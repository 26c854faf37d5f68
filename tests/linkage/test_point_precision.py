"""A point's real precision: a city's point (Pakistan Body Count) is a district's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gawahi.linkage.records import point_precision, point_precision_sql

CASES = [
    ("exact", None, "exact"),
    ("near", "city", "admin2"),
    ("exact", "city", "admin2"),
    ("admin2", "city", "admin2"),
    ("admin1", "city", "admin1"),  # already coarser than a city: kept
    ("near", "agency", "near"),
    ("country", None, "country"),
]


@pytest.mark.parametrize(("label", "source", "expected"), CASES)
def test_point_precision(label: str, source: str | None, expected: str) -> None:
    assert point_precision(label, source) == expected


def test_the_sql_expression_agrees_on_every_case(engine: sa.Engine) -> None:
    rows = sa.union_all(
        *(
            sa.select(
                sa.literal(n).label("n"),
                sa.literal(label).label("p"),
                sa.literal(source, sa.String).label("s"),
            )
            for n, (label, source, _) in enumerate(CASES)
        )
    ).subquery()
    query = sa.select(point_precision_sql(rows.c.p, rows.c.s)).order_by(rows.c.n)
    with engine.connect() as conn:
        assert list(conn.scalars(query)) == [expected for *_, expected in CASES]
