"""The hub and its tallies: session state folded from answers, with no event loop and no IO."""

import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participant.core.hub import Hub, Keys, Response, check_prompt
from participant.core.tallies import RatingResult, tally, word_counts
from participant.core.wire import (
    Answer,
    AnswerValue,
    Choice,
    CurrentPrompt,
    ErrorCode,
    OpenPrompt,
    Pass,
    ProtocolError,
    Ratings,
    Text,
    Welcome,
    Words,
)

SECRET = b"s" * 32
REFLECTION = {
    "kind": "reflection",
    "question": "",
    "ratings": [{"text": "Safe?", "low": "No", "high": "Yes"}, {"text": "Useful?", "low": "1", "high": "5"}],
    "scale": [1, 2, 3, 4, 5],
    "comment": "Anything to add?",
}
CHOICE = {"kind": "choice", "question": "How do you feel?", "options": ["Scared", "Curious", "Fine"]}
TEXT = {"kind": "text", "question": "What went well?"}
WORDWALL = {"kind": "wordwall", "question": "Name the jargon"}


class Committer:
    """Stands in for the store: numbers responses as a database would."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.seq = 0

    def answer(self, device: str, answer_id: str, prompt: str, value: dict) -> Response | None:
        response = self.hub.receive(device, Answer(answer_id, prompt, value))
        if response is not None:
            self.seq += 1
            self.hub.record(response, self.seq)
        return response


@pytest.fixture
def hub() -> Hub:
    return Hub("Workshop", SECRET)


@pytest.fixture
def room(hub) -> Committer:
    return Committer(hub)


def refusal(call, *args) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        call(*args)
    return caught.value


# --- Prompts and phones ----------------------------------------------------------------------------


def test_a_phone_joining_with_no_prompt_open_is_told_so(hub):
    """welcome names the session and says no prompt is open."""
    assert hub.welcome("device-a") == Welcome("Workshop", None, None)


def test_a_late_joiner_gets_the_open_prompt(hub):
    """A phone that joins after the prompt opened gets it at once."""
    hub.open_prompt("p1", CHOICE)
    assert hub.welcome("device-late") == Welcome("Workshop", OpenPrompt("p1", CHOICE), None)


def test_a_late_joiner_gets_its_own_earlier_answer(hub, room):
    """A phone that reconnects sees the answer it already gave to the open prompt."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Fine"})
    assert hub.welcome("device-a").answer == Choice("Fine")
    assert hub.welcome("device-b").answer is None


def test_opening_a_prompt_closes_the_previous_one(hub):
    """Only one prompt is open at a time."""
    hub.open_prompt("p1", CHOICE)
    hub.open_prompt("p2", TEXT)
    assert hub.current == OpenPrompt("p2", TEXT)
    assert hub.close_prompt() == OpenPrompt("p2", TEXT)
    assert hub.current is None
    assert hub.close_prompt() is None
    assert hub.current_prompt("device-a") == CurrentPrompt(None, None)


def test_connected_counts_distinct_devices(hub):
    """Two tabs of one phone count once; the count drops when its last connection leaves."""
    assert hub.connect("device-a") is True
    assert hub.connect("device-a") is False
    assert hub.connect("device-b") is True
    assert hub.connected == 2
    assert hub.disconnect("device-a") is False
    assert hub.connected == 2
    assert hub.disconnect("device-a") is True
    assert hub.connected == 1


@pytest.mark.parametrize(
    ("prompt_id", "wire"),
    [
        ("p1", {"kind": "talk"}),
        ("p1", {"question": "no kind"}),
        ("p1", {"kind": "choice", "question": "no options"}),
        ("p1", {"kind": "reflection", "ratings": []}),
        ("p1", {"kind": "reflection", "ratings": ["not a table"]}),
        ("", CHOICE),
        ("p" * 101, CHOICE),
    ],
)
def test_the_trainer_cannot_open_a_prompt_phones_could_not_answer(hub, prompt_id, wire):
    """A prompt with an unknown kind or missing parts is a programming error on the trainer's side."""
    with pytest.raises(ValueError, match="prompt"):
        hub.open_prompt(prompt_id, wire)
    assert hub.current is None


