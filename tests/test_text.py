"""Cleaning participant text: control characters go, line breaks only where a text may have them,
and everything else (markup included) stays the literal text it is."""

from participant.core.text import MAX_COMBINING_MARKS, clean_text, folded, theme_key


def test_markup_is_kept_verbatim():
    """Rich markup, HTML and braces are text: cleaning never interprets or escapes them."""
    for text in [
        "[bold red]x[/]",
        "<script>alert(1)</script>",
        "{{name}} & $HOME",
        "[link=http://x]y[/link]",
    ]:
        assert clean_text(text) == text


def test_terminal_escape_sequences_lose_their_control_characters():
    """ESC, BEL and other C0 controls are removed, so no sequence reaches a terminal."""
    assert clean_text("\x1b[31mred\x1b[0m\x07 \x1b]0;title\x07") == "[31mred[0m ]0;title"


def test_c1_controls_and_del_are_removed():
    """C1 controls (including the 8-bit CSI) and DEL are removed."""
    assert clean_text("a\x9b31mb\x7fc\x85d\x80") == "a31mbc d"


def test_bidirectional_overrides_and_lone_surrogates_are_removed():
    """Overrides that would reorder text on the projector, and unencodable surrogates, go."""
    assert clean_text("abc\u202edef\u2066g\u2069\ud800") == "abcdefg"


def test_line_breaks_kept_only_in_long_text():
    """Long text keeps its lines (\\r\\n and Unicode separators become \\n; one blank line at most)."""
    assert (
        clean_text("one\r\ntwo\rthree\u2028four\n\n\n\nfive", multiline=True)
        == "one\ntwo\nthree\nfour\n\nfive"
    )
    assert clean_text("one\r\ntwo\tthree  four") == "one two three four"


def test_text_is_nfc_normalised_and_trimmed():
    """A decomposed é becomes one code point; surrounding whitespace goes."""
    assert clean_text("  e\u0301cole \n") == "\u00e9cole"


def test_combining_marks_are_capped_per_character():
    """ "e" with 290 combining accents keeps a few, so it cannot streak down a screen; normal
    accented text is untouched."""
    assert clean_text("e" + "\u0301" * 290) == "\u00e9" + "\u0301" * MAX_COMBINING_MARKS  # é, then the cap
    assert clean_text("Việt Nam, café, ñ") == "Việt Nam, café, ñ"


def test_folded_sees_through_look_alike_spellings_only_for_comparison():
    """Full-width letters, zero-width characters, soft hyphens, case and spacing fold alike."""
    assert {folded(s) for s in ["Trust", "ｔｒｕｓｔ", "tr\u200bust", "tru\u00adst", "  TRUST "]} == {"trust"}
    assert folded("child  protection order") == "child protection order"


def test_theme_labels_that_differ_only_in_case_spacing_or_punctuation_are_one_theme():
    """Rooms type the same theme differently; the key sees through case, spacing and punctuation."""
    assert theme_key(" Trust! ") == theme_key("TRUST.") == theme_key("Ｔｒｕｓｔ") == "trust"
    assert theme_key("Self-care") == theme_key("self   care") == "self care"
    assert theme_key("Trust") != theme_key("Trusted")
