"""Turning an imported file's bytes into text, whatever editor or spreadsheet saved it.

UTF-8 is the default, with or without the byte order mark Excel's "CSV UTF-8" writes. A byte
order mark for UTF-16 or UTF-32 (Excel's "Unicode Text", Windows Notepad's "UTF-16") is followed,
and so is UTF-16 without one when the file opens with ASCII text in two-byte steps. Any other
bytes that aren't text in that encoding (a Latin-1 or Windows-1252 export, a binary file) are
refused with the line and column of the first one, and how to save the file instead.
"""

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO

from scorecard.errors import UserError

# Longest first: UTF-32 LE's mark begins with UTF-16 LE's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DEFAULT_ENCODING = "utf-8"
# How much of a file is decoded at a time while looking for the byte that isn't text.
SEARCH_CHUNK = 1 << 20


class FileEncodingError(UserError):
    """The file isn't text in the encoding it appears to use; the message says where."""


def sniff_encoding(start: bytes) -> tuple[str, int]:
    """The encoding a file's first bytes announce, and how many of them are its byte order mark."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if start.startswith(mark):
            return encoding, len(mark)
    if len(start) >= 2 and start[0] and not start[1]:
        return "utf-16-le", 0
    if len(start) >= 2 and not start[0] and start[1]:
        return "utf-16-be", 0
    return DEFAULT_ENCODING, 0


def decode_file(data: bytes) -> str:
    """A whole file's text, without its byte order mark. Raises FileEncodingError."""
    encoding, skip = sniff_encoding(data[:4])
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError:
        raise _locate(io.BytesIO(data[skip:]), encoding) from None


def text_lines(file: BinaryIO) -> Iterator[str]:
    """A binary file's lines as text, line breaks kept (as `open(newline="")` gives them, so the
    csv module sees a quoted line break as part of its cell), read a buffer at a time.
    Raises FileEncodingError at the first bytes that aren't text; `file` must be seekable."""
    encoding, skip = sniff_encoding(file.read(4))
    file.seek(skip)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        yield from text
    except UnicodeDecodeError:
        text.detach()
        file.seek(skip)
        raise _locate(file, encoding) from None


def _locate(file: BinaryIO, encoding: str) -> FileEncodingError:
    """The error for the first bytes of `file` that aren't text, saying on which line."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line_breaks = 0
    last_line = ""
    while chunk := file.read(SEARCH_CHUNK):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as error:
            text = error.object[: error.start].decode(encoding, errors="replace")
            line_breaks += text.count("\n")
            last_line = (last_line + text).rsplit("\n", 1)[-1]
            bad = error.object[error.start : error.end]
            return _error(line_breaks + 1, len(last_line) + 1, bad, encoding)
        line_breaks += text.count("\n")
        last_line = (last_line + text).rsplit("\n", 1)[-1]
    return _error(line_breaks + 1, len(last_line) + 1, b"", encoding)  # cut off mid-character


def _error(line: int, column: int, bad: bytes, encoding: str) -> FileEncodingError:
    shown = " ".join(f"0x{byte:02X}" for byte in bad) or "the end of the file"
    name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
    return FileEncodingError(
        f"Line {line}, column {column}: {shown} is not {name} text, so nothing was imported. "
        "Save the file as UTF-8 (in Excel: “CSV UTF-8”; in other editors: encoding UTF-8) "
        "and import it again."
    )
