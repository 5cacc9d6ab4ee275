"""The wire: every message type, every limit, the addresses, and what the page is told."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participant.core.wire import (
    CLOSE_ABOVE_BYTES,
    DEVICE_ID_LENGTH,
    JOIN_PREFIX,
    MAX_COMMENT_LENGTH,
    MAX_MESSAGE_BYTES,
    MAX_NOTE_LENGTH,
    MAX_STARS_PER_ROOM,
    MAX_TEXT_LENGTH,
    MAX_THEME_LENGTH,
    MAX_WORD_LENGTH,
    MAX_WORDS,
    RATE_BURST,
    RATE_PER_SECOND,
    RATING_SCALE,
    ROOM_PREFIX,
    WS_PATH,
    Ack,
    Answer,
    Choice,
    CurrentPrompt,
    Error,
    ErrorCode,
    Hello,
    NoteAdd,
    OpenPrompt,
    Pass,
    ProtocolError,
    Ratings,
    Text,
    TokenBucket,
    Welcome,
    Words,
    encode_message,
    is_id,
    join_path,
    page_limits,
    parse_answer_value,
    parse_client_message,
    parse_room_message,
    split_join_url,
    too_fast,
)

DEVICE = "device-0123456789abcdef"
REFLECTION = {
    "kind": "reflection",
    "question": "",
    "ratings": [{"text": "Safe?", "low": "No", "high": "Yes"}, {"text": "Useful?", "low": "1", "high": "5"}],
    "scale": [1, 2, 3, 4, 5],
    "comment": "Anything to add?",
}
REFLECTION_NO_COMMENT = {key: value for key, value in REFLECTION.items() if key != "comment"}
CHOICE = {"kind": "choice", "question": "How do you feel?", "options": ["Scared", "Curious", "Fine"]}
TEXT = {"kind": "text", "question": "What went well?"}
SHARE = {"kind": "share", "question": "Share one thing"}
WORDWALL = {"kind": "wordwall", "question": "Name the jargon"}
ALL_KINDS = [REFLECTION, CHOICE, TEXT, SHARE, WORDWALL]


def frame(**data):
    return json.dumps(data)


def refusal(call, *args, **kwargs) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- Messages from phones ----------------------------------------------------------------------


def test_hello_carries_the_device_id():
    """A hello with a well-formed device id parses to Hello."""
    assert parse_client_message(frame(type="hello", device=DEVICE)) == Hello(DEVICE)


@pytest.mark.parametrize(
    "device", [None, 42, "short", "x" * 65, "has space in it 123", "émoji-0123456789abc", "a/b" * 8]
)
def test_hello_with_a_malformed_device_id_is_refused(device):
    """A device id must be 16 to 64 letters, digits, '-' or '_'."""
    error = refusal(parse_client_message, frame(type="hello", device=device))
    assert error.code is ErrorCode.BAD_MESSAGE
    assert error.message == "This browser's id is not valid: reload the page"


def test_answer_carries_id_prompt_and_value():
    """An answer parses with its client id, the prompt it answers and its raw value."""
    message = parse_client_message(frame(type="answer", id="answer-01", prompt="p1", value={"text": "hi"}))
    assert message == Answer("answer-01", "p1", {"text": "hi"})


@pytest.mark.parametrize("answer_id", [None, "short", "x" * 65, "no spaces here", 12345678])
def test_answer_without_a_valid_id_is_refused(answer_id):
    """An answer id must be 8 to 64 letters, digits, '-' or '_'."""
    error = refusal(parse_client_message, frame(type="answer", id=answer_id, prompt="p1", value={}))
    assert error.code is ErrorCode.BAD_MESSAGE
    assert error.answer_id is None


@pytest.mark.parametrize("prompt", [None, "", 7, "p" * 101])
def test_answer_to_a_malformed_prompt_id_is_refused_with_its_id(prompt):
    """A refused answer whose id could be read carries that id, so the page can drop it."""
    error = refusal(parse_client_message, frame(type="answer", id="answer-01", prompt=prompt, value={}))
    assert error.answer_id == "answer-01"


@pytest.mark.parametrize("value", [None, [], "text", 3])
def test_answer_value_must_be_an_object(value):
    """An answer's value is a JSON object."""
    error = refusal(parse_client_message, frame(type="answer", id="answer-01", prompt="p1", value=value))
    assert (error.code, error.answer_id) == (ErrorCode.INVALID, "answer-01")


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        "[1, 2]",
        '"hello"',
        "null",
        '{"type": "welcome", "title": "x"}',
        '{"type": "open", "prompt": "p2"}',
        '{"device": "device-0123456789abcdef"}',
        '{"type": "hello", "device": NaN}',
        "[" * 10_000,
        b'{"type": "hello"}',
    ],
    ids=lambda data: repr(data)[:30],
)
def test_anything_else_is_refused_as_unreadable(data):
    """Bad JSON, non-objects, unknown or server-only types and binary frames get one plain refusal."""
    error = refusal(parse_client_message, data)
    assert error.code is ErrorCode.BAD_MESSAGE
    assert error.message == "The page sent something the server does not understand: reload the page"


