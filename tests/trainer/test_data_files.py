"""Real data files as they come: mixed encodings read, bad rows named by line, no traceback."""

import subprocess
import sys

import pytest

from tests.conftest import REPO
from trainer.data import DataError, load_tagrec


def tagrec(tmp_path, lines: list[bytes]):
    path = tmp_path / "posts.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_tagrec_file_mixing_latin1_into_utf8_is_read_and_the_lines_counted(tmp_path):
    path = tagrec(tmp_path, [
        '"u1";"i1";"1000";"caf\u00e9,jazz"'.encode("utf-8"),
        b'"u1";"i2";"2000";"M\xfcnchen,beer"',  # Latin-1, as older exports wrote it
        b'"u2";"i1";"3000"',  # too few fields
    ])
    notes = []
    posts = {p.item + p.user: p for p in load_tagrec(path, notes)}
    assert posts["i1u1"].tags == {"caf\u00e9", "jazz"} and posts["i2u1"].tags == {"m\u00fcnchen", "beer"}
    assert any("1 line(s) were not UTF-8" in n for n in notes)
    assert any("1 line(s) with fewer than 4 fields" in n for n in notes)


def test_a_bad_row_is_named_by_its_line(tmp_path):
    path = tagrec(tmp_path, [b'"u1";"i1";"1000";"a"', b'"u1";"i2";"yesterday";"b"'])
    with pytest.raises(DataError, match=r"line 2: the third field should be a Unix time, not 'yesterday'"):
        load_tagrec(path)
    done = subprocess.run([sys.executable, "-m", "trainer.evaluate", "--dataset", f"tagrec:{path}", "--models", "mp-u"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 1 and "line 2" in done.stderr and "Traceback" not in done.stderr
