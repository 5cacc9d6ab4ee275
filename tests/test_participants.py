"""The projector with the real participant server: prompts follow the agenda, results go live,
the session survives a restart. Real sockets on 127.0.0.1, the real app under Pilot."""

import errno
import json

from facilitator.domain.saved_state import SavedState
from facilitator.domain.workshop import ReportsWritten
from participant.io.store import open_session
from tests.workshops import BOTH_LOOPS, CHOICE, REFLECTION, TEXT, WORDWALL, new_store

pytestmark = BOTH_LOOPS


async def test_phones_get_the_prompt_of_the_current_step_and_nothing_on_other_steps(workshop, tmp_path):
    """Moving to a reflection opens its prompt on phones; moving to a break closes it."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        phone = await workshop.phone()
        assert phone.welcome["prompt"] is None
        await workshop.goto(pilot, REFLECTION)
        opened = await phone.receive()
        assert opened["type"] == "prompt"
        assert opened["prompt"]["id"] == "step-3"
        assert opened["prompt"]["ratings"][0]["text"] == "How well are we collaborating?"
        await pilot.press("n")
        assert (await phone.receive())["prompt"]["options"] == ["Scared", "Happy", "Sad"]
        await pilot.press("n")
        assert (await phone.receive())["prompt"] is None


async def test_late_joiner_gets_the_open_prompt(workshop, tmp_path):
    """A phone that joins mid-step sees the step's prompt at once."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        await workshop.goto(pilot, CHOICE)
        phone = await workshop.phone()
        assert phone.welcome["prompt"]["id"] == "step-4"


async def test_results_stay_hidden_until_revealed_and_until_three_answers(workshop, tmp_path):
    """The count shows at once; answers only after r, and never for fewer than three."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        await workshop.goto(pilot, CHOICE)
        phones = [await workshop.phone() for _ in range(4)]
        for phone, option in zip(phones[:2], ["Scared", "Happy"], strict=True):
            assert (await phone.answer("step-4", {"option": option}))["type"] == "ack"
        text = workshop.results()
        assert "2 of 4 phones answered" in text
        assert "Results hidden" in text
        assert "Scared" not in text
        await pilot.press("r")
        assert "Results appear from 3 answers" in workshop.results()
        await phones[2].answer("step-4", {"option": "Happy"})
        await phones[3].answer("step-4", {"pass": True})
        text = workshop.results()
        assert "4 of 4 phones answered · 1 passed" in text
        assert "Happy" in text
        assert "Scared" in text


async def test_participant_text_is_shown_as_typed(workshop, tmp_path):
    """Markup and escape sequences typed on a phone reach the projector as plain text."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        await workshop.goto(pilot, TEXT)
        phones = [await workshop.phone() for _ in range(3)]
        typed = ["[bold red]x[/]", "\x1b[2Jcleared?", "<b>html</b>"]
        for phone, text in zip(phones, typed, strict=True):
            assert (await phone.answer("step-7", {"text": text}))["type"] == "ack"
        await pilot.press("r")
        text = workshop.results()
        assert "[bold red]x[/]" in text
        assert "[2Jcleared?" in text
        assert "\x1b" not in text
        assert "<b>html</b>" in text


async def test_word_wall_and_reflection_results(workshop, tmp_path):
    """Words are counted case-insensitively; ratings show their average, and a question rated by
    fewer than three shows only how many rated it."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        await workshop.goto(pilot, REFLECTION)
        phones = [await workshop.phone() for _ in range(3)]
        for phone, (a, b) in zip(phones, [(5, 4), (4, 4), (3, None)], strict=True):
            assert (await phone.answer("step-3", {"ratings": [a, b]}))["type"] == "ack"
        await pilot.press("r")
        text = workshop.results()
        assert "avg 4.0" in text  # question 1: three ratings
        assert "2 rated it: too few to show" in text  # question 2: one phone skipped it
        assert "avg 4.0" not in text.split("2. How much", 1)[1]
        await workshop.goto(pilot, WORDWALL)
        for phone, words in zip(phones, [["ITP", "ISP"], ["itp"], ["assessment"]], strict=True):
            assert (await phone.answer("step-6", {"words": words}))["type"] == "ack"
        await pilot.press("r")
        assert "ITP 2" in workshop.results()


async def test_resume_continues_the_step_its_time_and_its_answers(workshop, tmp_path):
    """After the projector stops, --resume brings back the step, its time left, reveals and answers."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test() as pilot:
        await pilot.press("space")
        await workshop.goto(pilot, CHOICE)
        workshop.clock.advance(45)
        phone = await workshop.phone("phone-that-comes-back-01")
        await phone.answer("step-4", {"option": "Sad"})
        await pilot.press("r")
        remaining = app.workshop.runner.remaining()
    await workshop.close_server()
    store.close()

    reopened = open_session(store.session.id, data_dir=tmp_path)
    saved = SavedState.from_store(reopened.load_state())
    app = await workshop.start(reopened, saved)
    async with app.run_test():
        assert app.workshop.runner.index == CHOICE
        assert app.workshop.runner.remaining() == remaining
        assert CHOICE in app.workshop.saved_state().revealed
        again = await workshop.phone("phone-that-comes-back-01")
        assert again.welcome["prompt"]["id"] == "step-4"
        assert again.welcome["answer"] == {"option": "Sad"}
        assert "1 of 1 phone answered" in workshop.results()
    reopened.close()