def test_the_prompt_data_is_copied(hub):
    """Changing the trainer's dict afterwards does not change what phones see."""
    wire = {"kind": "choice", "question": "Q", "options": ["a", "b"]}
    hub.open_prompt("p1", wire)
    wire["options"].append("c")
    assert check_prompt("p1", wire) != hub.current
    assert hub.current.wire["options"] == ["a", "b"]


# --- Answers -----------------------------------------------------------------------------------------


def test_an_answer_counts_only_once_recorded(hub):
    """receive checks and returns what to store; the answer counts after record (its commit)."""
    hub.open_prompt("p1", CHOICE)
    response = hub.receive("device-a", Answer("answer-01", "p1", {"option": "Scared"}))
    assert response is not None
    assert response.value == Choice("Scared")
    assert hub.respondents("p1") == 0
    assert hub.record(response, 1) is True
    assert hub.respondents("p1") == 1


def test_a_resend_is_acked_without_a_second_response(hub, room):
    """The same answer id from the same device, after it was stored, gives nothing new to store."""
    hub.open_prompt("p1", CHOICE)
    first = room.answer("device-a", "answer-01", "p1", {"option": "Scared"})
    assert hub.receive("device-a", Answer("answer-01", "p1", {"option": "Scared"})) is None
    assert hub.record(first, 99) is False
    assert hub.results("p1").count == 1


def test_a_resend_after_the_prompt_closed_is_still_acked(hub, room):
    """A phone that missed the ack of a stored answer gets it even once the prompt has closed."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Scared"})
    hub.close_prompt()
    assert hub.receive("device-a", Answer("answer-01", "p1", {"option": "Scared"})) is None


def test_answer_ids_are_scoped_to_the_device(hub, room):
    """Another device reusing an answer id is a different answer, not a resend."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Scared"})
    assert room.answer("device-b", "answer-01", "p1", {"option": "Fine"}) is not None
    assert hub.results("p1").count == 2


def test_a_device_may_change_its_answer_and_the_latest_wins(hub, room):
    """A new answer from the same device replaces its earlier one while the prompt is open."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Scared"})
    room.answer("device-a", "answer-02", "p1", {"option": "Fine"})
    results = hub.results("p1")
    assert results.count == 1
    assert dict(results.choices) == {"Scared": 0, "Curious": 0, "Fine": 1}
    assert hub.answer_of("device-a", "p1") == Choice("Fine")


def test_the_latest_commit_wins_whatever_order_it_is_recorded_in(hub):
    """Answers are ordered by the store's sequence number, not by when record is called."""
    hub.open_prompt("p1", CHOICE)
    old = hub.receive("device-a", Answer("answer-01", "p1", {"option": "Scared"}))
    new = hub.receive("device-a", Answer("answer-02", "p1", {"option": "Fine"}))
    hub.record(new, 2)
    hub.record(old, 1)
    assert hub.answer_of("device-a", "p1") == Choice("Fine")


def test_a_pass_is_an_answer_that_can_be_changed(hub, room):
    """Passing counts the device as a respondent; it may answer for real later."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"pass": True})
    assert (hub.results("p1").count, hub.results("p1").passes) == (1, 1)
    room.answer("device-a", "answer-02", "p1", {"option": "Curious"})
    assert (hub.results("p1").count, hub.results("p1").passes) == (1, 0)


def test_an_answer_to_a_closed_prompt_is_refused(hub, room):
    """Once the prompt closes, new answers to it are refused in plain words, with their id."""
    hub.open_prompt("p1", CHOICE)
    hub.open_prompt("p2", TEXT)
    error = refusal(hub.receive, "device-a", Answer("answer-01", "p1", {"option": "Scared"}))
    assert (error.code, error.answer_id) == (ErrorCode.CLOSED, "answer-01")
    assert error.message == "This question is closed: your answer was not saved"
    hub.close_prompt()
    assert refusal(hub.receive, "device-a", Answer("answer-02", "p2", {"text": "x"})).code is ErrorCode.CLOSED


def test_an_answer_to_an_unknown_prompt_is_refused(hub):
    """A prompt id the session never opened is refused, whether or not a prompt is open."""
    error = refusal(hub.receive, "device-a", Answer("answer-01", "p9", {"text": "x"}))
    assert (error.code, error.message) == (ErrorCode.NOT_OPEN, "That question is not open: reload the page")
    hub.open_prompt("p1", TEXT)
    assert (
        refusal(hub.receive, "device-a", Answer("answer-01", "p9", {"text": "x"})).code is ErrorCode.NOT_OPEN
    )


def test_an_answer_that_does_not_fit_the_prompt_is_refused(hub):
    """The value is checked against the open prompt's kind."""
    hub.open_prompt("p1", CHOICE)
    error = refusal(hub.receive, "device-a", Answer("answer-01", "p1", {"option": "Angry"}))
    assert (error.code, error.answer_id) == (ErrorCode.INVALID, "answer-01")


