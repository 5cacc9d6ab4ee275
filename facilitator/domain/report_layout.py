"""What a readable report says, in reading order, as blocks the HTML and Markdown renderers format.

One place decides the sections, their wording and order; a renderer decides only how each block
looks. Texts in blocks are as stored, participant text included: a renderer shows every one of
them through :func:`shown` and its own escaping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from participant.core.tallies import AVERAGE_DECIMALS
from participant.core.text import clean_text


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Facts:
    """Labelled one-line facts about the session (date, place, phones)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """Rows under headers; a ``flagged`` row is one to notice (a step that ran over)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    flagged: tuple[bool, ...]


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class RatingChart:
    """One reflection question's distribution: how many gave each rating, and the average."""

    question: str
    low: str
    high: str
    counts: tuple[tuple[str, int], ...]
    average: float | None
    answered: int


@dataclass(frozen=True)
class Bars:
    """Counts per option, in the prompt's order."""

    items: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class WordWall:
    """Words with how many gave each, most frequent first."""

    items: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class TextList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Blocks read together and kept on one printed page: a question, a theme, a room."""

    kind: str
    blocks: tuple[Block, ...]


Block = Heading | Facts | Table | Paragraph | RatingChart | Bars | WordWall | TextList | Group


def shown(text: object) -> str:
    """Stored text as a report shows it: without control or bidirectional override characters,
    even from a file edited by hand. Escaping for the format is the renderer's part."""
    return clean_text(str(text), multiline=True)


def layout(report: Mapping[str, Any]) -> list[Block]:
    """The report's blocks: title and facts, the agenda as run, the questions, the breakouts."""
    blocks: list[Block] = [
        Heading(1, report["title"]),
        Facts(_facts(report)),
        Heading(2, "Agenda as run"),
        _agenda(report["steps"]),
    ]
    if report["prompts"]:
        blocks.append(Heading(2, "Questions"))
        blocks.extend(_question(prompt, report["min_responses"]) for prompt in report["prompts"])
    for breakout in report["breakouts"]:
        blocks.extend(_breakout(breakout, report))
    return blocks


def minutes(value: float) -> str:
    """Minutes to one decimal, without a trailing ``.0``."""
    return f"{round(value, 1):g} min"


def average(value: float) -> str:
    """An average as the projector shows it (already rounded by the tallies)."""
    return f"{value:.{AVERAGE_DECIMALS}f}"


def _facts(report: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    created = datetime.fromisoformat(report["created"])
    items = [("Date", f"{created.day} {created:%B %Y, %H:%M}")]
    if report.get("place"):
        items.append(("Place", report["place"]))
    if report.get("phones") is not None:
        items.append(("Phones joined", str(report["phones"])))
    items.append(("Session", report["session"]))
    return tuple(items)


def _agenda(steps: Sequence[Mapping[str, Any]]) -> Table:
    rows, flagged = [], []
    for step in steps:
        planned, real = step["minutes"], step.get("real_minutes")
        over = real is not None and round(real - planned, 1) > 0
        rows.append(
            (
                str(step["number"]),
                step["title"],
                step["kind"],
                minutes(planned),
                "not run" if real is None else minutes(real),
                f"over by {minutes(real - planned)}" if over else "",
            )
        )
        flagged.append(over)
    return Table(("Step", "Title", "Kind", "Planned", "Real", "Overrun"), tuple(rows), tuple(flagged))


def _question(prompt: Mapping[str, Any], min_responses: int) -> Group:
    blocks: list[Block] = [Heading(3, f"Step {prompt['step']}: {prompt['title']}")]
    if prompt["question"]:
        blocks.append(Paragraph(prompt["question"]))
    answers, passes = prompt["answers"], prompt["passes"]
    count = f"{answers} {'answer' if answers == 1 else 'answers'}, {passes} passed"
    results = prompt["results"]
    if results is None:
        blocks.append(Paragraph(f"{count}. Fewer than {min_responses} answered: results not shown."))
        return Group("question", tuple(blocks))
    blocks.append(Paragraph(f"{count}."))
    for rating in results.get("ratings", ()):
        blocks.append(_rating(rating, min_responses))
    if results.get("choices"):
        blocks.append(Bars(tuple((c["option"], c["count"]) for c in results["choices"])))
    hidden = set(results.get("hidden", ()))
    if results.get("words"):
        blocks.append(WordWall(tuple((_marked(w["word"], hidden), w["count"]) for w in results["words"])))
    if results.get("texts"):
        if prompt["kind"] == "reflection":
            blocks.append(Heading(4, "Comments"))
        blocks.append(TextList(tuple(_marked(text, hidden) for text in results["texts"])))
    return Group("question", tuple(blocks))


HIDDEN_MARK = "[hidden by the trainer] "
"""Before an entry the trainer hid from the wall, in a report that keeps it marked."""


def _marked(entry: str, hidden: set[str]) -> str:
    return f"{HIDDEN_MARK}{entry}" if entry in hidden else entry


def _rating(rating: Mapping[str, Any], min_responses: int) -> Block:
    if not rating["shown"]:
        return Paragraph(
            f"{rating['question']}: rated by {rating['answered']}, fewer than {min_responses}: not shown."
        )
    return RatingChart(
        question=rating["question"],
        low=rating["low"],
        high=rating["high"],
        counts=tuple((label, int(count)) for label, count in rating["counts"].items()),
        average=rating["average"],
        answered=rating["answered"],
    )


def _breakout(breakout: Mapping[str, Any], report: Mapping[str, Any]) -> list[Block]:
    rooms = breakout["rooms"]
    blocks: list[Block] = [
        Heading(2, f"Breakout, step {breakout['step']}: {breakout['title']}"),
        Paragraph(f"{rooms} {'room' if rooms == 1 else 'rooms'}. The rooms discussed:"),
        TextList(tuple(breakout["prompts"])),
        Heading(3, "Notes by theme"),
    ]
    themes = [theme for theme in report["themes"] if theme["breakout"] == breakout["id"]]
    prompts, asked = breakout["prompts"], None
    for theme in themes:
        prompt = theme.get("prompt", 0)
        if len(prompts) > 1 and prompt != asked and prompt < len(prompts):
            asked = prompt  # each question's themes under the question
            blocks.append(Paragraph(f"{prompt + 1}. {prompts[prompt]}"))
        in_rooms = ", ".join(map(str, theme["rooms"]))
        notes = tuple(
            f"{'★ ' if note.get('starred') else ''}{note['text']} (room {note['room']})"
            for note in theme["notes"]
        )
        blocks.append(
            Group("theme", (Heading(4, theme["label"]), Paragraph(f"Rooms {in_rooms}"), TextList(notes)))
        )
    if not themes:
        blocks.append(Paragraph("No notes."))
    blocks.append(Heading(3, "Notes by room"))
    for room in report["rooms"]:
        if room["breakout"] == breakout["id"]:
            notes = tuple(note["text"] for note in room["notes"])
            body: Block = TextList(notes) if notes else Paragraph("No notes.")
            blocks.append(Group("room", (Heading(4, f"Room {room['room']}"), body)))
    return blocks
