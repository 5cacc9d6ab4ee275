"""Read an agenda file (TOML) into an :class:`~facilitator.domain.agenda.Agenda`, or say what is wrong.

Agenda files are written by trainers, not programmers, so every problem is reported, not just the
first, each on one line that names the step and the field and says how to fix it::

    agendas/x.toml: step 3 "Break": duration: "15" is not a duration; write it like "10m", ...

A file that loads may still hold a likely mistake: :func:`agenda_warnings` lists those, in the same
form with ``warning:`` before the message; they do not stop the agenda from running.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from unicodedata import category

from facilitator.domain.agenda import (
    DEFAULT_COMMENT_LABEL,
    DEFAULT_SHARE_QUESTION,
    Agenda,
    Breakout,
    Prompt,
    RatingQuestion,
    Step,
    StepKind,
)
from facilitator.domain.durations import format_duration, parse_clock, parse_duration
from participant.core.wire import MAX_PROMPTS, MAX_ROOMS

MAX_STEPS = 100
MAX_TITLE = 100
MAX_DURATION = 8 * 3600
MAX_QUESTIONS = MAX_PROMPTS
MAX_OPTIONS = 12
MAX_OPTION = 40
MAX_LABEL = 120
MAX_TEXT = 2000
MIN_PACE = 10

_COMMON_FIELDS = ("title", "kind", "duration", "instructions", "notes", "locked")
_KIND_FIELDS: dict[StepKind, tuple[str, ...]] = {
    StepKind.BREAKOUT: ("rooms", "prompts"),
    StepKind.REFLECTION: ("question", "questions", "low", "high", "comment", "pace"),
    StepKind.CHOICE: ("question", "options"),
    StepKind.TEXT: ("question", "stay_open"),
    StepKind.WORDWALL: ("question", "stay_open"),
    StepKind.SHARE: ("question",),
}
_TOP_FIELDS = ("title", "start", "place", "share_results", "steps")


_UNSHOWN = {"Cc", "Cf", "Zl", "Zp"}
"""Unicode categories a problem line shows escaped: control, format, line and paragraph separators."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an agenda file. ``where`` is empty for workshop-level fields. A
    ``warning`` is a likely mistake that does not stop the agenda from running."""

    where: str
    field: str
    message: str
    warning: bool = False

    def format(self, filename: str) -> str:
        """The one-line form the ``check`` command prints. Line breaks, control and invisible format
        characters quoted from the file are shown escaped (``\\n``, ``\\x1b``, ``\\u200b``)."""
        parts = [filename, self.where, self.field, "warning" if self.warning else "", self.message]
        line = ": ".join(part for part in parts if part)
        return "".join(repr(char)[1:-1] if category(char) in _UNSHOWN else char for char in line)


class AgendaError(Exception):
    """An agenda file that cannot be run; ``problems`` holds every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.format("agenda") for problem in problems))
        self.problems = problems

    def lines(self, filename: str) -> list[str]:
        """One line per problem, each starting with ``filename``."""
        return [problem.format(filename) for problem in self.problems]


def load_agenda(path: str | Path) -> Agenda:
    """Read and validate the agenda file at ``path``; raise :class:`AgendaError` if it can't run."""
    return parse_agenda(read_agenda_file(path))


def read_agenda_file(path: str | Path) -> str:
    """The text of an agenda file; :class:`AgendaError` (one plain problem) if it cannot be read."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgendaError([Problem("", "", "no such file; check the path")]) from None
    except IsADirectoryError:
        raise AgendaError([Problem("", "", "is a folder; give the path of a .toml file")]) from None
    except UnicodeDecodeError:
        problem = Problem("", "", "is not UTF-8 text; save it as UTF-8 from your editor")
        raise AgendaError([problem]) from None
    except OSError as error:
        raise AgendaError([Problem("", "", f"cannot be read: {error.strerror}")]) from None


def parse_agenda(text: str) -> Agenda:
    """Validate agenda TOML ``text``; raise :class:`AgendaError` listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AgendaError([_syntax_problem(str(error))]) from None
    problems: list[Problem] = []
    agenda = _read_agenda(data, problems)
    if problems or agenda is None:
        raise AgendaError(problems)
    return agenda


def agenda_warnings(agenda: Agenda) -> list[Problem]:
    """Likely mistakes in an agenda that loads: a breakout that no report-back comes after, whose
    notes would never reach the projector."""
    reported = {
        breakout
        for index, step in enumerate(agenda.steps)
        if step.kind is StepKind.REPORTBACK
        for breakout in agenda.reported_breakouts(index)
    }
    return [
        Problem(
            f'step {index} "{step.title}"',
            "kind",
            "this breakout has no report-back after it, so its notes never reach the projector;"
            ' add a step with kind = "reportback" after it',
            warning=True,
        )
        for index, step in enumerate(agenda.steps, 1)
        if step.kind is StepKind.BREAKOUT and index - 1 not in reported
    ]


