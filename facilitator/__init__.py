"""The trainer's side of facilitate.

- :mod:`facilitator.domain`: pure and synchronous. The agenda and its loader, the runner (time),
  the themes of breakout notes, the report, and the workshop controller
  (:mod:`facilitator.domain.workshop`), where every trainer action is decided.
- :mod:`facilitator.live`: the edges of a running session. The participant server and store behind
  the controller's ports, and the background worker for slow work.
- :mod:`facilitator.app`: the Textual screens. They map keys to controller calls and draw what it
  reports; they decide nothing.
- :mod:`facilitator.cli`: the ``facilitate`` command, which wires the three together.
"""
