"""``FormData``: the body of an HTML-like form, urlencoded or multipart.

A form is sent as ``application/x-www-form-urlencoded`` when every field is
a plain name and text value, and as ``multipart/form-data`` as soon as one
field is a file (``io.IOBase``), bytes, or was given a content type,
filename or transfer encoding (or with ``default_to_multipart``).

Field names, filenames and content types end up in part headers, so CR, LF
and NUL in them are refused with ``ValueError`` when the field is added.
Calling the form builds its payload; for a multipart form that is one
``MultipartWriter``, built on the first call and returned again by later
ones (a redirected request sends the same files again, rewound), after
which no field may be added.
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import AsyncIterable, Mapping
from typing import Any, Final, NamedTuple
from urllib.parse import urlencode

from multidict import MultiDict, MultiDictProxy

from . import hdrs
from .multipart_writer import MultipartWriter
from .payload import BytesPayload, LookupError, Payload, get_payload, guess_filename

__all__ = ("FormData",)

_FORBIDDEN_RE: Final = re.compile(r"[\r\n\x00]")


class _Field(NamedTuple):
    options: dict[str, str]  # Content-Disposition parameters
    headers: dict[str, str]
    value: Any


def _checked_str(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be an instance of str. Got: {value!r}")
    if _FORBIDDEN_RE.search(value):
        raise ValueError(f"{what} holds CR, LF or NUL: {value!r}")
    return value


class FormData:
    """Helper for ``multipart/form-data`` and urlencoded request bodies."""

    def __init__(
        self,
        fields: Any = (),
        quote_fields: bool = True,
        charset: str | None = None,
        boundary: str | None = None,
        *,
        default_to_multipart: bool = False,
    ) -> None:
        # Made now so that a bad boundary fails here, not when sending.
        self._writer = MultipartWriter("form-data", boundary=boundary)
        self._fields: list[_Field] = []
        self._is_multipart = default_to_multipart
        self._is_processed = False
        self._quote_fields = quote_fields
        self._charset = charset
        if isinstance(fields, Mapping):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    def __repr__(self) -> str:
        kind = "multipart" if self._is_multipart else "urlencoded"
        return f"<FormData {kind} fields={len(self._fields)}>"

    @property
    def is_multipart(self) -> bool:
        """True when the form will be sent as ``multipart/form-data``."""
        return self._is_multipart

    def add_field(
        self,
        name: str,
        value: Any,
        content_type: str | None = None,
        filename: str | None = None,
        content_transfer_encoding: str | None = None,
    ) -> None:
        """Add a field; TypeError for a value of another kind than documented."""
        if self._is_processed:
            raise RuntimeError("Form data has been processed already")
        _checked_str("name", name)
        if isinstance(value, (int, float)):
            # Numbers (and bools) are sent as their text, as urlencode does.
            value = str(value)
        elif isinstance(value, io.IOBase):
            self._is_multipart = True
            if filename is None:
                filename = guess_filename(value, name)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            if filename is None and content_transfer_encoding is None:
                filename = name  # the documented default for bytes
        elif isinstance(value, (Payload, AsyncIterable)):
            self._is_multipart = True
        elif not isinstance(value, str):
            raise TypeError(
                "Field value must be str, bytes or a file object, not "
                f"{type(value).__name__}"
            )
        options = {"name": name}
        headers: dict[str, str] = {}
        if filename is not None:
            options["filename"] = _checked_str("filename", filename)
            self._is_multipart = True
        if content_type is not None:
            headers[hdrs.CONTENT_TYPE] = _checked_str("content_type", content_type)
            self._is_multipart = True
        if content_transfer_encoding is not None:
            headers[hdrs.CONTENT_TRANSFER_ENCODING] = _checked_str(
                "content_transfer_encoding", content_transfer_encoding
            )
            self._is_multipart = True
        self._fields.append(_Field(options, headers, value))

    def add_fields(self, *fields: Any) -> None:
        """Add files, multidicts' items and (name, value) pairs."""
        to_add: deque[Any] = deque(fields)
        while to_add:
            rec = to_add.popleft()
            if isinstance(rec, io.IOBase):
                self.add_field(guess_filename(rec, "unknown") or "unknown", rec)
            elif isinstance(rec, (MultiDictProxy, MultiDict)):
                to_add.extend(rec.items())
            elif isinstance(rec, (list, tuple)) and len(rec) == 2:
                name, value = rec
                self.add_field(name, value)
            else:
                raise TypeError(
                    "Only io.IOBase, multidict and (name, file) pairs allowed, "
                    f"use .add_field() for passing more complex parameters, got {rec!r}"
                )

    def _gen_form_urlencoded(self) -> BytesPayload:
        charset = self._charset if self._charset is not None else "utf-8"
        content_type = "application/x-www-form-urlencoded"
        if charset != "utf-8":
            content_type += f"; charset={charset}"
        pairs = [(field.options["name"], field.value) for field in self._fields]
        data = urlencode(pairs, doseq=True, encoding=charset)
        return BytesPayload(data.encode(), content_type=content_type)

    def _gen_form_data(self) -> MultipartWriter:
        if self._is_processed:
            return self._writer
        for options, headers, value in self._fields:
            if isinstance(value, Payload):
                value.headers.update(headers)
            try:
                part = get_payload(
                    value,
                    headers=headers,
                    content_type=headers.get(hdrs.CONTENT_TYPE),
                    encoding=self._charset,
                    # A file's Content-Type is guessed from its name.
                    filename=options.get("filename"),
                )
            except LookupError as exc:
                raise TypeError(
                    f"Can not serialize value type: {type(value)!r}\n "
                    f"headers: {headers!r}\n value: {value!r}"
                ) from exc
            part.set_content_disposition(
                "form-data", quote_fields=self._quote_fields, **options
            )
            # RFC 7578 4.8: other header fields are ignored in form-data.
            part.headers.popall(hdrs.CONTENT_LENGTH, None)
            self._writer.append_payload(part)
        self._is_processed = True
        return self._writer

    def __call__(self) -> Payload:
        """Build the body: a ``MultipartWriter`` or an urlencoded payload."""
        if self._is_multipart:
            return self._gen_form_data()
        return self._gen_form_urlencoded()
