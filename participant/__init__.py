"""The participant side of facilitate: everything a phone or a breakout room's link touches.

- :mod:`participant.core.wire`: the addresses, the wire messages and every limit (the page gets its
  limits from here too).
- :mod:`participant.core.text`: the cleaning of participant text, which is untrusted.
- :mod:`participant.core.tallies`: a prompt's results from its responses (pure functions).
- :mod:`participant.core.hub`: the session state (which prompt is open, who answered what); sans-IO.
- :mod:`participant.core.notes`: the open breakout and its rooms' notes; sans-IO.
- :mod:`participant.io.store`: the SQLite database of a session, written by one thread.
- :mod:`participant.io.server`: HTTP for the page and a websocket for live traffic, on one port.

This package never imports the trainer's side (``facilitator``) nor Textual: the trainer hands it
prompts as plain data (``Prompt.to_wire()``) and reads results back.
"""
