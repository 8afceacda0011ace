"""Turn one uploaded file into documents: a PDF as is, a zip unpacked safely in memory.

Nothing in a zip is trusted: declared sizes are checked and then enforced while stream-decompressing
(at most limit + 1 bytes are ever produced per entry), paths that escape the archive, symlinks,
encrypted and nested entries are refused entry by entry, and an archive that is broken or a bomb as a
whole becomes a single rejection. Nothing is written to disk.
"""

from __future__ import annotations

import io
import itertools
import lzma
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from zapdoc.domain.documents import Rejected, Source
from zapdoc.inputs.sniff import EINVOICE_XML, XML_SNIFF_WINDOW, sniff, zip_entry_names

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one upload may expand to; the defaults suit a web service."""

    max_file_bytes: int = 200 * MB
    """A single uploaded or loose file."""
    max_entries: int = 1000
    """Files in one zip (folders and OS junk not counted); one more and the zip is rejected whole."""
    max_entry_bytes: int = 100 * MB
    """Uncompressed size of one zip entry."""
    max_total_bytes: int = 500 * MB
    """Uncompressed total of one zip (nested zips included)."""
    max_ratio: float = 100.0
    """Compression ratio of one entry, checked once it expands past ``ratio_floor_bytes``."""
    max_nesting: int = 0
    """Zips inside zips allowed: 0 = none (a nested zip is an error row)."""
    ratio_floor_bytes: int = 1 * MB
    """Entries smaller than this are never refused for their ratio: they cannot hurt."""


DEFAULT_LIMITS = Limits()

_CHUNK = 1 * MB
_DOCUMENTS = ("pdf", "zip", EINVOICE_XML)
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"})
_JUNK_DIRS = frozenset({"__macosx", ".git", ".svn", "$recycle.bin", ".trashes", ".spotlight-v100"})
# Errors zipfile and its decompressors raise on damaged data.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, struct.error)


def expand(name: str, data: bytes, limits: Limits = Limits()) -> Iterator[Source | Rejected]:
    """One uploaded or loose file -> ``Source`` per PDF and ``Rejected`` per unusable file or entry."""
    if len(data) > limits.max_file_bytes:
        yield Rejected(name, file_too_big(len(data), limits))
        return
    kind = sniff(data)
    if kind in ("pdf", EINVOICE_XML):
        yield Source(name, data)
    elif kind == "zip":
        yield from _Unpacker(limits).expand_zip(name, data, depth=0)
    elif not data:
        yield Rejected(name, "the file is empty (0 bytes)")
    else:
        yield Rejected(name, f"the file is {kind}, not a PDF or a .zip")


def file_too_big(size: int, limits: Limits) -> str:
    """The reason for a file over ``max_file_bytes``."""
    return f"the file is {size_text(size)}, over the {size_text(limits.max_file_bytes)} limit for one file"


def size_text(size: int) -> str:
    """A size for a message: '312 MB', '1.5 MB', '900 bytes'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 10 * MB:
        return f"{size / MB:.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.0f} KB"
    return f"{size / MB:,.0f} MB"


class _ArchiveTooBig(Exception):
    """Raised mid-stream when the archive's real uncompressed total passes the limit."""