_TOML_POSITION = re.compile(
    r"^(?P<what>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)|at (?P<end>end of document))\)$"
)
_SYNTAX_HINTS = {
    "Invalid value": 'text needs quotes, like duration = "10m"',
    "Expected newline or end of document": 'one field per line, and text needs quotes, like duration = "10m"',
    "Cannot overwrite a value": "the same field appears twice in one step",
    "Cannot declare": "a table or step header appears twice",
    "Unclosed array": "a list is missing its closing ]",
    "Expected '=' after a key": 'each line is field = value; text needs quotes, like title = "Welcome"',
    "Unterminated string": 'a text value is missing its closing quote; use """ for several lines',
    "Illegal character '\\n'": 'a text value is missing its closing quote; use """ for several lines',
    "Illegal character": "the line has a character TOML does not allow there; check the quotes",
    "Unescaped '\\'": "a backslash in text must be doubled (\\\\), or put the text in 'single quotes'",
}


def _syntax_problem(message: str) -> Problem:
    match = _TOML_POSITION.match(message)
    what = match["what"] if match else message
    where = ""
    if match and match["line"]:
        where = f"line {match['line']}, column {match['column']}"
    elif match:
        where = "end of file"
    hint = next((hint for key, hint in _SYNTAX_HINTS.items() if what.startswith(key)), "")
    what = what[0].lower() + what[1:] if what else what
    return Problem(where, "", f"not valid TOML: {what}" + (f"; {hint}" if hint else ""))


# Control characters other than tab and newline could drive the projector's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _Table:
    """Reads fields from one TOML table, recording a problem for each bad or unknown field."""

    def __init__(self, data: dict[str, Any], where: str, problems: list[Problem], prefix: str = "") -> None:
        self.data = dict(data)
        self.where = where
        self.problems = problems
        self.prefix = prefix

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.where, f"{self.prefix}{name}", message))

    def text(
        self, name: str, *, required: bool = False, limit: int = MAX_TEXT, one_line: bool = False
    ) -> str | None:
        value = self.data.pop(name, None)
        if value is None:
            if required:
                self.problem(name, f'missing; add a line like {name} = "..."')
            return None
        if not isinstance(value, str):
            self.problem(name, f'is {_describe(value)}; write it as text in quotes, like {name} = "..."')
            return None
        value = value.strip()
        if control := _CONTROL.search(value):
            where = f"character {control.start() + 1}"
            self.problem(
                name, f"has an invisible control character (U+{ord(control[0]):04X}) at {where}; delete it"
            )
            return None
        if required and not value:
            self.problem(name, "is empty; write a few words")
            return None
        if one_line and "\n" in value:
            self.problem(name, "runs over several lines; keep it on one line")
            return None
        if len(value) > limit:
            self.problem(name, f"is {len(value)} characters long; keep it under {limit}")
            return None
        return value

    def parsed(self, name: str, parse: Callable[[str], Any], example: str, *, required: bool) -> Any:
        value = self.data.pop(name, None)
        if value is None:
            if required:
                self.problem(name, f"missing; add a line like {name} = {example}")
            return None
        if not isinstance(value, str):
            self.problem(name, f"is {_describe(value)}; write it in quotes, like {name} = {example}")
            return None
        try:
            return parse(value)
        except ValueError as error:
            self.problem(name, str(error))
            return None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.data.pop(name, default)
        if not isinstance(value, bool):
            self.problem(name, f"is {_describe(value)}; write {name} = true or {name} = false")
            return default
        return value

    def number(self, name: str, low: int, high: int, *, required: bool) -> int | None:
        value = self.data.pop(name, None)
        if value is None:
            if required:
                self.problem(name, f"missing; add a line like {name} = {low + 1}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"is {_describe(value)}; write a whole number, like {name} = {low + 1}")
            return None
        if not low <= value <= high:
            self.problem(name, f"is {value}; it must be from {low} to {high}")
            return None
        return value

    def texts(self, name: str, *, limit: int, most: int, least: int = 0) -> tuple[str, ...]:
        value = self.data.pop(name, None)
        if value is None:
            if least:
                self.problem(name, f'missing; add a list like {name} = ["...", "..."]')
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(name, f'is {_describe(value)}; write a list of texts, like {name} = ["...", "..."]')
            return ()
        items = tuple(item.strip() for item in value)
        if len(items) < least or len(items) > most:
            self.problem(name, f"has {len(items)} entries; it needs {least} to {most}")
            return ()
        if any(not item for item in items):
            self.problem(name, "has an empty entry; remove it or write a few words")
            return ()
        if any("\n" in item or _CONTROL.search(item) for item in items):
            self.problem(
                name, "has an entry over several lines or with control characters; keep each on one line"
            )
            return ()
        if too_long := next((item for item in items if len(item) > limit), None):
            self.problem(name, f'"{too_long[:30]}..." is {len(too_long)} characters; keep each under {limit}')
            return ()
        if duplicate := next((item for item in items if items.count(item) > 1), None):
            self.problem(name, f'"{duplicate}" appears twice; each entry must be different')
            return ()
        return items

    def leftovers(self, allowed: tuple[str, ...], other_kinds: dict[str, str]) -> None:
        """Report every field nobody read: misspelt, or belonging to another kind of step."""
        for name in self.data:
            if name in other_kinds:
                self.problem(name, f"is only for {other_kinds[name]} steps; remove it or change kind")
                continue
            guess = difflib.get_close_matches(name, allowed, n=1)
            hint = f'did you mean "{guess[0]}"?' if guess else f"expected one of: {', '.join(allowed)}"
            self.problem(name, f"is not a known field; {hint}")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value[:30]}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _read_agenda(data: dict[str, Any], problems: list[Problem]) -> Agenda | None:
    top = _Table(data, "", problems)
    title = top.text("title", required=True, limit=MAX_TITLE, one_line=True)
    start: time | None = top.parsed("start", parse_clock, '"08:00"', required=False)
    place = top.text("place", limit=MAX_TITLE, one_line=True)
    share_results = top.flag("share_results", default=True)
    raw_steps = top.data.pop("steps", None)
    top.leftovers(_TOP_FIELDS, {})
    if raw_steps is None:
        top.problem("steps", "none found; add at least one step under a [[steps]] header")
        return None
    if isinstance(raw_steps, dict):
        top.problem("steps", "written as [steps]; write each step under its own [[steps]] header")
        return None
    if not isinstance(raw_steps, list) or not raw_steps:
        top.problem("steps", "none found; add at least one step under a [[steps]] header")
        return None
    if len(raw_steps) > MAX_STEPS:
        top.problem("steps", f"has {len(raw_steps)} steps; an agenda holds at most {MAX_STEPS}")
        return None
    steps = [_read_step(number, raw, start, problems) for number, raw in enumerate(raw_steps, 1)]
    if title is None or any(step is None for step in steps):
        return None
    kept = tuple(step for step in steps if step)
    return Agenda(title=title, steps=kept, start=start, place=place, share_results=share_results)


