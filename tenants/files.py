"""Stored files: a storage interface (put, get, delete by key), the filesystem storage of the
embedded default, and what an uploaded document is (its type sniffed from its content).

Keys are content-addressed (`<namespace>/<sha256[:2]>/<sha256>`): writing the same bytes
twice is one file, and a transaction that rolls back after storing leaves at worst an
unreferenced file, never a row pointing at nothing. Writes are atomic (temporary file in the
same folder, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Protocol, runtime_checkable

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]*(?:/[a-z0-9][a-z0-9_\-]*)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidKey(ValueError):
    pass


class FileStorage(Protocol):
    """Where the bytes of uploaded files live; rows keep the key."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """Lower-case ASCII segments separated by `/`: no `..`, no absolute path."""
    if len(key) > 200 or not _KEY.match(key):
        raise InvalidKey(key)
    return key


def content_key(namespace: str, sha256_hex: str) -> str:
    return check_key(f"{namespace}/{sha256_hex[:2]}/{sha256_hex}")


class FilesystemStorage:
    """Files under `root`, one per key; the folder is created when first written to."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self.path_of(key), data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, self.path_of(key))

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    @staticmethod
    def _get(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None


@dataclass(frozen=True)
class Files:
    """What the services need to take uploads: the storage and the size limit."""

    storage: FileStorage
    max_bytes: int = DEFAULT_MAX_BYTES


@runtime_checkable
class Upload(Protocol):
    """An uploaded file as the HTTP layer hands it over (Starlette's `UploadFile` is one)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


class FileType(StrEnum):
    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"


_MAGIC: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", FileType.PDF),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
    (b"\xff\xd8\xff", FileType.JPEG),
)

EXTENSIONS: dict[FileType, frozenset[str]] = {
    FileType.PDF: frozenset({".pdf"}),
    FileType.PNG: frozenset({".png"}),
    FileType.JPEG: frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
}


def sniff(data: bytes) -> FileType | None:
    """The type the content says, from its first bytes; `None` when not one we accept."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def clean_filename(raw: str | None) -> str:
    """The last component of what the browser sent (some send `C:\\fakepath\\x.pdf`), NFC,
    without control characters, at most 255 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = _CONTROL.sub("", name).strip().lstrip(".")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: 255 - len(extension) - 1] + "." + extension
        else:
            name = name[:255]
    return name


def extension_matches(filename: str, kind: FileType) -> bool:
    suffix = PurePosixPath(filename.lower()).suffix
    return suffix in EXTENSIONS[kind]


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: FileType
    data: bytes
    sha256: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256_hex(self) -> str:
        return self.sha256.hex()


class FileProblem(StrEnum):
    EMPTY = "EMPTY"
    TOO_LARGE = "TOO_LARGE"
    TYPE_NOT_ACCEPTED = "TYPE_NOT_ACCEPTED"
    TYPE_MISMATCH = "TYPE_MISMATCH"


async def read_upload(upload: Upload, max_bytes: int) -> tuple[str, bytes | None]:
    """The cleaned file name and at most `max_bytes + 1` bytes (`None` beyond the limit),
    so a too-large file is never held whole in memory twice."""
    data = await upload.read(max_bytes + 1)
    return clean_filename(upload.filename), data if len(data) <= max_bytes else None


def check_file(filename: str, data: bytes | None) -> CheckedFile | FileProblem:
    """Empty, too large (`data` is `None`), not a PDF/PNG/JPEG, or named otherwise than its
    content says — or the file, with its sniffed type and SHA-256."""
    if data is None:
        return FileProblem.TOO_LARGE
    if not data:
        return FileProblem.EMPTY
    kind = sniff(data)
    if kind is None:
        return FileProblem.TYPE_NOT_ACCEPTED
    if not extension_matches(filename, kind):
        return FileProblem.TYPE_MISMATCH
    return CheckedFile(filename, kind, data, hashlib.sha256(data).digest())