class _Unpacker:
    """Unpacks one upload; keeps the uncompressed total across nested archives."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.names: set[str] = set()

    def unique(self, display: str) -> str:
        """``display``, or ``stem (n).ext`` when an earlier entry of this upload already has that name.

        Entries whose cleaned paths collide (``./a.pdf`` and ``a.pdf``, ``d//a.pdf`` and ``d/a.pdf``, the
        same name twice) stay distinct documents with distinct names in the workbook."""
        name = display
        if name in self.names:
            head, sep, base = display.rpartition("/")
            stem, dot, ext = base.rpartition(".")
            if not stem:  # no extension (or a leading dot only)
                stem, dot, ext = base, "", ""
            n = 2
            while name in self.names:
                name = f"{head}{sep}{stem} ({n}){dot}{ext}"
                n += 1
        self.names.add(name)
        return name

    def expand_zip(self, name: str, data: bytes, *, depth: int) -> Iterator[Source | Rejected]:
        limits = self.limits
        problem = self._count_problem(data)
        if problem:
            yield Rejected(name, problem)
            return
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (*_ZIP_ERRORS, NotImplementedError, RuntimeError) as exc:
            yield Rejected(name, f"the .zip archive is damaged or incomplete and cannot be opened ({exc})")
            return
        with zf:
            if _overlapping(infos):
                yield Rejected(name, "the archive's entries overlap (a zip-bomb trick); it was not unpacked")
                return
            entries = sorted((zi for zi in infos if not _skipped(zi)), key=lambda zi: zi.filename)
            declared = sum(zi.file_size for zi in entries if not _unsafe_path(zi.filename))
            if self.total + declared > limits.max_total_bytes:
                yield Rejected(name, self._total_message(declared, len(data)))
                return
            produced = False
            try:
                for zi in entries:
                    for item in self._entry(name, zf, zi, depth=depth, packed_total=len(data)):
                        produced = True
                        yield item
            except _ArchiveTooBig:
                yield Rejected(
                    name,
                    f"the archive expands to more than {size_text(limits.max_total_bytes)}, the limit for one"
                    " upload; the remaining files were not unpacked",
                )
                return
            if not produced:
                yield Rejected(name, "the .zip archive contains no files")

    def _count_problem(self, data: bytes) -> str:
        """Refuse archives with too many files before zipfile builds an object per entry."""
        limit = self.limits.max_entries
        hard_cap = 4 * limit + 100  # folders and junk do not count, but are still bounded
        names = zip_entry_names(data, stop_after=hard_cap)
        if names is None:
            return ""
        files = [n for n in names if not n.endswith("/") and not _junk_path(n)]
        if len(names) > hard_cap or len(files) > limit:
            count = f"{len(files):,}" if len(names) <= hard_cap else f"more than {limit:,}"
            return (
                f"the archive holds {count} files, over the limit of {limit:,} per archive;"
                " split it into smaller archives"
            )
        return ""

    def _total_message(self, declared: int, packed: int) -> str:
        limit = size_text(self.limits.max_total_bytes)
        if declared > self.limits.max_ratio * max(packed, 1):
            return (
                f"the archive would expand from {size_text(packed)} to {size_text(declared)},"
                f" over the {limit} limit: it looks like a zip bomb; it was not unpacked"
            )
        return (
            f"the archive expands to {size_text(declared)}, over the {limit} limit for one upload;"
            " split it into smaller archives"
        )

    def _entry(
        self, archive: str, zf: zipfile.ZipFile, zi: zipfile.ZipInfo, *, depth: int, packed_total: int
    ) -> Iterator[Source | Rejected]:
        limits = self.limits
        raw = zi.filename
        unsafe = _unsafe_path(raw)
        display = self.unique(f"{archive}/{_printable(raw if unsafe else _clean_path(raw))}")
        if unsafe:
            yield Rejected(display, unsafe)
            return
        if stat.S_ISLNK(zi.external_attr >> 16):
            yield Rejected(display, "the entry is a symbolic link, not a file; it was not followed")
            return
        if zi.flag_bits & 0x1:
            yield Rejected(
                display, "the entry is encrypted with a password: zip the files again without a password"
            )
            return
        # Declared sizes are checked first (cheap, and the reason is exact); _read then enforces the
        # same limits on what really comes out. zipfile reads at most compress_size bytes of input
        # (and not past the archive), so output / packed is the real ratio.
        packed = max(1, min(zi.compress_size, packed_total))
        if _ratio_too_high(zi.file_size, packed, limits):
            yield Rejected(display, _bomb_message(zi.file_size, packed, limits))
            return
        if zi.file_size > limits.max_entry_bytes:
            yield Rejected(
                display,
                f"the entry expands to {size_text(zi.file_size)},"
                f" over the {size_text(limits.max_entry_bytes)} limit for one file",
            )
            return
        try:
            data = self._read(zf, zi, packed)
        except _EntryRejected as exc:
            yield Rejected(display, str(exc))
            return
        kind = sniff(data)
        if kind in ("pdf", EINVOICE_XML):
            yield Source(display, data)
        elif not data:
            yield Rejected(display, "the entry is empty (0 bytes)")
        elif kind != "zip":
            yield Rejected(display, f"the entry is {kind}, not a PDF")
        elif depth >= limits.max_nesting:
            yield Rejected(
                display,
                "the entry is a .zip inside the .zip: nested archives are not unpacked;"
                " unzip it and upload its PDFs or the inner .zip itself",
            )
        else:
            yield from self.expand_zip(display, data, depth=depth + 1)

    def _read(self, zf: zipfile.ZipFile, zi: zipfile.ZipInfo, packed: int) -> bytes:
        """Stream-decompress one entry, never producing more than the limits allow (+1 byte)."""
        limits = self.limits
        cap = limits.max_entry_bytes
        buf = bytearray()
        try:
            with zf.open(zi) as stream:
                while True:
                    chunk = stream.read(min(_CHUNK, cap + 1 - len(buf)))
                    if not chunk:
                        break
                    buf += chunk
                    if len(buf) > cap:
                        raise _EntryRejected(
                            f"the entry expands to more than {size_text(cap)}, the limit for one file"
                        )
                    if _ratio_too_high(len(buf), packed, limits):
                        raise _EntryRejected(_bomb_message(len(buf), packed, limits, at_least=True))
                    if self.total + len(buf) > limits.max_total_bytes:
                        raise _ArchiveTooBig
                    if len(buf) == len(chunk) and sniff(bytes(buf[:XML_SNIFF_WINDOW])) not in _DOCUMENTS:
                        break  # not a document: the first chunk is enough to say what it is
        except NotImplementedError as exc:
            raise _EntryRejected(f"the entry uses an unsupported compression method ({exc})") from exc
        except (*_ZIP_ERRORS, RuntimeError) as exc:
            raise _EntryRejected(f"the entry is damaged and could not be unpacked ({exc})") from exc
        self.total += len(buf)
        return bytes(buf)


class _EntryRejected(Exception):
    """An entry that cannot be unpacked; the message is the user-facing reason."""


def _ratio_too_high(size: int, packed: int, limits: Limits) -> bool:
    return size > limits.ratio_floor_bytes and size > limits.max_ratio * max(packed, 1)


def _bomb_message(size: int, packed: int, limits: Limits, *, at_least: bool = False) -> str:
    ratio = size / max(packed, 1)
    more = "more than " if at_least else ""
    return (
        f"the entry expands {more}{ratio:,.0f} times ({size_text(packed)} to {more}{size_text(size)}),"
        f" over the {limits.max_ratio:,.0f}x limit: it looks like a zip bomb; it was not unpacked"
    )


def _parts(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]


def _clean_path(path: str) -> str:
    return "/".join(_parts(path))


def _unsafe_path(path: str) -> str:
    """Why a path could escape the folder it is unpacked into (zip slip), or '' when it is safe."""
    norm = path.replace("\\", "/")
    if norm.startswith("/") or (len(norm) >= 2 and norm[1] == ":" and norm[0].isalpha()):
        return (
            f"the entry has an absolute path ({_printable(path)}), which could overwrite files outside"
            " the archive (zip slip); it was not unpacked"
        )
    if ".." in norm.split("/") or "\x00" in norm:
        return (
            f"the entry's path ({_printable(path)}) points outside the archive (zip slip);"
            " it was not unpacked"
        )
    return ""


def _junk_path(path: str) -> bool:
    """OS clutter (Finder, Explorer, version control) and hidden files, skipped without a row."""
    parts = _parts(path)
    if not parts:
        return True
    if any(p.lower() in _JUNK_DIRS for p in parts[:-1]):
        return True
    base = parts[-1]
    return base.lower() in _JUNK_NAMES or (base.startswith(".") and base != "..")


def _skipped(zi: zipfile.ZipInfo) -> bool:
    """Directory entries and junk are skipped silently; unsafe paths never are (they get a row)."""
    if _unsafe_path(zi.filename):
        return False
    return zi.is_dir() or _junk_path(zi.filename)


def _overlapping(infos: list[zipfile.ZipInfo]) -> bool:
    """True when two entries share compressed bytes, the trick behind non-recursive zip bombs."""
    spans = sorted((zi.header_offset, zi.header_offset + 30 + zi.compress_size) for zi in infos)
    return any(nxt[0] < cur[1] for cur, nxt in itertools.pairwise(spans))


def _printable(text: str) -> str:
    """Control characters in names replaced: they would garble logs, messages and cells."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)
