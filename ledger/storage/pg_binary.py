"""PostgreSQL's binary formats, built in bulk for an append: arrays (``array_send``) and ``COPY … (FORMAT BINARY)``.

psycopg dumps an array, or a ``COPY`` row, one value at a time in Python: for a 100,000-event append that was
four arrays of 100,000 values and 400,000 chain, leaf and tree rows, about a third of the client's work. The
bytes are simple (PostgreSQL's documentation, "COPY … Binary Format" and ``array_send``): a header, then each
value as a 4-byte big-endian length and its bytes, integers big-endian. Only the types an append sends are
written here (``uuid``, ``bigint``, ``integer``, ``text``, ``bytea``); no value is NULL.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from psycopg import adapters, pq
from psycopg.adapt import Dumper

#: A binary COPY stream's header (signature, flags, no header extension) and trailer.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_TRAILER = b"\xff\xff"

_I4 = struct.Struct(">i").pack
_INT4 = struct.Struct(">ii").pack  # length 4 and the value
_INT8 = struct.Struct(">iq").pack  # length 8 and the value
_UUID_LENGTH = _I4(16)

# Element type oids (pg_type).
_OIDS = {"uuid": 2950, "bigint": 20, "text": 25, "bytea": 17}


class BinaryArray:
    """A one-dimensional array already in PostgreSQL's binary form; ``oid`` is the array type's."""

    __slots__ = ("data",)
    oid = 0

    def __init__(self, data: bytes) -> None:
        self.data = data


class UuidArray(BinaryArray):
    __slots__ = ()
    oid = 2951


class BigintArray(BinaryArray):
    __slots__ = ()
    oid = 1016


class TextArray(BinaryArray):
    __slots__ = ()
    oid = 1009


class ByteaArray(BinaryArray):
    __slots__ = ()
    oid = 1001


def _dumper(cls: type[BinaryArray]) -> type[Dumper]:
    class _Prebuilt(Dumper):
        format = pq.Format.BINARY
        oid = cls.oid

        def dump(self, obj: Any) -> bytes:
            return obj.data  # type: ignore[no-any-return]

    return _Prebuilt


for _cls in (UuidArray, BigintArray, TextArray, ByteaArray):
    adapters.register_dumper(_cls, _dumper(_cls))


def _array(element: str, count: int, body: bytes) -> bytes:
    # ndim, has-null flag, element oid, then (length, lower bound) of the one dimension; no dimension if empty.
    if not count:
        return struct.pack(">iii", 0, 0, _OIDS[element])
    return struct.pack(">iiiii", 1, 0, _OIDS[element], count, 1) + body


def uuid_array(values: Sequence[UUID]) -> UuidArray:
    """``uuid[]``."""
    return UuidArray(_array("uuid", len(values), b"".join(_UUID_LENGTH + v.bytes for v in values)))


def bigint_array(values: Sequence[int]) -> BigintArray:
    """``bigint[]``."""
    return BigintArray(_array("bigint", len(values), b"".join(_INT8(8, v) for v in values)))


def text_array(values: Sequence[str]) -> TextArray:
    """``text[]`` (UTF-8, the client encoding psycopg sets)."""
    encoded = [v.encode() for v in values]
    return TextArray(_array("text", len(values), b"".join(_I4(len(b)) + b for b in encoded)))


def bytea_array(values: Sequence[bytes]) -> ByteaArray:
    """``bytea[]``."""
    return ByteaArray(_array("bytea", len(values), b"".join(_I4(len(b)) + b for b in values)))


def copy_rows(rows: Iterable[Sequence[Any]], kinds: Sequence[str]) -> bytes:
    """A whole binary ``COPY`` stream of ``rows``, each value of the column kind at its place: ``integer``,
    ``bigint`` or ``bytea``."""
    count = struct.pack(">h", len(kinds))
    packs = [_INT4 if k == "integer" else _INT8 if k == "bigint" else None for k in kinds]
    if any(k not in ("integer", "bigint", "bytea") for k in kinds):
        raise ValueError(f"no binary COPY writer for {kinds}")
    out = [COPY_HEADER]
    append = out.append
    for row in rows:
        append(count)
        for value, pack in zip(row, packs, strict=True):
            if pack is None:
                append(_I4(len(value)))
                append(value)
            else:
                append(pack(4 if pack is _INT4 else 8, value))
    append(COPY_TRAILER)
    return b"".join(out)
