"""Which web pages may open the websocket: only the ones this server serves. Pure.

A browser sends the origin of the page that opens a websocket (``scheme://host[:port]``). Without a
check, a page of any other site, visited by anyone who holds a room's link, could write that room's
notes. The server accepts the origins of the addresses it is served at (the join URL on the
projector, ``--public-url``) and of this machine on its port; an upgrade with another origin,
``null`` (a file, a sandboxed frame) or none at all is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def origin_of(url: str) -> str | None:
    """The origin a browser sends for a page at ``url`` (no path, no default port), or None if it
    has none (not http or https, no host, a bad port)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def served_origins(port: int, urls: Iterable[str] = ()) -> frozenset[str]:
    """The origins allowed to open the websocket of a server on ``port`` also served at ``urls``."""
    local = [f"http://{host}:{port}" for host in LOCAL_HOSTS]
    return frozenset(origin for origin in map(origin_of, [*urls, *local]) if origin is not None)
