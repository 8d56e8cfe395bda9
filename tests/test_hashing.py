"""File content hashes: sha256 and BLAKE3, each cached by path, size, mtime and inode."""

import hashlib

import pytest

from toolpath.tools import hashing

BLAKE3_ABC = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLPATH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_digests_are_the_standard_ones_and_cached_per_algorithm(cache, monkeypatch) -> None:
    pytest.importorskip("blake3")
    file, empty = cache / "weights.bin", cache / "empty.bin"
    file.write_bytes(b"abc")
    empty.write_bytes(b"")
    digests = hashing.files_digests([file, empty], "blake3")
    assert digests[file] == BLAKE3_ABC
    assert digests[empty].startswith("af1349b9f5f9a1a6")  # BLAKE3 of no bytes
    assert hashing.files_sha256([file])[file] == hashlib.sha256(b"abc").hexdigest()
    assert hashing.fast_algorithm() == "blake3"

    def no_reads(*_args) -> str:
        raise AssertionError("a cached digest was computed again")

    monkeypatch.setattr(hashing, "_hash_file", no_reads)
    assert hashing.files_digests([file], "blake3")[file] == BLAKE3_ABC
    assert hashing.files_sha256([file])[file] == hashlib.sha256(b"abc").hexdigest()


def test_a_changed_file_is_hashed_again(cache) -> None:
    pytest.importorskip("blake3")
    file = cache / "weights.bin"
    file.write_bytes(b"abc")
    first = hashing.files_digests([file], "blake3")[file]
    file.write_bytes(b"abcd")
    assert hashing.files_digests([file], "blake3")[file] != first
