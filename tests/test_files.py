"""uqsurvey._files.atomic_write: the whole file or nothing."""
from __future__ import annotations

import pytest

from uqsurvey._files import atomic_write


def test_writes_text_and_bytes_and_creates_the_folder(tmp_path):
    atomic_write(tmp_path / "a" / "b.txt", "é\n")
    atomic_write(tmp_path / "c.bin", b"\x00\x01")
    assert (tmp_path / "a" / "b.txt").read_bytes() == "é\n".encode("utf-8")
    assert (tmp_path / "c.bin").read_bytes() == b"\x00\x01"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "t.json"
    target.write_text("old", encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("uqsurvey._files.os.replace", fail)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]
