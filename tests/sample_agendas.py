"""Agenda texts shared by the tests."""

from textwrap import dedent

GOOD = dedent(
    """\
    title = "Working alliances"
    start = "8:00"

    [[steps]]
    title = "Welcome"
    kind = "talk"
    duration = "10m"
    instructions = "Introduce yourself."

    [[steps]]
    title = "Why we work well together"
    kind = "breakout"
    duration = "15m"
    rooms = 4
    prompts = ["Why do you work well together?", "What is your relationship like?"]

    [[steps]]
    title = "Rate the alliance"
    kind = "reflection"
    duration = "5m"
    low = "Not at all"
    high = "Completely"
    comment = true
    questions = [
      "How well are we collaborating?",
      { text = "How much do I experience trust?", low = "None", high = "Full trust" },
    ]

    [[steps]]
    title = "Feelings check-in"
    kind = "choice"
    duration = "2m"
    question = "How are you feeling right now?"
    options = ["Scared", "Happy", "Sad"]

    [[steps]]
    title = "Break"
    kind = "break"
    duration = "15m"
    locked = true

    [[steps]]
    title = "Name the jargon"
    kind = "wordwall"
    duration = "5m"
    question = "Which words do we use that others may not know?"

    [[steps]]
    title = "What resonates?"
    kind = "text"
    duration = "3m"
    question = "What resonated with you?"

    [[steps]]
    title = "Report back"
    kind = "reportback"
    duration = "10m"

    [[steps]]
    title = "Share one thing"
    kind = "share"
    duration = "5m"
    """
)

UNREPORTED = dedent(
    """\
    title = "Two breakouts"

    [[steps]]
    title = "First talk"
    kind = "breakout"
    duration = "10m"
    rooms = 2

    [[steps]]
    title = "Second talk"
    kind = "breakout"
    duration = "10m"
    rooms = 2

    [[steps]]
    title = "Report back"
    kind = "reportback"
    duration = "10m"

    [[steps]]
    title = "Last talk"
    kind = "breakout"
    duration = "10m"
    rooms = 2
    """
)
"""Two breakouts reported together, then one that no report-back comes after (a warning)."""

TWO_REPORTED = dedent(
    """\
    title = "Two breakouts, one report-back"

    [[steps]]
    title = "Warm-up pairs"
    kind = "breakout"
    duration = "5m"
    rooms = 2

    [[steps]]
    title = "First report back"
    kind = "reportback"
    duration = "5m"

    [[steps]]
    title = "What works"
    kind = "breakout"
    duration = "10m"
    rooms = 3
    prompts = ["What works in your partnership?"]

    [[steps]]
    title = "Input"
    kind = "talk"
    duration = "5m"

    [[steps]]
    title = "What gets in the way"
    kind = "breakout"
    duration = "10m"
    rooms = 2
    prompts = ["What gets in the way?"]

    [[steps]]
    title = "Report back"
    kind = "reportback"
    duration = "10m"

    [[steps]]
    title = "Share one thing"
    kind = "share"
    duration = "5m"
    """
)
"""A report-back after two breakouts (steps 3 and 5), with an earlier breakout reported before."""

NOTES = "SECRET-CUE: hold the space here; ask who has tried it"
"""The presenter notes of NOTED's first step: the room must never see them."""
NOTED = GOOD.replace(
    'instructions = "Introduce yourself."', f'instructions = "Introduce yourself."\nnotes = "{NOTES}"', 1
).replace('question = "What resonated with you?"', 'question = "What resonated with you?"\nnotes = "CUE-TWO"')
"""GOOD with presenter notes on its first step and on its text step."""
