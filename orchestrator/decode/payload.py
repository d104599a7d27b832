"""One stdin line to encoded image bytes, with every way it can be wrong named.

Checks here are cheap and happen before any pixel is allocated: base64 (standard or
URL-safe, padding optional, optionally behind a `data:image/...;base64,` prefix, what
browsers' `canvas.toDataURL()` and many tools produce), then the image header (format
and declared size) read by Pillow without decoding, then the end-of-image marker that
tells a truncated file. OpenCV decodes a truncated JPEG without complaint (grey fill), so
truncation must be caught here.
"""

from __future__ import annotations

import binascii
import io
from dataclasses import dataclass

import pybase64
from PIL import Image, UnidentifiedImageError

from orchestrator.decode.base import DecodeError

# We enforce our own limit; Pillow's global one would raise a different error first.
Image.MAX_IMAGE_PIXELS = None

DEFAULT_MAX_PIXELS = 8192 * 8192
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_JPEG_EOI = b"\xff\xd9"
_PNG_IEND = b"IEND\xaeB`\x82"
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
_DATA_URL = b"data:"
_MAX_DATA_URL_HEAD = 256  # "data:" + media type + parameters + ";base64,"


@dataclass(frozen=True)
class Payload:
    """Encoded image bytes whose header was read and found acceptable."""

    data: bytes
    format: str
    width: int
    height: int


def strip_data_url(text: bytes) -> bytes:
    """The base64 part of a `data:[<media type>][;param...];base64,<data>` URL (RFC 2397);
    anything else unchanged. A data URL that is not base64 (percent-encoded) is refused."""
    if text[:5].lower() != _DATA_URL:
        return text
    comma = text.find(b",", 0, _MAX_DATA_URL_HEAD)
    if comma < 0:
        raise DecodeError("not_base64", "data URL without a ',' after its media type")
    params = text[5:comma].split(b";")
    if params[-1].strip().lower() != b"base64":
        head = text[:comma].decode("ascii", "replace")
        raise DecodeError("not_base64", f"data URL {head!r} is not base64 (no ';base64')")
    return text[comma + 1 :]


def decode_base64(line: bytes) -> bytes:
    """Standard or URL-safe base64, with or without padding, surrounding whitespace ignored,
    optionally as a `data:image/...;base64,` URL."""
    text = line.strip()
    if not text:
        raise DecodeError("empty", "empty line")
    text = strip_data_url(text)
    if not text:
        raise DecodeError("empty", "data URL without data")
    if b"-" in text or b"_" in text:
        text = text.translate(_URLSAFE)
    text += b"=" * (-len(text) % 4)
    try:  # SIMD: ~30x faster than binascii's 0.4-0.7 ms for a 60 KB frame
        return pybase64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise DecodeError("not_base64", f"not base64: {exc}") from None


def probe(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Payload:
    """Read the header only; refuse what is not an image, too large, or visibly cut short."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = img.format or "?", img.size
    except UnidentifiedImageError:
        raise DecodeError(
            "not_an_image", f"not an image ({len(data)} bytes, unknown format)"
        ) from None
    except Exception as exc:  # Pillow raises many kinds on malformed headers
        if data.startswith(_SIGNATURES):
            raise DecodeError("truncated", f"truncated image header: {exc}") from None
        raise DecodeError("not_an_image", f"unreadable image header: {exc}") from None
    if width <= 0 or height <= 0:
        raise DecodeError("not_an_image", f"{fmt} header declares {width}x{height}")
    if width * height > max_pixels:
        raise DecodeError(
            "too_large", f"{fmt} {width}x{height} exceeds the limit of {max_pixels} pixels"
        )
    if fmt == "JPEG" and _JPEG_EOI not in data[-64:]:
        raise DecodeError("truncated", "truncated JPEG (no end-of-image marker)")
    if fmt == "PNG" and _PNG_IEND not in data[-64:]:
        raise DecodeError("truncated", "truncated PNG (no IEND chunk)")
    return Payload(data, fmt, width, height)


def parse_line(line: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Payload:
    """A stdin line to a checked payload, or the `DecodeError` saying why not."""
    return probe(decode_base64(line), max_pixels)
