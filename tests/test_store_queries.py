"""`insert_ignore` and `insert_ignore_rows` on SQLite: the driver-level fast path stores exactly what
SQLAlchemy's path stores."""

from datetime import UTC, datetime

from sqlalchemy import insert, select

from toolkit.store.db import make_engine
from toolkit.store.models import Image, ParseRow
from toolkit.store.queries import insert_ignore, insert_ignore_rows

WHEN = datetime(2026, 11, 28, 12, 30, 0, 0, tzinfo=UTC)  # microsecond 0: isoformat would drop it


def test_fast_path_matches_sqlalchemy_and_ignores_duplicates(db_url):
    engine = make_engine(db_url)
    table = ParseRow.__table__
    rows = [{"text_hash": "a" * 40, "model": "m", "data": "{}", "created_at": WHEN},
            {"data": "[]", "created_at": WHEN, "model": "m", "text_hash": "b" * 40}]  # other key order
    with engine.begin() as conn:
        assert insert_ignore(conn, table, rows, ["text_hash"]) == 2
        insert_ignore(conn, table, [{**rows[0], "data": "changed"}], ["text_hash"])  # a duplicate: ignored
        conn.execute(insert(table), [{"text_hash": "c" * 40, "model": "m", "data": "{}", "created_at": WHEN}])
    with engine.connect() as conn:
        got = {h: (m, d, c) for h, m, d, c in conn.execute(select(table.c.text_hash, table.c.model, table.c.data,
                                                                  table.c.created_at))}
        raw = {h: c for h, c in conn.exec_driver_sql("select text_hash, created_at from parse")}
    assert got["a" * 40][:2] == ("m", "{}") and got["b" * 40][:2] == ("m", "[]")
    assert got["a" * 40][2] == got["c" * 40][2]  # read back the same as a row SQLAlchemy stored
    assert raw["a" * 40] == raw["b" * 40] == raw["c" * 40]  # stored as the same text, too


def test_rows_missing_a_defaulted_column_get_the_default(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        insert_ignore(conn, Image.__table__, [{"path": "x.jpg"}, {"path": "y.jpg"}], ["path"])
    with engine.connect() as conn:
        stamps = [c for (c,) in conn.execute(select(Image.__table__.c.created_at))]
    assert len(stamps) == 2 and all(stamps)


def test_tuple_rows_with_constants_store_what_dict_rows_store(db_url):
    engine = make_engine(db_url)
    table = ParseRow.__table__
    with engine.begin() as conn:
        sent = insert_ignore_rows(conn, table, ("text_hash", "data"), [("a" * 40, "{}"), ("b" * 40, "[]")],
                                  ["text_hash"], constants={"model": "m", "created_at": WHEN})
        assert sent == 2
        insert_ignore_rows(conn, table, ("text_hash", "data"), [("a" * 40, "changed")], ["text_hash"],
                           constants={"model": "m", "created_at": WHEN})  # a duplicate: ignored
        insert_ignore(conn, table, [{"text_hash": "c" * 40, "model": "m", "data": "{}", "created_at": WHEN}],
                      ["text_hash"])
        assert insert_ignore_rows(conn, table, ("text_hash",), [], ["text_hash"]) == 0
    with engine.connect() as conn:
        got = {h: (m, d) for h, m, d in conn.execute(select(table.c.text_hash, table.c.model, table.c.data))}
        raw = {h: c for h, c in conn.exec_driver_sql("select text_hash, created_at from parse")}
    assert got == {"a" * 40: ("m", "{}"), "b" * 40: ("m", "[]"), "c" * 40: ("m", "{}")}
    assert raw["a" * 40] == raw["b" * 40] == raw["c" * 40]  # the timestamp bound as SQLAlchemy binds it


def test_tuple_rows_missing_a_defaulted_column_get_the_default(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        insert_ignore_rows(conn, Image.__table__, ("path",), [("x.jpg",), ("y.jpg",)], ["path"])
    with engine.connect() as conn:
        stamps = [c for (c,) in conn.execute(select(Image.__table__.c.created_at))]
    assert len(stamps) == 2 and all(stamps)
