"""Probe round 4: the lab reads text as training does, and messages name the right file, option and fix."""

import pytest

from gatedrnn.lab.units import read_text_start


# -- A3: lab cells --text reads a text as training and eval do -----------------------------
@pytest.mark.parametrize("raw", [b"ab\r\ncd\r\nef", b"\xef\xbb\xbfab\ncd\nef", b"\xef\xbb\xbfab\r\ncd\r\nef"])
def test_lab_text_drops_a_bom_and_reads_crlf_as_lf(tmp_path, raw):
    path = tmp_path / "t.txt"
    path.write_bytes(raw)
    assert read_text_start(path, 100) == "ab\ncd\nef"
    assert read_text_start(path, 4) == "ab\nc"  # counted in the characters the model reads


def test_lab_text_reads_only_the_start_of_a_long_crlf_text(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "é\r\n".encode() * 1000)
    assert read_text_start(path, 5) == "é\né\né"
