"""The address phones use to join: the laptop's LAN address and port, or a given public URL."""

from __future__ import annotations

import ipaddress
import socket

from participant.core.wire import join_path

WILDCARDS = {"", "0.0.0.0", "::"}
# A documentation address (TEST-NET-1): connecting a UDP socket to it only asks the OS which local
# address would route there; no packet is sent.
_ROUTE_PROBE = ("192.0.2.1", 9)


def lan_address() -> str | None:
    """The address other machines on the LAN reach this one at, or None if it has no network."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ROUTE_PROBE)
            address = str(probe.getsockname()[0])
    except OSError:
        address = None
    if address and not ipaddress.ip_address(address).is_loopback:
        return address
    try:
        candidates = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return None
    return next((a for a in candidates if not ipaddress.ip_address(a).is_loopback), None)


def join_url(code: str, *, host: str, port: int, public_url: str | None = None) -> str:
    """The join URL for session ``code``: ``public_url`` if given, else this machine on ``port``."""
    if public_url:
        return f"{public_url.rstrip('/')}{join_path(code)}"
    address = host if host not in WILDCARDS else (lan_address() or "127.0.0.1")
    if ":" in address:
        address = f"[{address}]"
    return f"http://{address}:{port}{join_path(code)}"


def local_url(host: str, port: int) -> str:
    """Where this machine reaches a server listening on ``host``:``port`` (the presenter's way in)."""
    address = "127.0.0.1" if host in WILDCARDS else host
    if ":" in address:
        address = f"[{address}]"
    return f"http://{address}:{port}"