def test_reopening_a_prompt_keeps_its_answers(hub, room):
    """Going back to a step reopens its prompt with the answers it had."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Scared"})
    hub.open_prompt("p2", TEXT)
    hub.open_prompt("p1", CHOICE)
    assert hub.results("p1").count == 1
    assert hub.current_prompt("device-a") == CurrentPrompt(OpenPrompt("p1", CHOICE), Choice("Scared"))


# --- Anonymity ---------------------------------------------------------------------------------------


def test_responses_carry_keyed_hashes_not_device_ids(hub):
    """Neither the device id nor the answer id appears in what is stored."""
    hub.open_prompt("p1", TEXT)
    response = hub.receive("device-secret-id", Answer("answer-secret", "p1", {"text": "hi"}))
    stored = repr(response)
    assert "device-secret-id" not in stored
    assert "answer-secret" not in stored
    assert response.respondent == Keys(SECRET).respondent("p1", "device-secret-id")


def test_one_devices_answers_to_two_prompts_cannot_be_linked():
    """The respondent key differs per prompt, and per session secret."""
    keys = Keys(SECRET)
    assert keys.respondent("p1", "device-a") != keys.respondent("p2", "device-a")
    assert keys.respondent("p1", "device-a") == keys.respondent("p1", "device-a")
    assert Keys(b"t" * 32).respondent("p1", "device-a") != keys.respondent("p1", "device-a")


def test_keys_cannot_be_confused_by_where_parts_are_split():
    """Prompt 'a' with device 'bc' is not prompt 'ab' with device 'c'."""
    keys = Keys(SECRET)
    assert keys.respondent("a", "bc") != keys.respondent("ab", "c")


@settings(max_examples=200)
@given(parts=st.lists(st.text(), min_size=1, max_size=3))
def test_keys_are_the_hmac_of_the_parts_as_json_so_stored_sessions_keep_theirs(parts):
    """Every key is HMAC-SHA256 of its parts as json.dumps writes them: sessions stored by earlier
    versions still recognise their phones' resends and answers."""
    message = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert Keys(SECRET)._hash(*parts) == hmac.new(SECRET, message, hashlib.sha256).hexdigest()


def test_a_device_is_keyed_anew_for_each_prompt_it_answers(hub, room):
    """The hub keeps a phone's key for the open prompt only: the next prompt's is another."""
    hub.open_prompt("p1", TEXT)
    first = room.answer("device-a", "answer-01", "p1", {"text": "one"})
    hub.open_prompt("p2", TEXT)
    second = room.answer("device-a", "answer-02", "p2", {"text": "two"})
    hub.open_prompt("p1", TEXT)
    again = room.answer("device-a", "answer-03", "p1", {"text": "three"})
    assert first.respondent == again.respondent == Keys(SECRET).respondent("p1", "device-a")
    assert second.respondent == Keys(SECRET).respondent("p2", "device-a") != first.respondent


def test_a_short_secret_is_refused():
    """The session secret must be long enough to key the hashes."""
    with pytest.raises(ValueError, match="secret"):
        Keys(b"short")


