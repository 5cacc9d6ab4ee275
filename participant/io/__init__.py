"""The participant side's edges: the server (HTTP and websocket on one port) and the SQLite store."""
