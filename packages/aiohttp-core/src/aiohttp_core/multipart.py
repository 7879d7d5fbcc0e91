"""Multipart reading and writing: the names of ``aiohttp.multipart``.

The code lives in ``multipart_parser`` (sans-I/O framing),
``multipart_codings`` (transfer and content codings), ``multipart_reader``
and ``multipart_writer``; this module gathers the public names.
"""

from __future__ import annotations

from .content_disposition import (
    content_disposition_filename,
    parse_content_disposition,
)
from .multipart_errors import (
    BadBoundary,
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BadTransferEncoding,
    MultipartError,
    NestingTooDeep,
    TooManyParts,
    UnterminatedMultipart,
)
from .multipart_reader import (
    MAX_DECOMPRESSED_SIZE,
    MAX_FIELD_SIZE,
    MAX_HEADERS,
    MAX_NESTING,
    MAX_PARTS,
    BodyPartReader,
    BodyPartReaderPayload,
    MultipartReader,
    MultipartResponseWrapper,
)
from .multipart_writer import MultipartPayloadWriter, MultipartWriter

__all__ = (
    "MAX_DECOMPRESSED_SIZE",
    "MAX_FIELD_SIZE",
    "MAX_HEADERS",
    "MAX_NESTING",
    "MAX_PARTS",
    "BadBoundary",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BadTransferEncoding",
    "BodyPartReader",
    "BodyPartReaderPayload",
    "MultipartError",
    "MultipartPayloadWriter",
    "MultipartReader",
    "MultipartResponseWrapper",
    "MultipartWriter",
    "NestingTooDeep",
    "TooManyParts",
    "UnterminatedMultipart",
    "content_disposition_filename",
    "parse_content_disposition",
)