def test_a_message_at_the_size_limit_is_read():
    """A message of exactly MAX_MESSAGE_BYTES is parsed."""
    head = frame(type="answer", id="answer-01", prompt="p1", value={"text": ""})
    padded = head[:-3] + "x" * (MAX_MESSAGE_BYTES - len(head)) + '"}}'
    assert len(padded.encode()) == MAX_MESSAGE_BYTES
    assert isinstance(parse_client_message(padded), Answer)


def test_a_message_over_the_size_limit_is_refused():
    """One byte more (counted in UTF-8) is refused as too large, with the limit in the message."""
    text = "é" * (MAX_MESSAGE_BYTES // 2)
    error = refusal(
        parse_client_message, frame(type="answer", id="answer-01", prompt="p1", value={"text": text})
    )
    assert error.code is ErrorCode.TOO_LARGE
    assert error.message == "That message is too large: 16 KB at most"
    assert CLOSE_ABOVE_BYTES > MAX_MESSAGE_BYTES


# --- Messages from room links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "code", "words"),
    [
        (
            '{"type":"note_add","id":"note-0001","text":"' + "x" * (MAX_NOTE_LENGTH + 1) + '"}',
            "too_long",
            str(MAX_NOTE_LENGTH),
        ),
        ('{"type":"note_add","id":"note-0001","text":"  "}', "empty", "Write the note"),
        ('{"type":"note_add","id":"x","text":"a"}', "bad_message", "valid id"),
        ('{"type":"note_edit","id":"note-0001","rev":0,"text":"a"}', "bad_message", "version"),
        ('{"type":"note_delete","id":"note-0001","rev":"2"}', "bad_message", "version"),
        ('{"type":"answer","id":"answer-01","prompt":"p","value":{}}', "forbidden", "join link"),
        ('{"type":"nonsense"}', "bad_message", "reload"),
    ],
)
def test_room_messages_are_checked(frame, code, words):
    """Malformed note messages, and answers sent by a room link, are refused in plain words."""
    error = refusal(lambda: parse_room_message(frame))
    assert error.code.value == code
    assert words in error.message


def test_room_message_text_is_cleaned_and_markup_kept():
    """A note's text loses control characters and keeps markup as literal text."""
    message = parse_room_message('{"type":"note_add","id":"note-0001","text":"[b]x[/b] \\u001b[2J"}')
    assert message == NoteAdd("note-0001", "[b]x[/b] [2J")
    assert parse_room_message('{"type":"hello","device":"dddddddddddddddd"}') == Hello("dddddddddddddddd")


def test_phones_cannot_send_note_messages():
    """The join link's protocol refuses note messages: only a room's link writes notes."""
    error = refusal(lambda: parse_client_message('{"type":"note_add","id":"note-0001","text":"x"}'))
    assert error.code is ErrorCode.FORBIDDEN


# --- Answer values per kind ---------------------------------------------------------------------


@pytest.mark.parametrize("wire", ALL_KINDS, ids=lambda wire: wire["kind"])
def test_every_kind_accepts_a_pass(wire):
    """Every prompt offers Pass."""
    assert parse_answer_value(wire, {"pass": True}) == Pass()


def test_reflection_takes_one_rating_or_null_per_question_and_a_comment():
    """Ratings are 1-5 or null, one per question; the comment is cleaned."""
    value = parse_answer_value(REFLECTION, {"ratings": [5, None], "comment": "  Good\r\nthanks "})
    assert value == Ratings((5, None), "Good\nthanks")


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([5], "Give one rating per question: reload the page"),
        ([5, 4, 3], "Give one rating per question: reload the page"),
        ("5,4", "Give one rating per question: reload the page"),
        ([0, 4], "Ratings go from 1 to 5"),
        ([6, 4], "Ratings go from 1 to 5"),
        ([4.0, 4], "Ratings go from 1 to 5"),
        ([True, 4], "Ratings go from 1 to 5"),
        (["4", 4], "Ratings go from 1 to 5"),
    ],
)
def test_reflection_refuses_malformed_ratings(ratings, message):
    """Wrong counts, values outside 1-5 and non-integers are refused in plain words."""
    error = refusal(parse_answer_value, REFLECTION, {"ratings": ratings}, "answer-01")
    assert (error.code, error.message, error.answer_id) == (ErrorCode.INVALID, message, "answer-01")