async def test_nothing_a_phone_sends_moves_the_agenda(workshop, tmp_path):
    """Messages that try to move the agenda or open a prompt are refused; the step and prompt stay."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        await workshop.goto(pilot, CHOICE)
        phone = await workshop.phone()
        attempts = [
            {"type": "next"},
            {"type": "open_prompt", "id": "step-7", "prompt": {"kind": "text", "question": "?"}},
            {"type": "answer", "id": "answer-0001", "prompt": "step-7", "value": {"text": "x"}},
            {"type": "note_add", "id": "note-0001", "text": "x"},
            {"type": "hello", "device": phone.device, "step": 9},
        ]
        replies = [await phone.request(message) for message in attempts]
        assert [reply["type"] for reply in replies] == ["error", "error", "error", "error", "welcome"]
        await pilot.pause()
        assert app.workshop.runner.index == CHOICE
        assert workshop.server.hub.current.id == "step-4"


async def test_a_store_that_cannot_write_shows_the_trainer_a_banner_until_it_can(workshop, tmp_path):
    """The disk fills up: the phone is told its answer was not saved, and the projector shows what
    failed, the file, and what to do, until a write succeeds again."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test() as pilot:
        await workshop.goto(pilot, CHOICE)
        phone = await workshop.phone()
        banner = app.query_one("#storage-problem")
        store.inject_write_failure(OSError(errno.ENOSPC, "No space left on device"))
        refused = await phone.answer("step-4", {"option": "Happy"})
        assert refused["type"] == "error"
        assert refused["code"] == "not_saved"
        await pilot.pause()
        assert banner.display
        shown = str(banner.render())
        assert str(store.path) in shown
        assert "disk is full" in shown
        store.inject_write_failure(None)
        assert (await phone.answer("step-4", {"option": "Happy"}))["type"] == "ack"
        await pilot.pause()
        assert not banner.display


async def test_x_exports_every_format_beside_the_session_mid_workshop(workshop, tmp_path):
    """Mid-workshop, x writes the HTML, Markdown, CSV and JSON reports beside the session file,
    with the answers so far and the step's real time."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test() as pilot:
        await pilot.press("space")
        await workshop.goto(pilot, CHOICE)
        for feeling in ("Happy", "Happy", "Sad"):
            phone = await workshop.phone()
            assert (await phone.answer("step-4", {"option": feeling}))["type"] == "ack"
        workshop.clock.advance(60)
        told = []
        app.workshop.subscribe(told.append)
        await pilot.press("x")
        await app.background.idle()
        written = [store.path.with_suffix(suffix) for suffix in (".html", ".md", ".csv", ".json")]
        assert all(path.exists() for path in written)
        report = json.loads(written[-1].read_text(encoding="utf-8"))
        check_in = next(p for p in report["prompts"] if p["step"] == CHOICE + 1)
        assert check_in["answers"] == 3
        assert report["steps"][CHOICE]["real_minutes"] == 1.0
        assert report["phones"] == 3
        assert told[-1] == ReportsWritten(tuple(map(str, written)))


async def test_an_answer_hidden_by_the_trainer_stays_hidden_after_resume(workshop, tmp_path):
    """h on a revealed text wall is saved with the session: --resume keeps it off the wall."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test() as pilot:
        await workshop.goto(pilot, TEXT)
        for text in ["We listen", "Ask Sam at 12 Elm St", "Trust takes time"]:
            phone = await workshop.phone()
            await phone.answer(f"step-{TEXT + 1}", {"text": text})
        await pilot.press("r")
        await pilot.pause()
        app.workshop.hide("Ask Sam at 12 Elm St")
        await pilot.pause()
        assert "Ask Sam" not in workshop.results()
    await workshop.close_server()
    store.close()

    reopened = open_session(store.session.id, data_dir=tmp_path)
    saved = SavedState.from_store(reopened.load_state())
    app = await workshop.start(reopened, saved)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.workshop.results().hidden == {"Ask Sam at 12 Elm St"}
        assert "We listen" in workshop.results()
        assert "Ask Sam" not in workshop.results()
    reopened.close()
