"""The recently-stored cache: rows are skipped only while fresh, per warehouse instance."""

from pipelines_app.ingest.seen import SeenRows, first


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Warehouse:  # any weak-referenceable object stands for a warehouse instance
    pass


def test_rows_are_skipped_until_the_ttl_passes():
    clock, wh = Clock(), Warehouse()
    seen = SeenRows(ttl=60, clock=clock)
    rows = [("p1", "team-a"), ("p2", None)]
    assert seen.unseen(wh, rows) == rows
    seen.remember(wh, rows)
    assert seen.unseen(wh, rows + [("p1", "team-b")]) == [("p1", "team-b")]
    clock.now += 61
    assert seen.unseen(wh, rows) == rows


def test_each_warehouse_has_its_own_memory_and_forget_clears_it():
    clock, first, second = Clock(), Warehouse(), Warehouse()
    seen = SeenRows(clock=clock)
    seen.remember(first, [("p1",)])
    assert seen.unseen(second, [("p1",)]) == [("p1",)]
    seen.forget(first)
    assert seen.unseen(first, [("p1",)]) == [("p1",)]


def test_only_the_last_value_stored_for_an_identity_is_skipped():
    seen, wh = SeenRows(clock=Clock()), Warehouse()
    seen.remember(wh, [("p1", "team-a")], ident=first)
    seen.remember(wh, [("p1", "team-b")], ident=first)
    assert seen.unseen(wh, [("p1", "team-a"), ("p1", "team-b")], ident=first) == [("p1", "team-a")]


def test_a_value_function_ignores_volatile_columns():
    seen, wh = SeenRows(clock=Clock()), Warehouse()

    def value(row):
        return row[:-1]

    seen.remember(wh, [("p1", "team-a", "10:00")], ident=first, value=value)
    assert seen.unseen(wh, [("p1", "team-a", "10:05")], ident=first, value=value) == []