def test_reflection_with_nothing_rated_is_refused():
    """All ratings null and no comment is not an answer: pass instead."""
    error = refusal(parse_answer_value, REFLECTION, {"ratings": [None, None], "comment": "  "})
    assert (error.code, error.message) == (ErrorCode.EMPTY, "Choose a rating first, or pass")


def test_reflection_comment_alone_is_an_answer():
    """A comment without ratings is kept."""
    assert parse_answer_value(REFLECTION, {"ratings": [None, None], "comment": "x"}) == Ratings(
        (None, None), "x"
    )


def test_reflection_comment_limit():
    """A comment may have MAX_COMMENT_LENGTH characters, not one more."""
    ok = parse_answer_value(REFLECTION, {"ratings": [1, 1], "comment": "c" * MAX_COMMENT_LENGTH})
    assert isinstance(ok, Ratings)
    error = refusal(
        parse_answer_value, REFLECTION, {"ratings": [1, 1], "comment": "c" * (MAX_COMMENT_LENGTH + 1)}
    )
    assert (error.code, error.message) == (
        ErrorCode.TOO_LONG,
        "That comment is too long: 500 characters at most",
    )


def test_reflection_without_a_comment_box_refuses_a_comment():
    """A comment is taken only when the prompt offers one."""
    error = refusal(parse_answer_value, REFLECTION_NO_COMMENT, {"ratings": [1, 2], "comment": "x"})
    assert error.message == "This question takes no comment"


def test_choice_takes_one_of_the_options():
    """A choice answer names one of the prompt's options."""
    assert parse_answer_value(CHOICE, {"option": "Scared"}) == Choice("Scared")


@pytest.mark.parametrize("option", ["Angry", "scared", "", None, ["Scared"], "x" * 201])
def test_choice_refuses_anything_else(option):
    """Anything but an option's exact label is refused."""
    error = refusal(parse_answer_value, CHOICE, {"option": option})
    assert error.code in {ErrorCode.INVALID, ErrorCode.TOO_LONG}


@pytest.mark.parametrize(("wire", "kind"), [(TEXT, "text"), (SHARE, "share")])
def test_text_limits_per_kind(wire, kind):
    """Open text and "share one thing" each have their own length limit, named in the refusal."""
    limit = MAX_TEXT_LENGTH[kind]
    assert parse_answer_value(wire, {"text": "t" * limit}) == Text("t" * limit)
    error = refusal(parse_answer_value, wire, {"text": "t" * (limit + 1)}, "answer-01")
    assert (error.code, error.answer_id) == (ErrorCode.TOO_LONG, "answer-01")
    assert error.message == f"That answer is too long: {limit} characters at most"


def test_the_text_limit_is_500_characters():
    """The example from the issue: 501 characters of open text are refused with that sentence."""
    error = refusal(parse_answer_value, TEXT, {"text": "a" * 501})
    assert error.message == "That answer is too long: 500 characters at most"


def test_length_counts_characters_not_bytes():
    """500 accented characters (1000 bytes) are within the limit."""
    assert parse_answer_value(TEXT, {"text": "é" * 500}) == Text("é" * 500)


@pytest.mark.parametrize("value", [{"text": ""}, {"text": " \n\t "}, {"text": "\x1b\x07"}])
def test_empty_text_is_refused(value):
    """Whitespace or control characters alone are not an answer."""
    error = refusal(parse_answer_value, TEXT, value)
    assert (error.code, error.message) == (ErrorCode.EMPTY, "Write something first, or pass")


@pytest.mark.parametrize("value", [{}, {"text": 5}, {"text": ["a"]}])
def test_text_must_be_text(value):
    """A missing or non-string text is refused."""
    assert refusal(parse_answer_value, TEXT, value).code is ErrorCode.INVALID


def test_wordwall_takes_a_few_words_without_repeats():
    """Words are cleaned; repeats differing only in case count once per submission."""
    value = parse_answer_value(WORDWALL, {"words": [" Jargon ", "jargon", "KPI", "", "deep  dive"]})
    assert value == Words(("Jargon", "KPI", "deep dive"))


def test_wordwall_word_count_limit():
    """At most MAX_WORDS words per submission."""
    assert isinstance(parse_answer_value(WORDWALL, {"words": [f"w{i}" for i in range(MAX_WORDS)]}), Words)
    error = refusal(parse_answer_value, WORDWALL, {"words": [f"w{i}" for i in range(MAX_WORDS + 1)]})
    assert (error.code, error.message) == (ErrorCode.TOO_MANY, "Too many words: 5 at most")


