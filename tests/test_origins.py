"""Which pages may open the websocket: origins as browsers write them. Pure."""

import pytest

from participant.core.origins import origin_of, served_origins


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://192.168.1.20:8765/j/abc", "http://192.168.1.20:8765"),
        ("HTTPS://Workshop.Example:443/", "https://workshop.example"),
        ("http://workshop.example:80/j/x?y=1", "http://workshop.example"),
        ("https://workshop.example:8443", "https://workshop.example:8443"),
        ("http://[fe80::1]:8765/", "http://[fe80::1]:8765"),
        ("null", None),
        ("", None),
        ("file:///tmp/page.html", None),
        ("http://host:99999/", None),
        ("http:///no-host", None),
    ],
)
def test_the_origin_of_a_url_is_what_browsers_send(url, origin):
    """Scheme and host in lower case, no path, no default port; None for what has no origin."""
    assert origin_of(url) == origin


def test_served_origins_are_the_urls_and_this_machine_on_its_port():
    """The join URL's and a public URL's origins, and localhost, 127.0.0.1 and [::1] on the port."""
    assert served_origins(8765, ["http://192.168.1.20:8765/j/abc", "https://workshop.example/"]) == {
        "http://192.168.1.20:8765",
        "https://workshop.example",
        "http://localhost:8765",
        "http://127.0.0.1:8765",
        "http://[::1]:8765",
    }
    assert served_origins(80) == {"http://localhost", "http://127.0.0.1", "http://[::1]"}
