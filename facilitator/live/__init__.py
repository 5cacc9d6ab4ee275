"""A workshop running for real: the controller's ports backed by the participant server and the
session store, the join address, and the worker that keeps slow work off the event loop."""
