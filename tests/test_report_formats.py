"""The four report formats, from a session made by a real run: the real server, the projector app
under Pilot, phones and room links over websockets, then ``facilitate report`` for each format."""

import csv
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from playwright.async_api import async_playwright

from facilitator.cli import main
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.report import build_report, to_json
from facilitator.domain.report_csv import to_csv
from facilitator.domain.report_html import to_html
from facilitator.domain.report_markdown import escaped, to_markdown
from facilitator.live.reports import write_reports
from participant.core.notes import Note
from participant.core.text import clean_text
from participant.core.wire import Choice, Text, Words
from participant.io.store import open_session
from tests.sample_agendas import GOOD
from tests.test_report_back import BREAKOUT, room
from tests.workshops import CHOICE, REFLECTION, TEXT, WORDWALL, new_store

SHARE = 8  # "Share one thing" in GOOD
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[bold red]x[/]",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "a\x1b[31mred\u202eevil\x07 line",
]
SHOWN = [clean_text(text) for text in HOSTILE]
"""The hostile texts as stored: control and bidirectional override characters are dropped on the way in."""
NEVER = ("\x1b", "\x07", "\u202e")
FORMATS = ("html", "md", "csv", "json")


@pytest.fixture
async def session(workshop, tmp_path):
    """A session where eight phones answered every question with hostile text and two rooms wrote
    notes: its id; the data folder is ``tmp_path``."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test(size=(140, 44)) as pilot:
        phones = [await workshop.phone() for _ in HOSTILE]
        await workshop.goto(pilot, BREAKOUT)
        for number, texts in {1: HOSTILE, 2: ["Shared goals", "Trust"]}.items():
            device = await room(workshop, number)
            for n, text in enumerate(texts):
                reply = await device.call({"type": "note_add", "id": f"room{number}-note{n}", "text": text})
                assert reply["type"] == "ack", reply
        answers = {
            REFLECTION: lambda n, text: {"ratings": [5 - n % 5, 4 if n < 2 else None], "comment": text},
            CHOICE: lambda n, text: (
                {"pass": True} if n == 0 else {"option": ["Scared", "Happy", "Sad"][n % 3]}
            ),
            WORDWALL: lambda n, text: {"words": [text[:40], "jargon"]},
            TEXT: lambda n, text: {"text": text},
            SHARE: lambda n, text: {"text": text},
        }
        for step, value in answers.items():
            await workshop.goto(pilot, step)
            for n, (phone, text) in enumerate(zip(phones, HOSTILE, strict=True)):
                reply = await phone.answer(f"step-{step + 1}", value(n, text))
                assert reply["type"] == "ack", reply
    await workshop.close_server()
    store.close()
    return store.session.id


def export(session_id: str, data: Path, format: str) -> str:
    path = data / f"report.{format}"
    assert main(["report", session_id, "--data", str(data), "--format", format, "-o", str(path)]) == 0
    return path.read_bytes().decode("utf-8")


class Tags(HTMLParser):
    """The tags and attributes of an HTML text, and its text as a reader sees it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


def assert_inert_markup(markup: str) -> str:
    """No tag or attribute that could run, load or link anything; the text a reader sees."""
    parsed = Tags(markup)
    assert not parsed.tags & {"script", "img", "a", "iframe", "object", "embed", "link", "base"}
    assert not {name for name in parsed.attributes if name.startswith("on") or name in ("href", "src")}
    return "".join(parsed.text)


async def test_every_format_from_a_real_session(session, tmp_path):
    """After a real run: JSON (version 1) with every part, HTML and Markdown with each question's
    results and the notes, and the CSV with its header."""
    data = json.loads(export(session, tmp_path, "json"))
    assert data["version"] == 1
    assert {p["step"]: p["answers"] for p in data["prompts"]} == {3: 8, 4: 8, 6: 8, 7: 8, 9: 8}
    reflection = data["prompts"][0]["results"]["ratings"]
    assert [r["shown"] for r in reflection] == [True, False]  # question 2 rated by two phones only
    assert len(data["answers"]) == 40
    assert "respondent" not in json.dumps(data)

    html = export(session, tmp_path, "html")
    text = assert_inert_markup(html)
    assert html.count('<section class="group question">') == 5
    assert html.count("<svg") == 2  # one rating chart (question 2 withheld), one choice chart
    assert "rated by 2, fewer than 3: not shown." in text
    assert "Notes by theme" in text
    assert "Notes by room" in text
    assert "Shared goals" in text
    assert "<script" not in html.lower()

    markdown = export(session, tmp_path, "md")
    assert "## Agenda as run" in markdown
    assert "| Option | Count |" in markdown
    assert "### Notes by room" in markdown

    table = export(session, tmp_path, "csv")
    assert table.startswith(
        '\ufeff"step","step title","question","value or text","seconds into the step"\r\n'
    )


