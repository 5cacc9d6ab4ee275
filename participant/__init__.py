"""The participant side of facilitate: everything a phone touches.

- :mod:`participant.core.protocol`: the wire messages, their limits, and the cleaning of participant text.
- :mod:`participant.core.tallies`: a prompt's results from its responses (pure functions).
- :mod:`participant.core.hub`: the session state (which prompt is open, who answered what); sans-IO.
- :mod:`participant.io.store`: the SQLite database of a session, written by one thread.
- :mod:`participant.io.server`: HTTP for the page and a websocket for live traffic, on one port.

This package never imports the trainer's side (``facilitator``) nor Textual: the trainer hands it
prompts as plain data (``Prompt.to_wire()``) and reads results back.
"""