def _step_label(number: int, raw: dict[str, Any]) -> str:
    title = raw.get("title")
    return (
        f'step {number} "{title.strip()}"' if isinstance(title, str) and title.strip() else f"step {number}"
    )


def _read_step(number: int, raw: object, start: time | None, problems: list[Problem]) -> Step | None:
    if not isinstance(raw, dict):
        problems.append(Problem(f"step {number}", "", "is not a table; start each step with [[steps]]"))
        return None
    before = len(problems)
    table = _Table(raw, _step_label(number, raw), problems)
    title = table.text("title", required=True, limit=MAX_TITLE, one_line=True)
    kind = _read_kind(table)
    duration = table.parsed("duration", parse_duration, '"10m"', required=True)
    if duration is not None and not 0 < duration <= MAX_DURATION:
        table.problem("duration", f"is {duration} seconds; a step lasts from 1 second to 8 hours")
    instructions = table.text("instructions") or ""
    notes = table.text("notes") or ""
    locked = table.flag("locked")
    if locked and start is None:
        table.problem("locked", 'needs the workshop start time; add start = "08:00" at the top')
    prompt, breakout = _read_kind_fields(kind, table) if kind else (None, None)
    if prompt is not None and prompt.pace is not None and duration is not None:
        _check_pace(table, prompt.pace, len(prompt.ratings), duration)
    allowed = _COMMON_FIELDS + _KIND_FIELDS.get(kind, ()) if kind else _COMMON_FIELDS
    table.leftovers(allowed, _owners_of_fields(kind) if kind else {})
    if len(problems) > before or title is None or kind is None or duration is None:
        return None
    return Step(title, kind, duration, instructions, locked, prompt, breakout, notes)


def _read_kind(table: _Table) -> StepKind | None:
    names = [kind.value for kind in StepKind]
    value = table.text("kind", required=True)
    if value is None:
        return None
    try:
        return StepKind(value.lower())
    except ValueError:
        guess = difflib.get_close_matches(value.lower(), names, n=1)
        hint = f'did you mean "{guess[0]}"? ' if guess else ""
        table.problem("kind", f'"{value}" is not a kind of step; {hint}use one of: {", ".join(names)}')
        return None


