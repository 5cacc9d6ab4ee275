"""A workshop in progress: the runner's moves reach the phones, and the session is kept on disk.

The projector calls :meth:`LiveSession.follow` after every move. It opens the current step's
prompt on the participant server (each step has its own prompt id, so going back to a step
reopens its prompt with the answers already given), closes it on steps phones don't answer, and
saves the runner's state so ``facilitate run --resume`` can continue after a crash. Saving goes
to the store's writer thread: nothing here waits on the disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitator.runner import Phase, Runner, RunnerState
from participant.server import ParticipantServer
from participant.store import Store
from participant.tallies import Results


def prompt_id(index: int) -> str:
    """The prompt id of the step at ``index``: stable across runs of the same agenda."""
    return f"step-{index + 1}"


@dataclass(frozen=True)
class SavedState:
    """What the projector keeps in the session besides responses: the runner and revealed steps."""

    runner: RunnerState
    revealed: frozenset[int]

    def to_store(self) -> dict[str, Any]:
        return {"runner": self.runner.to_dict(), "revealed": sorted(self.revealed)}

    @classmethod
    def from_store(cls, data: dict[str, Any]) -> SavedState | None:
        if "runner" not in data:
            return None
        return cls(RunnerState.from_dict(data["runner"]), frozenset(data.get("revealed", ())))


class LiveSession:
    """The participant server and the session store, as the projector sees them."""

    def __init__(self, server: ParticipantServer, store: Store) -> None:
        self.server = server
        self.store = store

    @property
    def connected(self) -> int:
        """Phones connected now."""
        return self.server.connected

    @property
    def min_responses(self) -> int:
        """The anonymity threshold."""
        return self.server.hub.min_responses

    def results(self) -> Results | None:
        """The open prompt's results, if a prompt is open."""
        return self.server.results()

    def follow(self, runner: Runner, revealed: frozenset[int]) -> None:
        """Open the current step's prompt (or close any), then save where the workshop is."""
        step = runner.step
        wanted = None if runner.phase is Phase.FINISHED or step.prompt is None else prompt_id(runner.index)
        current = self.server.hub.current
        if wanted is None:
            self.server.close_prompt()
        elif current is None or current.id != wanted:
            assert step.prompt is not None
            self.server.open_prompt(wanted, step.prompt.to_wire(), step=runner.index)
        self.save(runner, revealed)

    def save(self, runner: Runner, revealed: frozenset[int]) -> None:
        """Queue the runner's state for the store's writer thread."""
        self.store.save_state(SavedState(runner.state(), revealed).to_store())
