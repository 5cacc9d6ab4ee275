"""The current step: its title, what kind it is, and the instructions for the room."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from facilitator.domain.agenda import Step, StepKind

KIND_LABELS = {
    StepKind.TALK: "Talk",
    StepKind.ACTIVITY: "Activity",
    StepKind.BREAKOUT: "Breakout",
    StepKind.REFLECTION: "Reflection",
    StepKind.CHOICE: "Choice",
    StepKind.TEXT: "Question",
    StepKind.WORDWALL: "Word wall",
    StepKind.BREAK: "Break",
    StepKind.REPORTBACK: "Report-back",
    StepKind.SHARE: "Share one thing",
}


def same_words(one: str, other: str) -> bool:
    """Whether a heading would only repeat another ("Share one thing" under "Share one thing")."""
    return one.casefold().strip() == other.casefold().strip()


def step_body(step: Step, paced: int | None = None) -> Text:
    """What the room reads for ``step``: instructions, then its questions or discussion prompts
    (of a paced reflection, only question ``paced``, from 0).

    Built from plain ``Text`` so nothing in an agenda is read as markup.
    """
    body = Text()
    if step.instructions:
        body.append(step.instructions.strip() + "\n")
    if step.breakout:
        body.append(f"\n{step.breakout.rooms} rooms. Discuss and take notes:\n", style="bold")
        for discussion in step.breakout.prompts:
            body.append(f"• {discussion}\n")
    if step.prompt:
        prompt = step.prompt
        if prompt.question and not same_words(prompt.question, step.title):
            body.append(f"\n{prompt.question}\n", style="bold")
        for number, rating in enumerate(prompt.ratings, 1):
            if paced is not None and number != paced + 1:
                continue
            body.append(f"\n{number}. {rating.text}", style="bold")
            body.append(f"  (1 {rating.low} … 5 {rating.high})", style="dim")
        if prompt.options:
            body.append("\n" + "   ".join(prompt.options) + "\n")
    return body


class StepPanel(Widget):
    """The current step's title and kind on one line; the app sets ``step``."""

    DEFAULT_CSS = """
    StepPanel {
        height: auto;
    }
    """

    step: reactive[Step | None] = reactive(None, layout=True)
    """The step on the projector now."""

    def render(self) -> Text:
        if self.step is None:
            return Text("")
        kind = KIND_LABELS[self.step.kind]
        heading = Text(self.step.title, style="bold")
        if not same_words(kind, self.step.title):
            heading.append_text(Text.assemble("  ", (kind, "dim")))
        heading.no_wrap, heading.overflow = True, "ellipsis"
        return heading
