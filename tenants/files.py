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
import io
import os
import re
import tempfile
import unicodedata
import zipfile
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
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# What organisation documents accept (the default of `check_file`).
DOCUMENT_TYPES = frozenset({FileType.PDF, FileType.PNG, FileType.JPEG})


_MAGIC: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", FileType.PDF),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
    (b"\xff\xd8\xff", FileType.JPEG),
)

EXTENSIONS: dict[FileType, frozenset[str]] = {
    FileType.PDF: frozenset({".pdf"}),
    FileType.PNG: frozenset({".png"}),
    FileType.JPEG: frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    FileType.XLSX: frozenset({".xlsx"}),
    FileType.DOCX: frozenset({".docx"}),
}

# OOXML (ECMA-376): a ZIP whose `[Content_Types].xml` names the main part's content type.
# The macro-enabled twins (.xlsm, .docm) name `application/vnd.ms-excel.sheet.macroEnabled…`
# / `application/vnd.ms-word.document.macroEnabled…` and carry a `vbaProject.bin`.
_ZIP = b"PK\x03\x04"
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileType.XLSX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileType.DOCX
    ),
}
_CONTENT_TYPE = re.compile(r'ContentType\s*=\s*"([^"]{1,200})"')
_MAX_CONTENT_TYPES = 1024 * 1024  # [Content_Types].xml is a few kilobytes


def sniff_ooxml(data: bytes) -> FileType | FileProblem | None:
    """The OOXML type of a ZIP (`None`: not a workbook or document we accept), or
    MACRO_ENABLED for a macro-enabled one (content type or a VBA project part)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_CONTENT_TYPES:
                return None
            declared = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, EOFError):
        return None
    types = _CONTENT_TYPE.findall(declared)
    if any("macroenabled" in t.lower() for t in types) or any(
        PurePosixPath(name).name.lower() == "vbaproject.bin" for name in names
    ):
        return FileProblem.MACRO_ENABLED
    found = {_OOXML_MAIN[t] for t in types if t in _OOXML_MAIN}
    return found.pop() if len(found) == 1 else None


def sniff(data: bytes) -> FileType | None:
    """The type the content says, from its first bytes (and, for a ZIP, its OOXML content
    types); `None` when not one we accept (a macro-enabled document included)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(_ZIP):
        found = sniff_ooxml(data)
        return found if isinstance(found, FileType) else None
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
    MACRO_ENABLED = "MACRO_ENABLED"


async def read_upload(upload: Upload, max_bytes: int) -> tuple[str, bytes | None]:
    """The cleaned file name and at most `max_bytes + 1` bytes (`None` beyond the limit),
    so a too-large file is never held whole in memory twice."""
    data = await upload.read(max_bytes + 1)
    return clean_filename(upload.filename), data if len(data) <= max_bytes else None


def check_file(
    filename: str, data: bytes | None, accepted: frozenset[FileType] = DOCUMENT_TYPES
) -> CheckedFile | FileProblem:
    """Empty, too large (`data` is `None`), macro-enabled, not of an accepted type, or named
    otherwise than its content says — or the file, with its sniffed type and SHA-256."""
    if data is None:
        return FileProblem.TOO_LARGE
    if not data:
        return FileProblem.EMPTY
    if data.startswith(_ZIP) and sniff_ooxml(data) == FileProblem.MACRO_ENABLED:
        return FileProblem.MACRO_ENABLED
    kind = sniff(data)
    if kind is None or kind not in accepted:
        return FileProblem.TYPE_NOT_ACCEPTED
    if not extension_matches(filename, kind):
        return FileProblem.TYPE_MISMATCH
    return CheckedFile(filename, kind, data, hashlib.sha256(data).digest())


@dataclass(frozen=True)
class Refused:
    """Why an upload was refused, with what its message needs (size limit, names)."""

    problem: FileProblem
    params: dict[str, object]


async def read_checked(
    upload: Upload, max_bytes: int, accepted: frozenset[FileType] = DOCUMENT_TYPES
) -> CheckedFile | Refused:
    """Read an upload (at most `max_bytes`) and check it: the one path every uploaded file
    takes (organisation documents, deposits)."""
    filename, data = await read_upload(upload, max_bytes)
    result = check_file(filename, data, accepted)
    if isinstance(result, CheckedFile):
        return result
    params: dict[str, object] = {
        "max_mib": round(max_bytes / 1024 / 1024, 1),
        "filename": filename,
    }
    if result == FileProblem.TYPE_MISMATCH and data:
        params["actual"] = getattr(sniff(data), "name", "?")
    return Refused(result, params)


async def store_checked(storage: FileStorage, namespace: str, file: CheckedFile) -> str:
    """Write a checked file under its content key in `namespace`; the key (written before
    any row points at it: a rollback leaves an orphan file, never a row without its file)."""
    key = content_key(namespace, file.sha256_hex)
    await storage.put(key, file.data)
    return key
