"""A paced reflection: its questions one at a time, each with its own countdown ("1 minute to
self-reflect on each").

Pure: a :class:`Pacing` is measured against the step's own running time (the runner's
``elapsed()``), so pausing the timer pauses the question too, and no clock is read here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Pacing:
    """Which of ``questions`` is on, and at what running time of its step (``began``, seconds) it
    came on; each question has ``pace`` seconds."""

    questions: int
    pace: float
    question: int = 0
    began: float = 0.0

    @property
    def last(self) -> bool:
        return self.question >= self.questions - 1

    def left(self, elapsed: float) -> float:
        """Seconds left on the current question when the step has run ``elapsed`` seconds (negative
        once its time is up: the last question waits for the step to end)."""
        return self.pace - (elapsed - self.began)

    def due(self, elapsed: float) -> Pacing | None:
        """The next question, if the current one's time is up and it is not the last. It starts when
        the current one's time ended, so a late look never shortens the next question's turn."""
        if self.last or self.left(elapsed) > 0:
            return None
        return replace(self, question=self.question + 1, began=self.began + self.pace)

    def moved(self, change: int, elapsed: float) -> Pacing | None:
        """The question ``change`` away (the trainer's next or back), with its full time from now;
        None when there is no such question."""
        question = self.question + change
        if not 0 <= question < self.questions:
            return None
        return replace(self, question=question, began=elapsed)
