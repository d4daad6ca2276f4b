"""The curation session as a pure state machine: queue, decisions, resume, undo, edit, de-duplication."""

import pytest

from toolkit.curation.session import Mark, QueueItem, Record, Retract, Session


def items(n: int) -> list[QueueItem]:
    return [QueueItem(f"h{i}", i, f"caption {i}", f"negative {i}") for i in range(n)]


def test_decisions_walk_the_queue_and_count_progress():
    s = Session(items(3))
    assert s.current.item_hash == "h0" and s.progress().startswith("0/3 done")
    eff = s.decide("accept")
    assert eff == Record(items(3)[0], Mark("accept"))
    s.decide("reject", reason="not false")
    assert s.current.item_hash == "h2"
    s.decide("ignore")
    assert s.finished and s.current is None and s.done == 3
    assert s.counts() == {"accept": 1, "reject": 1, "ignore": 1, "edit": 0}
    with pytest.raises(ValueError, match="every item is decided"):
        s.decide("accept")
    with pytest.raises(ValueError, match="label must be"):
        Session(items(1)).decide("maybe")


def test_resume_starts_at_the_first_undecided_item():
    earlier = [("h1", Mark("accept")), ("h0", Mark("reject")), ("h3", Mark("accept"))]
    s = Session(items(5), earlier)
    assert s.current.item_hash == "h2" and s.done == 3
    s.decide("accept")
    assert s.current.item_hash == "h4"  # h3 was decided before
    s.decide("reject")
    assert s.finished
    # decisions on items outside this queue (another set) are not counted
    assert Session(items(2), [("elsewhere", Mark("accept"))]).done == 0


def test_undo_goes_back_through_this_and_earlier_sessions():
    s = Session(items(3), [("h1", Mark("reject", "grammar"))])
    assert s.current.item_hash == "h0"
    s.decide("accept")
    assert s.current.item_hash == "h2"
    assert s.undo() == Retract(items(3)[0], Mark("accept"))
    assert s.current.item_hash == "h0" and s.done == 1
    assert s.undo() == Retract(items(3)[1], Mark("reject", "grammar"))  # from the earlier session
    assert s.current.item_hash == "h1" and s.done == 0
    assert s.undo() is None
    s.decide("ignore")  # redo on the undone item, then the queue continues at the first undecided after it
    assert s.marks == {"h1": Mark("ignore")} and s.current.item_hash == "h2"


def test_cursor_wraps_round_to_undecided_items_before_it():
    s = Session(items(3), [("h0", Mark("accept")), ("h1", Mark("accept"))])
    s.undo()  # h1 undone
    s.undo()  # h0 undone, current
    s.decide("reject")  # h0
    assert s.current.item_hash == "h1"
    s.decide("accept")
    s.decide("accept")  # h2
    assert s.finished


def test_edit_records_the_new_text_and_refuses_non_negatives():
    s = Session(items(2))
    with pytest.raises(ValueError, match="unchanged"):
        s.edit("negative 0")
    with pytest.raises(ValueError, match="equals the caption"):
        s.edit("  caption   0 ")
    with pytest.raises(ValueError, match="empty"):
        s.edit("   ")
    assert s.current.item_hash == "h0" and s.done == 0  # refused edits change nothing
    eff = s.edit("a   fixed  negative")
    assert eff.mark == Mark("edit", "", "a fixed negative")
    assert s.counts()["edit"] == 1 and s.current.item_hash == "h1"
    assert s.undo().mark.edit_text == "a fixed negative"


def test_items_with_the_same_content_hash_are_shown_once():
    dup = [*items(3), QueueItem("h1", 99, "caption 1", "negative 1")]
    s = Session(dup)
    assert s.total == 3 and [it.candidate_id for it in s.items] == [0, 1, 2]
    # a repeated decision in the history counts once (latest wins)
    s2 = Session(items(2), [("h0", Mark("reject")), ("h0", Mark("accept"))])
    assert s2.marks == {"h0": Mark("accept")} and s2.history == ["h0"]
