"""The workshop's domain, pure and synchronous: no Textual, sockets, SQLite or event loop here.

Glossary: see :mod:`facilitator.domain.agenda`. Time comes from an injected clock
(:mod:`facilitator.domain.clock`), so tests never wait for real time.
"""