# --- Results -----------------------------------------------------------------------------------------


def test_results_are_hidden_below_the_threshold(hub, room):
    """Fewer than three real answers (passes do not count) keep results hidden."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Scared"})
    room.answer("device-b", "answer-02", "p1", {"option": "Fine"})
    room.answer("device-c", "answer-03", "p1", {"pass": True})
    results = hub.results("p1")
    assert (results.count, results.passes, results.answered) == (3, 1, 2)
    assert not results.visible
    room.answer("device-d", "answer-04", "p1", {"option": "Fine"})
    assert hub.results("p1").visible


def test_the_threshold_is_configurable():
    """min_responses sets the threshold (e.g. 1 for a rehearsal)."""
    hub = Hub("W", SECRET, min_responses=1)
    hub.open_prompt("p1", TEXT)
    Committer(hub).answer("device-a", "answer-01", "p1", {"text": "x"})
    assert hub.results("p1").visible
    assert hub.results("p1").min_responses == 1


def test_reflection_results_give_a_distribution_and_average_per_question():
    """Each question gets its 1-5 counts and average; nulls and passes are left out."""
    results = tally(
        OpenPrompt("p1", REFLECTION),
        [
            Ratings((5, 1), "good"),
            Ratings((4, None)),
            Ratings((None, None), "only a comment"),
            Pass(),
        ],
        min_responses=1,
    )
    assert results.ratings == (
        RatingResult("Safe?", "No", "Yes", (0, 0, 0, 1, 1), answered=2),
        RatingResult("Useful?", "1", "5", (1, 0, 0, 0, 0), answered=1),
    )
    assert results.ratings[0].average == 4.5
    assert results.ratings[1].average == 1.0
    assert results.ratings[0].answered == 2
    assert results.texts == ("good", "only a comment")
    assert (results.count, results.passes) == (4, 1)


def test_a_question_nobody_rated_has_no_average():
    """No ratings means no average rather than zero."""
    results = tally(OpenPrompt("p1", REFLECTION), [Ratings((None, 3))], min_responses=1)
    assert results.ratings[0].average is None


def test_a_question_rated_by_fewer_than_the_minimum_is_withheld_alone():
    """Four answered the reflection, one skipped question 2: question 2 shows only its count,
    question 1 its distribution (a room of three would otherwise see the two others' ratings)."""
    answers = [Ratings((5, 3)), Ratings((4, 4)), Ratings((4, None)), Ratings((2, None))]
    results = tally(OpenPrompt("p1", REFLECTION), answers, min_responses=3)
    assert results.visible
    first, second = results.ratings
    assert (first.withheld, first.counts, first.average) == (False, (0, 1, 0, 2, 1), 3.8)
    assert (second.withheld, second.counts, second.answered, second.average) == (True, (0,) * 5, 2, None)
    assert results.to_wire()["ratings"][1] == {
        "question": "Useful?",
        "low": "1",
        "high": "5",
        "answered": 2,
        "shown": False,
    }


def test_every_average_rounds_half_up_to_one_decimal():
    """4.25 is 4.3 everywhere (the projector and every report use this one rule)."""
    results = tally(
        OpenPrompt("p1", REFLECTION),
        [Ratings((4, None)), Ratings((4, None)), Ratings((4, None)), Ratings((5, None))],
        min_responses=1,
    )
    assert results.ratings[0].average == 4.3
    assert results.to_wire()["ratings"][0]["average"] == 4.3


def test_choice_results_list_every_option_in_order():
    """Every option appears, in the prompt's order, zeros included."""
    results = tally(OpenPrompt("p1", CHOICE), [Choice("Fine"), Choice("Scared"), Choice("Fine"), Pass()])
    assert results.choices == (("Scared", 1), ("Curious", 0), ("Fine", 2))


def test_word_results_are_case_folded_and_counted_by_respondent():
    """Words differing only in case are one word, shown as first typed."""
    results = tally(
        OpenPrompt("p1", WORDWALL),
        [Words(("KPI", "synergy")), Words(("kpi",)), Words(("KPI", "Synergy")), Words(("deep dive",))],
    )
    assert results.words == (("KPI", 3), ("synergy", 2), ("deep dive", 1))


def test_word_entries_show_the_first_spelling_typed():
    """However many use another spelling, the entry shows the first one typed."""
    assert word_counts([Words(("Agile",)), Words(("agile",)), Words(("AGILE",))]) == (("Agile", 3),)


def test_look_alike_spellings_count_as_one_entry():
    """Eight spellings of "trust" (case, spaces, full-width letters, zero-width and format
    characters) are one entry on the wall, shown as first typed."""
    spellings = [
        "trust",
        "Trust",
        "TRUST",
        " trust ",
        "ｔｒｕｓｔ",
        "tr\u200bust",
        "\ufefftrust",
        "tru\u00adst",
    ]
    assert word_counts([Words((spelling,)) for spelling in spellings]) == (("trust", 8),)


def test_entries_with_equal_counts_keep_the_order_they_were_first_given():
    """Ties are broken by which entry came first, not alphabetically."""
    assert word_counts([Words(("zeal", "apple"))]) == (("zeal", 1), ("apple", 1))


def test_text_results_keep_texts_in_the_order_last_answered(hub, room):
    """Texts are listed in the order of each respondent's latest answer, verbatim."""
    hub.open_prompt("p1", TEXT)
    room.answer("device-a", "answer-01", "p1", {"text": "first"})
    room.answer("device-b", "answer-02", "p1", {"text": "[bold red]x[/]"})
    room.answer("device-a", "answer-03", "p1", {"text": "changed"})
    room.answer("device-c", "answer-04", "p1", {"pass": True})
    assert hub.results("p1").texts == ("[bold red]x[/]", "changed")


PROMPTS = {"p1": REFLECTION, "p2": CHOICE, "p3": WORDWALL, "p4": TEXT}
VALUES = {
    "p1": st.builds(
        Ratings,
        st.tuples(*[st.none() | st.integers(1, 5)] * 2),
        st.sampled_from([None, "", "calm", "more breaks", "calm"]),
    ),
    "p2": st.builds(Choice, st.sampled_from(CHOICE["options"])),
    "p3": st.builds(
        Words,
        st.lists(
            st.sampled_from(["KPI", "kpi", " Kpi ", "synergy", "SYNERGY", "deep dive", "Deep  Dive"]),
            max_size=3,
        ).map(tuple),
    ),
    "p4": st.builds(Text, st.sampled_from(["first", "second", "third", "first"])),
}


@st.composite
def recordings(draw):
    """Answers to all four prompts by a few respondents, then the order the store commits them in:
    sequence numbers out of order (even equal), later answers replacing earlier ones, old ones late,
    and resends of answers already recorded."""
    answers = draw(
        st.lists(
            st.sampled_from(sorted(PROMPTS)).flatmap(
                lambda prompt_id: st.tuples(
                    st.just(prompt_id),
                    st.sampled_from("abcde"),
                    st.just(Pass()) | VALUES[prompt_id],
                )
            ),
            min_size=1,
            max_size=16,
        )
    )
    records = st.tuples(st.integers(0, len(answers) - 1), st.integers(1, 40))
    return [
        (Response(prompt_id, f"respondent-{who}", f"answer-{index}", value), seq)
        for index, seq in draw(st.lists(records, max_size=30))
        for prompt_id, who, value in [answers[index]]
    ]


@settings(max_examples=300, deadline=None)
@given(records=recordings(), min_responses=st.integers(0, 3))
def test_results_kept_as_answers_are_recorded_are_the_tally_of_the_current_answers(records, min_responses):
    """After every record, each prompt's results equal tally() of each respondent's latest answer
    (the highest sequence number; recorded first among equal ones), ordered by sequence number:
    whatever order answers are committed and recorded in, replaced or resent."""
    hub = Hub("Workshop", SECRET, min_responses=min_responses)
    for prompt_id, wire in PROMPTS.items():
        hub.open_prompt(prompt_id, wire)
    recorded: set[str] = set()
    latest: dict[str, dict[str, tuple[int, AnswerValue]]] = {prompt_id: {} for prompt_id in PROMPTS}
    for response, seq in records:
        new = response.answer_key not in recorded
        assert hub.record(response, seq) == new
        recorded.add(response.answer_key)
        current = latest[response.prompt_id]
        if new and (response.respondent not in current or seq > current[response.respondent][0]):
            current[response.respondent] = (seq, response.value)
        for prompt_id, wire in PROMPTS.items():
            answers = [value for _, value in sorted(latest[prompt_id].values(), key=lambda answer: answer[0])]
            assert hub.results(prompt_id) == tally(OpenPrompt(prompt_id, wire), answers, min_responses)
    restored = Hub.restore(
        "Workshop",
        SECRET,
        [hub.prompt(p) for p in PROMPTS],
        [(seq, r) for r, seq in records],
        min_responses=min_responses,
    )
    assert [restored.results(p) for p in PROMPTS] == [hub.results(p) for p in PROMPTS]


def test_results_are_built_again_only_after_an_answer_changed_them(hub, room):
    """Asking for results again costs nothing until an answer is recorded; a resend changes nothing."""
    hub.open_prompt("p1", REFLECTION)
    room.answer("device-a", "answer-01", "p1", {"ratings": [4, None], "comment": "calm"})
    first = hub.results("p1")
    assert hub.results("p1") is first
    assert room.answer("device-a", "answer-01", "p1", {"ratings": [4, None]}) is None
    assert hub.results("p1") is first
    room.answer("device-a", "answer-02", "p1", {"ratings": [5, None]})
    assert hub.results("p1").ratings[0].answered == 1
    assert hub.results("p1").texts == ()


def test_an_answer_recorded_late_takes_the_place_of_its_sequence_number(hub):
    """The store may commit answers in one order and the hub record them in another: texts are
    listed by sequence number all the same, and a respondent's older answer arriving late is ignored."""
    hub.open_prompt("p1", TEXT)

    def response(device: str, answer_id: str, text: str) -> Response:
        return hub.receive(device, Answer(answer_id, "p1", {"text": text}))

    hub.record(response("device-a", "answer-01", "third"), 3)
    hub.record(response("device-b", "answer-02", "first"), 1)
    assert hub.results("p1").texts == ("first", "third")
    hub.record(response("device-c", "answer-03", "second"), 2)
    hub.record(response("device-a", "answer-04", "older"), 0)
    assert hub.results("p1").texts == ("first", "second", "third")
    hub.record(response("device-b", "answer-05", "fourth"), 4)
    assert hub.results("p1").texts == ("second", "third", "fourth")


def test_results_follow_a_prompt_reopened_with_other_data(hub, room):
    """Reopening a prompt under the same id with edited data keeps its answers, shown with the new data."""
    hub.open_prompt("p1", CHOICE)
    room.answer("device-a", "answer-01", "p1", {"option": "Fine"})
    assert hub.results("p1").choices == (("Scared", 0), ("Curious", 0), ("Fine", 1))
    hub.open_prompt("p1", {**CHOICE, "question": "And now?", "options": ["Fine", "Tired"]})
    assert (hub.results("p1").question, hub.results("p1").choices) == (
        "And now?",
        (("Fine", 1), ("Tired", 0)),
    )


def test_results_of_an_unknown_prompt_are_a_key_error(hub):
    """Asking for a prompt that never opened is a programming error."""
    with pytest.raises(KeyError):
        hub.results("p9")


def test_results_of_a_closed_prompt_stay_available(hub, room):
    """Closing a prompt keeps its results for the projector and the report."""
    hub.open_prompt("p1", TEXT)
    room.answer("device-a", "answer-01", "p1", {"text": "x"})
    hub.close_prompt()
    assert hub.results("p1").texts == ("x",)
    assert hub.prompt_ids == ("p1",)


# --- After a crash -----------------------------------------------------------------------------------


def test_a_restored_hub_is_the_hub_it_was(hub):
    """Folding the stored prompts and responses back gives the same results and the same open prompt."""
    hub.open_prompt("p1", CHOICE)
    stored = []
    for device, answer_id, option in [
        ("a", "answer-01", "Scared"),
        ("b", "answer-02", "Fine"),
        ("a", "answer-03", "Fine"),
    ]:
        response = hub.receive(f"device-{device}", Answer(answer_id, "p1", {"option": option}))
        stored.append((len(stored) + 1, response))
        hub.record(response, len(stored))
    hub.open_prompt("p2", TEXT)

    restored = Hub.restore(
        "Workshop", SECRET, [OpenPrompt("p1", CHOICE), OpenPrompt("p2", TEXT)], stored, "p2"
    )
    assert restored.results("p1") == hub.results("p1")
    assert restored.current == OpenPrompt("p2", TEXT)
    assert restored.receive("device-a", Answer("answer-03", "p1", {"option": "Fine"})) is None
    assert restored.answer_of("device-a", "p1") == Choice("Fine")


def test_entries_the_trainer_hid_never_reach_the_closing_summary(hub, room):
    """finish drops the hidden entries of each shared prompt: texts as given, word-wall entries
    whatever their case; the counts stay."""
    hub.open_prompt("p1", TEXT)
    for device, text in (("a", "We listen"), ("b", "Ask Sam at 12 Elm St"), ("c", "Trust takes time")):
        room.answer(f"device-{device}", f"answer-{device}", "p1", {"text": text})
    hub.open_prompt("p2", WORDWALL)
    for device in "abc":
        room.answer(f"device-{device}", f"answer-w{device}", "p2", {"words": ["Jargon", "Sam Smith"]})
    closing = hub.finish(
        ["p1", "p2"], {"p1": frozenset({"Ask Sam at 12 Elm St"}), "p2": frozenset({"SAM smith"})}
    )
    assert closing is not None
    texts, words = closing.results
    assert texts["texts"] == ["We listen", "Trust takes time"]
    assert texts["count"] == 3
    assert words["words"] == [{"word": "Jargon", "count": 3}]
    assert "Ask Sam" not in closing.encode()
    assert "Sam Smith" not in closing.encode()


# --- Walls that stay open --------------------------------------------------------------------------


def test_a_wall_kept_open_stays_answerable_while_another_prompt_is_open(hub, room):
    """A stay-open wall takes answers beside the open prompt; its answers and tally are its own."""
    hub.open_prompt("p1", WORDWALL)
    assert hub.keep_open({"p1": WORDWALL})
    hub.open_prompt("p2", TEXT)
    room.answer("phone-a", "answer-01", "p1", {"words": ["CPS"]})
    room.answer("phone-a", "answer-02", "p2", {"text": "fine"})
    assert hub.results("p1").words == (("CPS", 1),)
    assert hub.results("p2").answered == 1
    message = hub.current_prompt("phone-a")
    assert message.prompt.id == "p2"
    assert [(prompt.id, answer) for prompt, answer in message.staying] == [("p1", Words(("CPS",)))]
    assert hub.welcome("phone-b").staying == ((hub.prompt("p1"), None),)


def test_a_closed_wall_refuses_answers_and_is_no_longer_offered(hub, room):
    """Once the trainer stops keeping it open, a wall is closed like any other prompt."""
    hub.open_prompt("p1", WORDWALL)
    hub.keep_open({"p1": WORDWALL})
    hub.open_prompt("p2", TEXT)
    assert hub.keep_open({})
    assert not hub.keep_open({})  # nothing changed: phones need not be told again
    assert refusal(room.answer, "phone-a", "answer-01", "p1", {"words": ["CPS"]}).code is ErrorCode.CLOSED
    assert hub.current_prompt("phone-a").staying == ()


def test_the_open_prompt_is_never_also_listed_as_staying(hub):
    """On its own step a stay-open wall is the open prompt, once."""
    hub.open_prompt("p1", WORDWALL)
    hub.keep_open({"p1": WORDWALL})
    assert hub.staying == ()
    assert hub.current_prompt("phone-a").prompt.id == "p1"
