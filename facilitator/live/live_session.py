"""A workshop in progress: the runner's moves reach the phones and the rooms, and the session is
kept on disk.

The projector calls :meth:`LiveSession.follow` after every move. It opens the current step's
prompt on the participant server (each step has its own prompt id, so going back to a step
reopens its prompt with the answers already given) and closes it on steps phones don't answer;
it opens the current breakout for the rooms' notes, with its timer, and keeps it open through its
report-back; and it saves the projector's state so ``facilitate run --resume`` can continue after
a crash. Saving goes to the store's writer thread: nothing here waits on the disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from facilitator.domain.agenda import Agenda, step_id
from facilitator.domain.grouping import Grouping
from facilitator.domain.runner import Phase, Runner, RunnerState
from participant.core.notes import Timer
from participant.core.tallies import Results
from participant.io.server import ParticipantServer
from participant.io.store import Store


@dataclass(frozen=True)
class SavedState:
    """What the projector keeps in the session besides answers and notes."""

    runner: RunnerState
    revealed: frozenset[int] = frozenset()
    rooms: Mapping[int, int] = field(default_factory=dict)
    """Rooms per breakout step, where the trainer changed the agenda's number live."""
    groupings: Mapping[str, Grouping] = field(default_factory=dict)
    """Themes per breakout id, as the trainer left them at the report-back."""
    base_url: str | None = None
    """Where phones reach this laptop, for ``facilitate links``."""

    def to_store(self) -> dict[str, Any]:
        return {
            "runner": self.runner.to_dict(),
            "revealed": sorted(self.revealed),
            "rooms": {str(index): rooms for index, rooms in self.rooms.items()},
            "groupings": {breakout: grouping.to_dict() for breakout, grouping in self.groupings.items()},
            "base_url": self.base_url,
        }

    @classmethod
    def from_store(cls, data: Mapping[str, Any]) -> SavedState | None:
        if "runner" not in data:
            return None
        return cls(
            RunnerState.from_dict(data["runner"]),
            frozenset(data.get("revealed", ())),
            {int(index): int(rooms) for index, rooms in data.get("rooms", {}).items()},
            {key: Grouping.from_dict(value) for key, value in data.get("groupings", {}).items()},
            data.get("base_url"),
        )


def rooms_of(agenda: Agenda, index: int, rooms: Mapping[int, int]) -> int:
    """How many rooms breakout step ``index`` has now: the trainer's change, or the agenda's."""
    breakout = agenda.steps[index].breakout
    assert breakout is not None
    return rooms.get(index, breakout.rooms)


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

    def room_url(self, base_url: str, room: int) -> str:
        """Room ``room``'s private notes link."""
        return f"{base_url}{self.server.room_path(room)}"

    def follow(self, runner: Runner, state: SavedState) -> None:
        """Open the current step's prompt and breakout (or close them), then save ``state``."""
        finished = runner.phase is Phase.FINISHED
        step = runner.step
        wanted = None if finished or step.prompt is None else step_id(runner.index)
        current = self.server.hub.current
        if wanted is None:
            self.server.close_prompt()
        elif current is None or current.id != wanted:
            assert step.prompt is not None
            self.server.open_prompt(wanted, step.prompt.to_wire(), step=runner.index)
        breakout = None if finished else runner.agenda.breakout_for(runner.index)
        if breakout is None:
            self.server.close_breakout()
        else:
            plan = runner.agenda.steps[breakout]
            assert plan.breakout is not None
            timer = (
                Timer(runner.remaining(), runner.phase is Phase.RUNNING) if breakout == runner.index else None
            )
            rooms = rooms_of(runner.agenda, breakout, state.rooms)
            self.server.open_breakout(step_id(breakout), plan.title, plan.breakout.prompts, rooms, timer)
        self.save(state)

    def save(self, state: SavedState) -> None:
        """Queue the projector's state for the store's writer thread."""
        self.store.save_state(state.to_store())
