"""The notes board: pure, no event loop. Exactly-once adds, edits and deletes by revision."""

import json

import pytest

from participant.core.notes import (
    Board,
    FiledTheme,
    Note,
    OpenBreakout,
    distinct_ids,
    room_of_token,
    room_path,
    room_token,
)
from participant.core.wire import (
    MAX_ROOMS,
    ROOM_TOKEN_LENGTH,
    ErrorCode,
    NoteAdd,
    NoteDelete,
    NoteEdit,
    ProtocolError,
)

SECRET = b"s" * 32
BREAKOUT = OpenBreakout("step-2", "Why we work well together", ("Why?",), 4)


def board() -> Board:
    board = Board()
    board.open_breakout(BREAKOUT)
    return board


def commit(board: Board, room: int, message) -> None:
    note = board.check(room, message)
    if note is not None:
        board.apply(note)


def refusal(call) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        call()
    return caught.value


def test_room_tokens_are_per_room_unguessable_and_checked():
    """Each room's token differs, maps back to its room, and a forged one maps to nothing."""
    tokens = {room_token(SECRET, room) for room in range(1, MAX_ROOMS + 1)}
    assert len(tokens) == MAX_ROOMS
    assert room_of_token(SECRET, room_token(SECRET, 3)) == 3
    assert room_of_token(SECRET, "0" * ROOM_TOKEN_LENGTH) is None
    assert room_of_token(b"t" * 32, room_token(SECRET, 3)) is None
    assert len(room_token(SECRET, 1)) == ROOM_TOKEN_LENGTH == 24  # 96 bits


def test_room_paths_carry_the_token_of_rooms_in_range():
    """A room's link path is the room prefix and its token; there is no room 0 nor past MAX_ROOMS."""
    assert room_path(SECRET, 3) == f"/r/{room_token(SECRET, 3)}"
    for room in (0, MAX_ROOMS + 1):
        with pytest.raises(ValueError, match="rooms go from 1"):
            room_path(SECRET, room)


def test_add_edit_delete_and_state():
    """Notes appear in the room's state in the order added; edits and deletes take effect."""
    b = board()
    commit(b, 1, NoteAdd("note-0001", "Trust"))
    commit(b, 1, NoteAdd("note-0002", "Humour"))
    commit(b, 2, NoteAdd("note-0003", "Other room"))
    commit(b, 1, NoteEdit("note-0001", 1, "Trust, built over time"))
    commit(b, 1, NoteDelete("note-0002", 1))
    state = b.state(1)
    assert [(n.id, n.text, n.rev) for n in state.notes] == [("note-0001", "Trust, built over time", 2)]
    assert [n.text for n in b.notes("step-2")] == ["Trust, built over time", "Other room"]


def test_resends_are_stored_once():
    """A resent add, edit or delete (after a lost ack) needs no new write."""
    b = board()
    commit(b, 1, NoteAdd("note-0001", "Trust"))
    assert b.check(1, NoteAdd("note-0001", "Trust")) is None
    commit(b, 1, NoteEdit("note-0001", 1, "Trust!"))
    assert b.check(1, NoteEdit("note-0001", 1, "Trust!")) is None
    commit(b, 1, NoteDelete("note-0001", 2))
    assert b.check(1, NoteDelete("note-0001", 2)) is None
    assert b.check(1, NoteAdd("note-0001", "Trust")) is None  # no resurrection


def test_stale_edit_from_another_device_is_a_conflict():
    """Two devices edit the same version: the second is refused, with a plain reason."""
    b = board()
    commit(b, 1, NoteAdd("note-0001", "Trust"))
    commit(b, 1, NoteEdit("note-0001", 1, "Trust (device A)"))
    error = refusal(lambda: b.check(1, NoteEdit("note-0001", 1, "Trust (device B)")))
    assert error.code is ErrorCode.CONFLICT
    assert "changed on another device" in error.message
    commit(b, 1, NoteDelete("note-0001", 2))
    assert refusal(lambda: b.check(1, NoteEdit("note-0001", 2, "x"))).code is ErrorCode.CONFLICT


