"""The participant side's rules, pure and synchronous: the wire (messages, addresses, limits), text
cleaning, the hub (who may answer what), tallies, and breakout notes. No sockets, SQLite or event loop
here."""
