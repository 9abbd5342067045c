"""Stored files: atomic, content-addressed writes; uploads sniffed, size-limited, named right."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tenants.files import (
    CheckedFile,
    FileProblem,
    FilesystemStorage,
    FileType,
    InvalidKey,
    Upload,
    check_file,
    clean_filename,
    content_key,
    read_upload,
    sniff,
)
from tests.helpers.organisation_flows import JPEG_BYTES, pdf_bytes, png_bytes


class FakeUpload:
    """What Starlette's UploadFile offers: a name and `read(size)`, from a real file."""

    def __init__(self, path: Path, filename: str | None = None) -> None:
        self.path = path
        self.filename: str | None = filename if filename is not None else path.name

    async def read(self, size: int = -1) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(size)


async def test_storage_writes_reads_and_deletes_by_key(tmp_path: Path) -> None:
    storage = FilesystemStorage(tmp_path / "files")
    data = pdf_bytes()
    key = content_key("cnaps/organisation-documents", hashlib.sha256(data).hexdigest())
    assert await storage.get(key) is None
    await storage.put(key, data)
    assert await storage.get(key) == data
    path = storage.path_of(key)
    assert path.is_relative_to(tmp_path / "files") and path.read_bytes() == data
    await storage.put(key, data)  # the same content again: one file, unchanged
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left
    await storage.delete(key)
    assert await storage.get(key) is None
    await storage.delete(key)  # deleting what is gone is no error


async def test_a_failed_write_leaves_neither_file_nor_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = FilesystemStorage(tmp_path)
    key = content_key("cnaps/x", "ab" * 32)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        await storage.put(key, b"%PDF-1.4 data")
    folder = storage.path_of(key).parent
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/absolute", "cnaps/../x", "Upper/case", "a//b", "a/b/", "", "x" * 201],
)
def test_keys_cannot_leave_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidKey):
        FilesystemStorage(tmp_path).path_of(key)


def test_sniffing_reads_the_content_not_the_name(tmp_path: Path) -> None:
    assert sniff(pdf_bytes()) == FileType.PDF
    assert sniff(png_bytes()) == FileType.PNG
    assert sniff(JPEG_BYTES) == FileType.JPEG
    assert sniff(b"PK\x03\x04word document") is None  # a .docx is a zip
    assert sniff(b"GIF89a") is None
    assert sniff(b" %PDF-1.4") is None  # the magic must open the file


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("kbis.pdf", pdf_bytes(), FileType.PDF),
        ("KBIS.PDF", pdf_bytes(), FileType.PDF),
        ("identite.png", png_bytes(), FileType.PNG),
        ("identite.jpg", JPEG_BYTES, FileType.JPEG),
        ("identite.jpeg", JPEG_BYTES, FileType.JPEG),
        ("scan.pdf", png_bytes(), FileProblem.TYPE_MISMATCH),  # a PNG named .pdf
        ("photo.png", JPEG_BYTES, FileProblem.TYPE_MISMATCH),
        ("kbis", pdf_bytes(), FileProblem.TYPE_MISMATCH),  # no extension says nothing
        ("kbis.exe", pdf_bytes(), FileProblem.TYPE_MISMATCH),
        ("lettre.docx", b"PK\x03\x04...", FileProblem.TYPE_NOT_ACCEPTED),
        ("vide.pdf", b"", FileProblem.EMPTY),
    ],
)
async def test_uploads_from_real_files(
    tmp_path: Path, filename: str, content: bytes, expected: object
) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    name, data = await read_upload(FakeUpload(path), max_bytes=1024)
    result = check_file(name, data)
    if isinstance(expected, FileProblem):
        assert result == expected
    else:
        assert isinstance(result, CheckedFile)
        assert result.content_type == expected
        assert result.filename == filename
        assert result.size == len(content)
        assert result.sha256 == hashlib.sha256(content).digest()


async def test_size_limit_at_its_edge(tmp_path: Path) -> None:
    content = pdf_bytes()
    path = tmp_path / "kbis.pdf"
    path.write_bytes(content)
    upload = FakeUpload(path)
    assert isinstance(upload, Upload)
    name, data = await read_upload(upload, max_bytes=len(content))
    assert isinstance(check_file(name, data), CheckedFile)
    name, data = await read_upload(upload, max_bytes=len(content) - 1)
    assert data is None
    assert check_file(name, data) == FileProblem.TOO_LARGE


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\fakepath\\kbis.pdf", "kbis.pdf"),
        ("../../etc/kbis.pdf", "kbis.pdf"),
        ("ka\u0301bis.pdf", "k\u00e1bis.pdf"),  # NFC
        ("k\x00bis\n.pdf", "kbis.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        (None, ""),
    ],
)
def test_file_names_are_cleaned(raw: str | None, clean: str) -> None:
    assert clean_filename(raw) == clean


def test_long_names_keep_their_extension() -> None:
    name = clean_filename("a" * 300 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")


def test_ooxml_packages_are_told_by_their_content_types() -> None:
    from tests.helpers.habilitations import DOCX_MAIN, docm, docx, ooxml, xlsm, xlsx

    deposits = frozenset({FileType.XLSX, FileType.DOCX, FileType.PDF})
    excel = check_file("rapport.xlsx", xlsx(), deposits)
    assert isinstance(excel, CheckedFile) and excel.content_type == FileType.XLSX
    word = check_file("rapport.docx", docx(), deposits)
    assert isinstance(word, CheckedFile) and word.content_type == FileType.DOCX
    assert check_file("rapport.xlsm", xlsm(), deposits) == FileProblem.MACRO_ENABLED
    assert check_file("rapport.xlsx", xlsm(), deposits) == FileProblem.MACRO_ENABLED  # renamed
    assert check_file("rapport.docx", docm(), deposits) == FileProblem.MACRO_ENABLED
    # a VBA part smuggled into a package that declares a plain document
    smuggled = ooxml(DOCX_MAIN, "word/document.xml", vba=True)
    assert check_file("rapport.docx", smuggled, deposits) == FileProblem.MACRO_ENABLED
    # a ZIP that is no OOXML, a broken ZIP, HTML named .pdf
    assert check_file("a.xlsx", b"PK\x03\x04garbage", deposits) == FileProblem.TYPE_NOT_ACCEPTED
    html = b"<!DOCTYPE html><html></html>"
    assert check_file("a.pdf", html, deposits) == FileProblem.TYPE_NOT_ACCEPTED
    # organisation documents still take PDF, PNG and JPEG only
    assert check_file("kbis.docx", docx()) == FileProblem.TYPE_NOT_ACCEPTED
    assert sniff(xlsx()) == FileType.XLSX and sniff(xlsm()) is None