async def test_hostile_text_is_inert_in_every_format(session, tmp_path):
    """Markup, Rich markup, control and bidi characters and spreadsheet formulas come out as text."""
    texts = {format: export(session, tmp_path, format) for format in FORMATS}
    for format, text in texts.items():
        assert not any(character in text for character in NEVER), format

    seen = assert_inert_markup(texts["html"])
    assert all(hostile in seen for hostile in SHOWN)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in texts["html"]
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in texts["html"]

    rendered = MarkdownIt("commonmark").enable("table").render(texts["md"])
    seen = assert_inert_markup(rendered)
    assert all(hostile in seen for hostile in SHOWN)
    assert "<em>" not in rendered
    assert "<strong>bold" not in rendered

    assert all(hostile in texts["json"] for hostile in (json.dumps(s)[1:-1] for s in SHOWN))

    cells = [cell for row in csv.reader(io.StringIO(texts["csv"])) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    for formula in ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"):
        assert f"'{formula}" in cells
    assert "<script>alert(1)</script>" in cells  # text, exactly as typed


async def test_csv_has_one_row_per_stored_answer(session, tmp_path):
    """Read back with csv: a row per stored answer (per rating question and comment of a reflection,
    per word of a word wall), counted from the database; no ids or hashes."""
    with open_session(session, data_dir=tmp_path) as store:
        stored = [response.value.to_wire() for _, response in store.responses()]
        hashes = {part for _, r in store.responses() for part in (r.respondent, r.answer_key)}
    questions = len(parse_agenda(GOOD).steps[REFLECTION].prompt.ratings)
    expected = sum(
        len(value["words"])
        if "words" in value
        else questions + bool(value.get("comment"))
        if "ratings" in value
        else 1
        for value in stored
    )
    text = export(session, tmp_path, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == expected
    assert sum(row["value or text"] == "pass" for row in rows) == 1
    withheld = [row["value or text"] for row in rows if row["question"] == "How much do I experience trust?"]
    assert withheld == [""] * 8  # rated by two only: withheld, as in the other formats
    assert {row["seconds into the step"] for row in rows} == {""}
    assert not any(h in text for h in hashes)
    assert re.search(r'^3,"Rate the alliance","How well are we collaborating\?",5,""', text, re.M)


def test_place_is_read_from_the_agenda():
    """An agenda may say where the workshop is held; the reports print it."""
    agenda = parse_agenda(GOOD.replace('start = "8:00"', 'start = "8:00"\nplace = "Town hall, room 2"'))
    assert agenda.place == "Town hall, room 2"
    assert parse_agenda(GOOD).place is None


PAGES = re.compile(rb"/Type\s*/Page\b(?!s)")


@pytest.mark.browser
async def test_the_html_report_in_chromium(session, tmp_path, chromium_launch_options):
    """Headless Chromium opens the HTML report offline: no console errors, no request but the file
    itself; a screenshot; PDFs on A4 and Letter with every question kept in one piece."""
    export(session, tmp_path, "html")
    url = (tmp_path / "report.html").as_uri()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_launch_options)
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        requests, errors = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(url)
        shot = tmp_path / "report.png"
        await page.screenshot(path=str(shot), full_page=True)
        breaks = await page.eval_on_selector_all(
            ".group, figure", "nodes => nodes.map(node => getComputedStyle(node).breakInside)"
        )
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        pdfs = {size: await page.pdf(format=size) for size in ("A4", "Letter")}
        await browser.close()
    assert errors == []
    assert requests == [url]
    assert shot.stat().st_size > 20_000
    assert len(breaks) > 10
    assert set(breaks) == {"avoid"}
    assert overflow <= 0  # readable on a phone: nothing wider than the screen
    for size, pdf in pdfs.items():
        assert pdf.startswith(b"%PDF")
        assert 2 <= len(PAGES.findall(pdf)) <= 30, size


def sample_report():
    """A report built directly (no session): two steps over time, one not run, phones and place."""
    agenda = parse_agenda(GOOD.replace('start = "8:00"', 'start = "8:00"\nplace = "Town hall, room 2"'))
    return build_report(
        agenda,
        session="20261122-080000-abcd",
        created=datetime(2026, 11, 22, 8, 0),
        results={},
        notes=[Note("step-2", 1, "a", "Trust built over years")],
        groupings={},
        rooms={},
        min_responses=3,
        timings=[720, 960, 300, 120, None, None, None, None, None],
        phones=18,
    )


def test_the_agenda_as_run_shows_planned_and_real_minutes_with_overruns_marked():
    """Steps that ran over are marked in HTML and Markdown; a step not run says so; the date,
    place and phones that joined head the report."""
    report = sample_report()
    assert [s["real_minutes"] for s in report["steps"][:5]] == [12, 16, 5, 2, None]
    html = to_html(report)
    assert html.count('<tr class="over">') == 2
    assert "<td>over by 2 min</td>" in html
    assert "<td>over by 1 min</td>" in html
    assert "<td>not run</td>" in html
    assert "<dt>Place</dt><dd>Town hall, room 2</dd>" in html
    assert "<dt>Phones joined</dt><dd>18</dd>" in html
    assert "<dt>Date</dt><dd>22 November 2026, 08:00</dd>" in html
    markdown = to_markdown(report)
    row = ("**2**", "**Why we work well together**", "**breakout**", "**15 min**", "**16 min**")
    assert f"| {' | '.join(row)} | **over by 1 min** |" in markdown
    assert "- **Phones joined:** 18" in markdown


def test_the_html_report_needs_nothing_from_the_network_and_runs_nothing():
    """No URL, import, script, link or external resource of any kind in the template."""
    html = to_html(sample_report()).lower()
    for needle in ("http", "url(", "@import", "<script", "<link", "src=", "href=", "<img", "javascript"):
        assert needle not in html, needle
    assert '<meta name="viewport"' in html
    assert "@page" in html
    assert "break-inside: avoid" in html


def test_markdown_escapes_what_would_become_formatting():
    """Links, images, emphasis, headings, lists, HTML and table breaks stay literal text."""
    typed = "# [x](http://e) ![i](y) *a* _b_ `c` <b>d</b> e|f 1. g\n- h"
    rendered = MarkdownIt("commonmark").enable("table").render(escaped(typed))
    assert_inert_markup(rendered)
    assert not re.search(r"<(h1|em|strong|code|b|ol|ul|li|table)\b", rendered)
    assert "e|f" in rendered


def test_answers_under_the_threshold_are_left_out_of_the_data():
    """A prompt with too few answers lists none of them, so the CSV and JSON cannot show them."""
    agenda = parse_agenda(GOOD)
    answers = [("step-7", Text("only me"), None), ("step-7", Text("and me"), None)]
    answers += [("step-4", Choice("Sad"), None)] + [("step-4", Choice("Happy"), None)] * 2
    results = {"step-7": {"count": 2, "passes": 0}, "step-4": {"count": 3, "passes": 0}}
    report = build_report(
        agenda,
        session="s",
        created=datetime(2026, 11, 22, 8, 0),
        results=results,
        notes=[],
        groupings={},
        rooms={},
        min_responses=3,
        answers=answers,
    )
    assert [answer["step"] for answer in report["answers"]] == [4, 4, 4]
    assert "only me" not in to_csv(report)


def test_write_reports_writes_all_four_at_once_from_several_threads(tmp_path):
    """All four files beside the session, whole, even when exports run at the same moment."""
    report = sample_report()
    with ThreadPoolExecutor(4) as pool:
        written = list(pool.map(lambda _: write_reports(report, tmp_path, "session"), range(4)))
    assert all(
        [p.name for p in paths] == [f"session.{s}" for s in ("html", "md", "csv", "json")]
        for paths in written
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written[0])
    assert json.loads((tmp_path / "session.json").read_text(encoding="utf-8")) == report


def test_each_answer_says_how_many_seconds_into_its_step_it_came():
    """The seconds from the step's first start to the answer, in the JSON and the CSV; empty when
    the time is unknown (a file from before answers were timed)."""
    agenda = parse_agenda(GOOD)
    start = datetime(2026, 11, 22, 8, 40)
    answers = [
        ("step-4", Choice("Happy"), start + timedelta(seconds=41)),
        ("step-4", Choice("Happy"), start + timedelta(seconds=75)),
        ("step-4", Choice("Sad"), None),
    ]
    report = build_report(
        agenda,
        session="s",
        created=start,
        results={"step-4": {"count": 3, "passes": 0, "choices": []}},
        notes=[],
        groupings={},
        rooms={},
        min_responses=3,
        answers=answers,
        started=[None, None, None, start, *[None] * (len(agenda.steps) - 4)],
    )
    assert [answer["seconds"] for answer in report["answers"]] == [41, 75, None]
    rows = list(csv.reader(io.StringIO(to_csv(report).lstrip("\ufeff"))))
    assert [row[-1] for row in rows[1:]] == ["41", "75", ""]


def test_seconds_into_the_step_compare_a_zoned_answer_time_with_a_local_step_start():
    """The store stamps answers with their time zone; the runner's start is local time without one."""
    start = datetime(2026, 11, 22, 8, 40)
    came = (start + timedelta(seconds=30)).astimezone()
    report = build_report(
        parse_agenda(GOOD),
        session="s",
        created=start,
        results={"step-4": {"count": 3, "passes": 0, "choices": []}},
        notes=[],
        groupings={},
        rooms={},
        min_responses=3,
        answers=[("step-4", Choice("Happy"), came)] * 3,
        started=[None, None, None, start, *[None] * 5],
    )
    assert [answer["seconds"] for answer in report["answers"]] == [30, 30, 30]


@pytest.mark.parametrize("mode", ["omit", "mark"])
def test_answers_the_trainer_hid_are_left_out_or_marked(mode):
    """ "omit" leaves a hidden answer out of every format; "mark" lists it, marked as hidden by the
    trainer (JSON: the results' and the answer row's ``hidden``; CSV and HTML/Markdown: a prefix)."""
    texts = ["We listen", "Ask Sam at 12 Elm St", "Trust takes time"]
    words = ["Jargon", "Sam Smith"]
    report = build_report(
        parse_agenda(GOOD),
        session="s",
        created=datetime(2026, 11, 22, 8, 0),
        results={
            "step-7": {"count": 3, "passes": 0, "texts": texts},
            "step-6": {"count": 3, "passes": 0, "words": [{"word": w, "count": 3} for w in words]},
        },
        notes=[],
        groupings={},
        rooms={},
        min_responses=3,
        answers=[("step-7", Text(text), None) for text in texts]
        + [("step-6", Words(tuple(words)), None) for _ in range(3)],
        hidden={"step-7": frozenset({"Ask Sam at 12 Elm St"}), "step-6": frozenset({"SAM smith"})},
        hidden_mode=mode,
    )
    prompts = {prompt["step"]: prompt for prompt in report["prompts"]}
    text_rows = [row for row in report["answers"] if row["step"] == 7]
    if mode == "omit":
        assert prompts[7]["results"]["texts"] == ["We listen", "Trust takes time"]
        assert prompts[6]["results"]["words"] == [{"word": "Jargon", "count": 3}]
        assert len(text_rows) == 2
        for text in (to_json(report), to_csv(report), to_markdown(report), to_html(report)):
            assert "Ask Sam" not in text
            assert "Sam Smith" not in text
    else:
        assert prompts[7]["results"]["hidden"] == ["Ask Sam at 12 Elm St"]
        assert prompts[6]["results"]["hidden"] == ["Sam Smith"]
        assert [row.get("hidden") for row in text_rows] == [None, ["Ask Sam at 12 Elm St"], None]
        assert '"[hidden by the trainer] Ask Sam at 12 Elm St"' in to_csv(report)
        assert '"[hidden by the trainer] Sam Smith"' in to_csv(report)
        assert "[hidden by the trainer] Ask Sam at 12 Elm St" in to_markdown(report).replace("\\", "")
        assert "[hidden by the trainer] Sam Smith" in to_html(report)
