"""The join QR code as drawn in text: the cells carry exactly the code's modules."""

import pytest
from rich.console import Console

from facilitator.app.widgets.qr_code import DARK, qr_matrix, render_qr

URL = "http://192.168.100.200:8765/j/abcdefghjk"


def cells(text):
    """(character, foreground, background) of every cell, line by line."""
    console = Console(width=400, color_system="truecolor")
    return [
        [
            (char, seg.style.color.triplet.hex if seg.style.color else None, seg.style.bgcolor.triplet.hex)
            for seg in line
            for char in seg.text
        ]
        for line in console.render_lines(text, pad=False)
    ]


def test_scale_one_is_lower_half_blocks_carrying_two_modules_each():
    """Each cell is ▄: its background is the upper module, its glyph the lower one."""
    matrix = qr_matrix(URL)
    rows = []
    for line in cells(render_qr(matrix, 1)):
        assert {char for char, _, _ in line} == {"▄"}
        rows.append([bg == DARK for _, _, bg in line])
        rows.append([fg == DARK for _, fg, _ in line])
    assert rows[: len(matrix)] == matrix
    assert rows[len(matrix) :] in ([], [[False] * len(matrix[0])])  # an odd last row is padded light


@pytest.mark.parametrize("scale", [2, 4])
def test_larger_scales_are_coloured_spaces(scale):
    """Full-block scales use only backgrounds: square modules in any font."""
    matrix = qr_matrix(URL)
    lines = cells(render_qr(matrix, scale))
    assert len(lines) == len(matrix) * scale // 2
    for row, line in zip([row for row in matrix for _ in range(scale // 2)], lines, strict=True):
        assert {char for char, _, _ in line} == {" "}
        assert [bg == DARK for _, _, bg in line[::scale]] == row


def test_quiet_zone_is_light():
    """A light margin surrounds the code, so it scans on a dark terminal."""
    matrix = qr_matrix(URL)
    assert not any(matrix[0])
    assert not any(matrix[-1])
    assert not any(row[0] or row[-1] for row in matrix)