def test_wordwall_word_length_limit():
    """Each word has at most MAX_WORD_LENGTH characters."""
    assert parse_answer_value(WORDWALL, {"words": ["w" * MAX_WORD_LENGTH]}) == Words(("w" * MAX_WORD_LENGTH,))
    error = refusal(parse_answer_value, WORDWALL, {"words": ["w" * (MAX_WORD_LENGTH + 1)]})
    assert (error.code, error.message) == (ErrorCode.TOO_LONG, "That word is too long: 40 characters at most")


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ([], ErrorCode.EMPTY),
        (["", " "], ErrorCode.EMPTY),
        ("a b", ErrorCode.INVALID),
        ([1], ErrorCode.INVALID),
    ],
)
def test_wordwall_refuses_empty_or_malformed_words(words, code):
    """No words, or words that are not text, are refused."""
    assert refusal(parse_answer_value, WORDWALL, {"words": words}).code is code


def test_a_value_that_is_not_an_object_is_refused():
    """parse_answer_value guards its input too."""
    assert refusal(parse_answer_value, TEXT, "hello").code is ErrorCode.INVALID


@pytest.mark.parametrize(
    ("wire", "raw"),
    [
        (REFLECTION, {"ratings": [3, None], "comment": "é\tok\u202e"}),
        (CHOICE, {"option": "Fine"}),
        (TEXT, {"text": "  line one\r\n\r\n\r\n\r\nline two\x00  "}),
        (WORDWALL, {"words": ["ÉCOLE", "ecole", "e\u0301cole"]}),
    ],
)
def test_parsing_a_clean_value_again_changes_nothing(wire, raw):
    """Cleaning is idempotent, so a stored answer reads back the same."""
    value = parse_answer_value(wire, raw)
    assert parse_answer_value(wire, value.to_wire()) == value


# --- Participant text stays text ------------------------------------------------------------------


def test_markup_stays_as_literal_text():
    """Rich markup, HTML and braces in an answer are kept verbatim: they are text, never interpreted here."""
    for text in [
        "[bold red]x[/]",
        "<script>alert(1)</script>",
        "{{name}} & $HOME",
        "[link=http://x]y[/link]",
    ]:
        assert parse_answer_value(TEXT, {"text": text}) == Text(text)


def test_every_participant_string_is_cleaned():
    """Comments, texts, words and the chosen option all go through the same cleaning."""
    assert parse_answer_value(REFLECTION, {"ratings": [1, 1], "comment": "a\x1bb"}).comment == "ab"
    assert parse_answer_value(TEXT, {"text": "a\x1bb"}) == Text("ab")
    assert parse_answer_value(WORDWALL, {"words": ["a\x1bb"]}) == Words(("ab",))
    assert parse_answer_value(CHOICE, {"option": "Scared\x1b"}) == Choice("Scared")


# --- Messages to phones ----------------------------------------------------------------------------


def decoded(message) -> dict:
    return json.loads(message.encode())


def test_welcome_names_the_session_the_open_prompt_and_this_devices_answer():
    """welcome carries the title, the prompt with its id, and the device's answer to it."""
    prompt = OpenPrompt("p1", CHOICE)
    assert decoded(Welcome("Workshop", prompt, Choice("Fine"))) == {
        "type": "welcome",
        "title": "Workshop",
        "prompt": {**CHOICE, "id": "p1"},
        "answer": {"option": "Fine"},
        "closing": None,
        "staying": [],
    }
    assert decoded(Welcome("Workshop", None)) == {
        "type": "welcome",
        "title": "Workshop",
        "prompt": None,
        "answer": None,
        "closing": None,
        "staying": [],
    }


def test_prompt_message_opens_or_closes():
    """prompt carries the opened prompt, or null when the trainer closed it."""
    assert decoded(CurrentPrompt(OpenPrompt("p2", TEXT))) == {
        "type": "prompt",
        "prompt": {**TEXT, "id": "p2"},
        "answer": None,
        "staying": [],
    }
    assert decoded(CurrentPrompt(None)) == {"type": "prompt", "prompt": None, "answer": None, "staying": []}


def test_ack_names_the_answer():
    """ack carries the client's answer id."""
    assert decoded(Ack("answer-01")) == {"type": "ack", "id": "answer-01"}


@given(st.text())
def test_an_ack_is_encoded_as_every_other_message(answer_id):
    """The ack's own quick encoding gives the same text as the wire's compact JSON, for any id."""
    assert Ack(answer_id).encode() == encode_message(Ack(answer_id).to_wire())