def _owners_of_fields(kind: StepKind) -> dict[str, str]:
    """Fields that belong to other kinds of step, with the kinds they belong to."""
    owners: dict[str, list[str]] = {}
    for other, fields in _KIND_FIELDS.items():
        for name in fields:
            if other != kind and name not in _KIND_FIELDS.get(kind, ()):
                owners.setdefault(name, []).append(other.value)
    return {name: " and ".join(kinds) for name, kinds in owners.items()}


def _read_kind_fields(kind: StepKind, table: _Table) -> tuple[Prompt | None, Breakout | None]:
    if kind is StepKind.BREAKOUT:
        rooms = table.number("rooms", 1, MAX_ROOMS, required=True)
        prompts = table.texts("prompts", limit=MAX_TEXT, most=MAX_QUESTIONS)
        return None, Breakout(rooms or 1, prompts)
    if kind is StepKind.REFLECTION:
        return _read_reflection(table), None
    if kind is StepKind.CHOICE:
        question = table.text("question", required=True) or ""
        options = table.texts("options", limit=MAX_OPTION, most=MAX_OPTIONS, least=2)
        return Prompt(kind, question, options=options), None
    if kind is StepKind.SHARE:
        return Prompt(kind, table.text("question") or DEFAULT_SHARE_QUESTION), None
    if kind.has_prompt:
        question = table.text("question", required=True) or ""
        return Prompt(kind, question, stay_open=table.flag("stay_open")), None
    return None, None


def _read_reflection(table: _Table) -> Prompt:
    """The ratings of a reflection, under its optional ``question`` (the phones' heading)."""
    heading = table.text("question") or ""
    pace: int | None = table.parsed("pace", parse_duration, '"1m"', required=False)
    low = table.text("low", limit=MAX_OPTION, one_line=True) or "1"
    high = table.text("high", limit=MAX_OPTION, one_line=True) or "5"
    comment = _read_comment(table)
    raw = table.data.pop("questions", None)
    example = 'questions = ["How well are we collaborating?"]'
    if raw is None:
        table.problem("questions", f"missing; add the rating questions, like {example}")
        return Prompt(StepKind.REFLECTION, heading, pace=pace)
    if not isinstance(raw, list) or not raw:
        table.problem("questions", f"is {_describe(raw)}; write a list of questions, like {example}")
        return Prompt(StepKind.REFLECTION, heading, pace=pace)
    if len(raw) > MAX_QUESTIONS:
        table.problem("questions", f"has {len(raw)} questions; a reflection holds at most {MAX_QUESTIONS}")
        return Prompt(StepKind.REFLECTION, heading, pace=pace)
    ratings = []
    for index, item in enumerate(raw, 1):
        if not isinstance(item, dict | str):
            table.problem(
                f"questions[{index}]", f"is {_describe(item)}; write each question as text in quotes"
            )
            continue
        fields = item if isinstance(item, dict) else {"text": item}
        question = _Table(fields, table.where, table.problems, prefix=f"questions[{index}].")
        text = question.text("text", required=True)
        item_low = question.text("low", limit=MAX_OPTION, one_line=True) or low
        item_high = question.text("high", limit=MAX_OPTION, one_line=True) or high
        question.leftovers(("text", "low", "high"), {})
        if text is not None:
            ratings.append(RatingQuestion(text, item_low, item_high))
    return Prompt(StepKind.REFLECTION, heading, ratings=tuple(ratings), comment=comment, pace=pace)


def _check_pace(table: _Table, pace: int, questions: int, duration: int) -> None:
    """A paced reflection gives each question at least ``MIN_PACE`` seconds, and all of them fit."""
    if pace < MIN_PACE:
        table.problem(
            "pace", f'is {pace} seconds; give each question at least {MIN_PACE} seconds, like pace = "1m"'
        )
    elif questions and pace * questions > duration:
        need, lasts, each = (format_duration(value) for value in (pace * questions, duration, pace))
        table.problem(
            "pace",
            f'{questions} questions at "{each}" each need "{need}", but the step lasts "{lasts}";'
            f' make duration at least "{need}" or pace shorter',
        )


def _read_comment(table: _Table) -> str | None:
    """``comment = true`` offers a comment box with a default label; a text is its own label."""
    value = table.data.pop("comment", False)
    if isinstance(value, str) and value.strip():
        return value.strip()[: MAX_OPTION * 3]
    if isinstance(value, bool):
        return DEFAULT_COMMENT_LABEL if value else None
    table.problem("comment", 'write comment = true, or the label for the box, like comment = "Why?"')
    return None
