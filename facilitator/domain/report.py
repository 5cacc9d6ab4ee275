"""The report a trainer shares after a workshop, built from a session's stored data. Pure.

Results follow the projector's rule: a prompt answered by fewer than ``min_responses`` people
shows only its count. Breakout notes come by room and as themes across rooms, every note in
exactly one theme: the trainer's grouping from the report-back where there is one, else the
automatic grouping.

The data is a contract other tools rely on: ``docs/report-format.md`` describes every key. Each
stored answer is listed too (``answers``), without any id, for the CSV export and other tools, under
the same threshold as the results.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from facilitator.domain.agenda import Agenda, step_id
from facilitator.domain.grouping import Grouping, reconcile
from facilitator.domain.themes import group_notes
from participant.core.notes import Note, distinct_ids
from participant.core.text import folded
from participant.core.wire import AnswerValue

VERSION = 1
"""The report data's format version; a change that breaks readers of ``to_json`` raises it."""


def build_report(
    agenda: Agenda,
    *,
    session: str,
    created: datetime,
    results: Mapping[str, Mapping[str, Any]],
    notes: Sequence[Note],
    groupings: Mapping[str, Grouping],
    rooms: Mapping[int, int],
    min_responses: int,
    answers: Sequence[tuple[str, AnswerValue, datetime | None]] = (),
    timings: Sequence[float | None] | None = None,
    started: Sequence[datetime | None] | None = None,
    phones: int | None = None,
    hidden: Mapping[str, Collection[str]] | None = None,
    hidden_mode: Literal["mark", "omit"] = "omit",
) -> dict[str, Any]:
    """The report as JSON-ready data. ``results`` maps prompt ids to tallies as plain data
    (``count``, ``passes``, and per kind ``ratings``, ``choices``, ``words``, ``texts``);
    ``answers`` are the stored answers as (prompt id, value, when it came), in the order stored;
    ``timings`` the real seconds spent on each step (None: not run) and ``started`` when each step
    first started; ``phones`` how many phones joined. ``hidden``: the entries the trainer hid from
    the wall, per prompt id (texts as shown, word-wall entries compared folded); ``hidden_mode``
    "omit" leaves them out of the results and answers, "mark" keeps them listed with a marker."""
    hidden = hidden or {}
    real = list(timings) if timings is not None else [None] * len(agenda.steps)
    report: dict[str, Any] = {
        "version": VERSION,
        "title": agenda.title,
        "session": session,
        "created": created.isoformat(),
        "place": agenda.place,
        "phones": phones,
        "min_responses": min_responses,
        "steps": [
            {
                "number": index + 1,
                "title": step.title,
                "kind": step.kind.value,
                "minutes": step.duration / 60,
                "real_minutes": None if seconds is None else seconds / 60,
            }
            for index, (step, seconds) in enumerate(zip(agenda.steps, real, strict=True))
        ],
        "prompts": [],
        "answers": [],
        "breakouts": [],
        "rooms": [],
        "themes": [],
    }
    for index, step in enumerate(agenda.steps):
        if step.prompt is not None:
            report["prompts"].append(
                _prompt(index, step.title, step.prompt.to_wire(), results, min_responses, hidden, hidden_mode)
            )
        if step.breakout is not None:
            breakout = step_id(index)
            room_count = rooms.get(index, step.breakout.rooms)
            report["breakouts"].append(
                {
                    "id": breakout,
                    "step": index + 1,
                    "title": step.title,
                    "prompts": list(step.breakout.prompts),
                    "rooms": room_count,
                }
            )
            mine = distinct_ids(note for note in notes if note.breakout == breakout)
            report["rooms"].extend(_rooms(breakout, mine, room_count))
            report["themes"].extend(_themes(breakout, mine, step.breakout.prompts, groupings.get(breakout)))
    report["answers"] = _answers(
        report["prompts"], answers, started or [None] * len(agenda.steps), hidden, hidden_mode
    )
    return report


def _prompt(
    index: int,
    title: str,
    wire: Mapping[str, Any],
    results: Mapping[str, Mapping[str, Any]],
    min_responses: int,
    hidden: Mapping[str, Collection[str]],
    hidden_mode: str,
) -> dict[str, Any]:
    tally = results.get(step_id(index), {})
    count, passes = int(tally.get("count", 0)), int(tally.get("passes", 0))
    shown = count - passes >= min_responses
    detail = {key: tally[key] for key in ("ratings", "choices", "words", "texts") if tally.get(key)}
    gone = hidden.get(step_id(index), ())
    if gone:
        texts = [text for text in detail.get("texts", ()) if _hidden(text, gone, word=False)]
        words = [w["word"] for w in detail.get("words", ()) if _hidden(w["word"], gone, word=True)]
        if hidden_mode == "mark":
            if texts or words:
                detail["hidden"] = texts + words
        else:
            for key, kept in (
                ("texts", [text for text in detail.get("texts", ()) if text not in texts]),
                ("words", [w for w in detail.get("words", ()) if w["word"] not in words]),
            ):
                if kept:
                    detail[key] = kept
                else:
                    detail.pop(key, None)
    return {
        "step": index + 1,
        "title": title,
        "kind": wire["kind"],
        "question": wire.get("question", ""),
        "rating_questions": [str(question.get("text", "")) for question in wire.get("ratings", ())],
        "answers": count,
        "passes": passes,
        "shown": shown,
        "results": detail if shown else None,
    }