def test_error_has_a_code_a_message_and_maybe_the_answer_id():
    """error carries a code and plain words; the answer id only when known."""
    assert decoded(Error(ErrorCode.TOO_LONG, "Too long", "answer-01")) == {
        "type": "error",
        "code": "too_long",
        "message": "Too long",
        "id": "answer-01",
    }
    assert decoded(ProtocolError(ErrorCode.BAD_MESSAGE, "Bad").to_message()) == {
        "type": "error",
        "code": "bad_message",
        "message": "Bad",
    }


def test_participant_text_is_sent_as_json_text():
    """Quotes, markup and newlines in a participant's answer survive the JSON encoding unchanged."""
    text = 'say "[b]hi[/b]"\n<i>'
    assert decoded(Welcome("W", OpenPrompt("p", TEXT), Text(text)))["answer"] == {"text": text}


# --- Rate limit ----------------------------------------------------------------------------------


def test_token_bucket_allows_a_burst_then_refuses():
    """A device may send RATE_BURST messages at once, and no more."""
    bucket = TokenBucket(now=100.0)
    assert all(bucket.take(100.0) for _ in range(int(RATE_BURST)))
    assert not bucket.take(100.0)


def test_token_bucket_refills_with_time():
    """After 1/RATE_PER_SECOND seconds one more message is allowed; never more than the burst."""
    bucket = TokenBucket(now=0.0, rate=RATE_PER_SECOND, burst=2)
    assert [bucket.take(0.0) for _ in range(3)] == [True, True, False]
    assert bucket.take(1 / RATE_PER_SECOND)
    assert not bucket.take(1 / RATE_PER_SECOND)
    assert [bucket.take(1000.0) for _ in range(3)] == [True, True, False]


def test_token_bucket_ignores_time_going_backwards():
    """A clock that steps back gives no extra messages."""
    bucket = TokenBucket(now=10.0, burst=1)
    assert bucket.take(10.0)
    assert not bucket.take(5.0)
    assert not bucket.take(10.0)


def test_too_fast_is_a_plain_refusal():
    """The rate-limit refusal says what to do."""
    error = too_fast("answer-01")
    assert (error.code, error.answer_id) == (ErrorCode.TOO_FAST, "answer-01")
    assert error.message == "Too many messages at once: wait a few seconds and try again"


# --- Addresses and the page's limits ----------------------------------------------------------------


def test_join_urls_are_split_into_their_base_and_code():
    """The join path is /j/<code>; a join URL splits at its last /j/, and anything else has no code."""
    assert join_path("abc123") == "/j/abc123"
    assert split_join_url("http://10.0.0.2:8765/j/abc123") == ("http://10.0.0.2:8765", "abc123")
    assert split_join_url("https://x.example/j/team/j/abc") == ("https://x.example/j/team", "abc")
    assert split_join_url("http://10.0.0.2:8765/") == ("http://10.0.0.2:8765/", "")


def test_the_page_is_told_every_limit_it_checks():
    """What the page checks before sending is what the server checks after: the same constants."""
    assert page_limits() == {
        "paths": {"join": JOIN_PREFIX, "room": ROOM_PREFIX, "ws": WS_PATH},
        "text": MAX_TEXT_LENGTH,
        "comment": MAX_COMMENT_LENGTH,
        "words": MAX_WORDS,
        "word": MAX_WORD_LENGTH,
        "note": MAX_NOTE_LENGTH,
        "theme": MAX_THEME_LENGTH,
        "stars": MAX_STARS_PER_ROOM,
        "scale": list(RATING_SCALE),
        "device": "^[A-Za-z0-9_-]{16,64}$",
    }
    assert json.loads(json.dumps(page_limits())) == page_limits()
    for device in (DEVICE, "x" * DEVICE_ID_LENGTH[0], "x" * (DEVICE_ID_LENGTH[0] - 1), "no spaces in ids"):
        assert bool(re.fullmatch(page_limits()["device"], device)) == is_id(device, DEVICE_ID_LENGTH)


def test_prompt_message_lists_the_walls_kept_open_with_this_devices_answers():
    """A wall that stays open rides beside the open prompt, with the device's own answer to it."""
    wall = OpenPrompt("p1", WORDWALL)
    message = CurrentPrompt(OpenPrompt("p2", TEXT), None, ((wall, Words(("CPS",))),))
    assert decoded(message)["staying"] == [{"prompt": {**WORDWALL, "id": "p1"}, "answer": {"words": ["CPS"]}}]
    assert message.personal
    assert not CurrentPrompt(OpenPrompt("p2", TEXT), None, ((wall, None),)).personal