def test_editing_a_note_not_in_the_room_says_so_not_that_it_was_deleted():
    """Another room's note id, or one that never was: the refusal names that, not a deletion."""
    b = board()
    commit(b, 2, NoteAdd("note-0002", "Room 2's note"))
    for message in (
        NoteEdit("note-0002", 1, "taken over"),
        NoteDelete("note-0002", 1),
        NoteDelete("never", 1),
    ):
        error = refusal(lambda message=message: b.check(1, message))
        assert (error.code, error.message) == (
            ErrorCode.CONFLICT,
            "That note is not among this room's notes: here are the latest notes",
        )
    commit(b, 1, NoteAdd("note-0001", "Trust"))
    commit(b, 1, NoteDelete("note-0001", 1))
    error = refusal(lambda: b.check(1, NoteEdit("note-0001", 1, "Trust!")))
    assert error.message == "This note was deleted on another device"
    assert b.notes("step-2", 2)[0].text == "Room 2's note"


def test_no_writing_without_a_breakout_or_outside_its_rooms():
    """Notes open with a breakout, only for its rooms."""
    b = Board()
    assert "No breakout is running" in refusal(lambda: b.check(1, NoteAdd("note-0001", "x"))).message
    b.open_breakout(BREAKOUT)
    assert "room 5 is not in it" in refusal(lambda: b.check(5, NoteAdd("note-0001", "x"))).message
    b.close_breakout()
    assert b.state(1).breakout is None
    assert b.state(1).notes == ()


def test_restore_keeps_the_newest_version_of_each_note():
    """Folded back from stored versions in any order, the board holds each note's latest."""
    b = board()
    commit(b, 1, NoteAdd("note-0001", "Trust"))
    first = b.notes("step-2")[0]
    commit(b, 1, NoteEdit("note-0001", 1, "Trust, later"))
    latest = b.notes("step-2")[0]
    restored = Board.restore([latest, first])
    assert restored.notes("step-2") == (latest,)


def test_a_room_cannot_take_another_rooms_note_id():
    """Ids are unique per breakout: a room sending an id another room used is refused, in words."""
    notes = board()
    commit(notes, 1, NoteAdd("shared-id", "Trust built over years"))
    error = refusal(lambda: notes.check(2, NoteAdd("shared-id", "Humour")))
    assert error.code is ErrorCode.BAD_MESSAGE
    assert "another room" in error.message
    assert [note.text for note in notes.notes("step-2")] == ["Trust built over years"]


def test_stored_notes_sharing_an_id_across_rooms_get_distinct_ids():
    """Old sessions may hold two rooms' notes under one id: the later room's is known as id@room."""
    notes = [Note("step-2", 1, "x", "a"), Note("step-2", 3, "x", "b"), Note("step-2", 3, "y", "c")]
    assert [note.id for note in distinct_ids(notes)] == ["x", "x@3", "y"]


def test_a_note_is_filed_starred_and_answers_a_prompt_of_its_breakout():
    """An add files the note and says which prompt it answers; an edit changes only what it gives;
    a prompt the breakout does not have is refused."""
    b = Board()
    b.open_breakout(OpenBreakout("step-2", "Why", ("Why?", "How?"), 4))
    commit(b, 1, NoteAdd("note-0001", "We trust each other", prompt=1, theme="Trust"))
    commit(b, 1, NoteEdit("note-0001", 1, "We trust each other", starred=True))
    (note,) = b.notes("step-2")
    assert (note.prompt, note.theme, note.starred, note.rev) == (1, "Trust", True, 2)
    assert b.check(1, NoteEdit("note-0001", 1, "We trust each other", starred=True)) is None  # a resend
    assert refusal(lambda: b.check(1, NoteAdd("note-0002", "x", prompt=2))).code is ErrorCode.BAD_MESSAGE


def test_a_room_stars_three_notes_at_most_and_themes_are_shared_across_rooms():
    """A 4th star is refused in words; themes of every room, alike but for case, spacing or
    punctuation, are one, under the label first typed, per prompt."""
    b = board()
    for n in range(4):
        commit(b, 1, NoteAdd(f"note-000{n}", f"Point {n}", theme=("Trust", "trust ", "TRUST!", "")[n]))
    for n in range(3):
        commit(b, 1, NoteEdit(f"note-000{n}", 1, f"Point {n}", starred=True))
    refused = refusal(lambda: b.check(1, NoteEdit("note-0003", 1, "Point 3", starred=True)))
    assert (refused.code, refused.message) == (
        ErrorCode.TOO_MANY,
        "A room stars 3 notes at most: take the star off one first",
    )
    commit(b, 2, NoteAdd("note-0009", "Laughing helps", theme="Humour"))
    assert b.themes() == (
        FiledTheme("Trust", 0, ("Point 0", "Point 1", "Point 2")),
        FiledTheme("Humour", 0, ("Laughing helps",)),
    )
    assert [theme["label"] for theme in json.loads(b.state(3).encode())["themes"]] == ["Trust", "Humour"]
