"""The report as CSV for a spreadsheet: one row per stored answer, without any id. Pure.

Only the answers the report lists: those to prompts whose results are shown, a withheld rating
question's ratings left empty (see :func:`facilitator.domain.report.build_report`).

A reflection answer gives one row per rating question (the rating; empty when skipped) and one for
its comment; a word-wall answer one row per word; a pass one row "pass". UTF-8 with a byte order
mark (so spreadsheets read it as UTF-8), every text quoted, and a text that a spreadsheet would
take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed
with ``'`` so it stays text.

"Seconds into the step" is empty: the session file does not keep when an answer arrived.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from facilitator.domain.report_layout import HIDDEN_MARK, shown

HEADERS = ("step", "step title", "question", "value or text", "seconds into the step")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(report: Mapping[str, Any]) -> str:
    """The answers as CSV text, starting with a byte order mark."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(HEADERS)
    prompts = {prompt["step"]: prompt for prompt in report["prompts"]}
    for answer in report["answers"]:
        prompt = prompts[answer["step"]]
        hidden = set(answer.get("hidden", ()))
        for question, value in _cells(prompt, answer["value"], hidden):
            seconds = "" if answer.get("seconds") is None else answer["seconds"]
            writer.writerow((prompt["step"], inert(prompt["title"]), inert(question), value, seconds))
    return out.getvalue()


def inert(text: object) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    cell = shown(text)
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell


def _cells(
    prompt: Mapping[str, Any], value: Mapping[str, Any], hidden: set[str]
) -> Iterator[tuple[str, int | str]]:
    """(question, value) rows of one answer; an entry the trainer hid (``hidden``, in a report that
    marks them) is prefixed with :data:`HIDDEN_MARK`."""
    question = prompt["question"]
    if value.get("pass"):
        yield question, "pass"
    elif "ratings" in value:
        for text, rating in zip(prompt["rating_questions"], value["ratings"], strict=False):
            yield text, "" if rating is None else int(rating)
        if value.get("comment"):
            yield "Comment", _mark(value["comment"], hidden)
    elif "words" in value:
        for word in value["words"]:
            yield question, _mark(word, hidden)
    else:
        yield question, _mark(value.get("option", value.get("text", "")), hidden)


def _mark(text: object, hidden: set[str]) -> str:
    return inert(f"{HIDDEN_MARK}{text}" if text in hidden else text)