def _answers(
    prompts: Sequence[Mapping[str, Any]],
    answers: Sequence[tuple[str, AnswerValue, datetime | None]],
    started: Sequence[datetime | None],
    hidden: Mapping[str, Collection[str]],
    hidden_mode: str,
) -> list[dict[str, Any]]:
    """Each stored answer with its step, by step, in the order stored within a step (the order across
    steps would tell which answers one phone sent one after the other). The threshold holds here
    too: answers to a prompt whose results are not shown are left out, and so are the ratings of a
    withheld reflection question (null, as if skipped). An entry the trainer hid is left out
    ("omit": a text answer's row goes, a comment or word leaves its answer) or listed in the row's
    ``hidden`` ("mark")."""
    shown = {step_id(prompt["step"] - 1): prompt for prompt in prompts if prompt["shown"]}
    rows = []
    for prompt_id, answer, received in answers:
        prompt = shown.get(prompt_id)
        if prompt is None:
            continue
        value = answer.to_wire()
        if "ratings" in value:
            questions = prompt["results"]["ratings"]
            value["ratings"] = [
                rating if question["shown"] else None
                for rating, question in zip(value["ratings"], questions, strict=False)
            ]
        row: dict[str, Any] = {
            "step": prompt["step"],
            "value": value,
            "seconds": _into(received, started[prompt["step"] - 1]),
        }
        gone = hidden.get(prompt_id, ())
        if gone and not _hide_in(row, gone, hidden_mode):
            continue
        rows.append(row)
    return sorted(rows, key=lambda row: row["step"])


def _hidden(entry: str, hidden: Collection[str], *, word: bool) -> bool:
    if word:
        return folded(entry) in {folded(other) for other in hidden}
    return entry in hidden


def _hide_in(row: dict[str, Any], hidden: Collection[str], mode: str) -> bool:
    """Mark (``row["hidden"]``) or drop the hidden entries of one answer row; False: drop the row."""
    value = row["value"]
    entries = [
        value[key]
        for key in ("text", "comment")
        if value.get(key) and _hidden(value[key], hidden, word=False)
    ]
    entries += [word for word in value.get("words", ()) if _hidden(word, hidden, word=True)]
    if not entries:
        return True
    if mode == "mark":
        row["hidden"] = entries
        return True
    if "text" in value:
        return False
    if "comment" in value and value["comment"] in entries:
        value["comment"] = ""
    if "words" in value:
        value["words"] = [word for word in value["words"] if word not in entries]
        return bool(value["words"])
    return True


def _into(received: datetime | None, started: datetime | None) -> int | None:
    """Whole seconds from a step's start to an answer; None when either time is unknown. The store
    stamps answers with their zone, the runner keeps local times without one: both as local."""
    if received is None or started is None:
        return None
    received, started = (_local(moment) for moment in (received, started))
    return int((received - started).total_seconds()) if received >= started else None


def _local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _rooms(breakout: str, notes: Sequence[Note], room_count: int) -> list[dict[str, Any]]:
    numbers = sorted({*range(1, room_count + 1), *(note.room for note in notes)})
    return [
        {
            "breakout": breakout,
            "room": room,
            "notes": [
                {"text": n.text, "prompt": n.prompt, "theme": n.theme, "starred": n.starred}
                for n in notes
                if n.room == room
            ],
        }
        for room in numbers
    ]


def _themes(
    breakout: str, notes: Sequence[Note], prompts: Sequence[str], grouping: Grouping | None
) -> list[dict[str, Any]]:
    by_id = {note.id: note for note in notes}
    automatic = group_notes(notes, prompts=prompts)
    themes = []
    groups = reconcile(grouping, automatic).groups
    for group in sorted(groups, key=lambda group: group.prompt):  # by prompt first, else as shown
        members = sorted((by_id[note_id] for note_id in group.note_ids), key=lambda note: not note.starred)
        themes.append(
            {
                "breakout": breakout,
                "prompt": group.prompt,
                "label": group.label,
                "rooms": sorted({note.room for note in members}),
                "notes": [
                    {
                        "room": note.room,
                        "text": note.text,
                        "starred": note.starred,
                        "suggested": note.id in group.suggested,
                    }
                    for note in members
                ],
            }
        )
    return themes


def to_json(report: Mapping[str, Any]) -> str:
    """The report as indented UTF-8 JSON text."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
