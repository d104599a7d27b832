import base64
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.decode.base import DecodeError
from orchestrator.decode.payload import decode_base64, parse_line, probe


def png(width: int, height: int) -> bytes:
    return cv2.imencode(".png", np.zeros((height, width, 3), np.uint8))[1].tobytes()


def code_of(line: bytes, **kw) -> str:
    with pytest.raises(DecodeError) as err:
        parse_line(line, **kw)
    return err.value.code


def test_standard_and_urlsafe_with_or_without_padding(vtest_jpegs) -> None:
    jpeg = vtest_jpegs[0]
    for line in (
        base64.b64encode(jpeg),
        base64.urlsafe_b64encode(jpeg),
        base64.urlsafe_b64encode(jpeg).rstrip(b"="),
        base64.b64encode(jpeg) + b"\r\n",
    ):
        p = parse_line(line)
        assert (p.format, p.width, p.height) == ("JPEG", 768, 576)


def test_named_errors(vtest_jpegs) -> None:
    jpeg = vtest_jpegs[0]
    assert code_of(b"") == "empty"
    assert code_of(b"   \n") == "empty"
    assert code_of(b"not base64 at all!") == "not_base64"
    assert code_of(base64.b64encode(b"plain text, not an image")) == "not_an_image"
    assert code_of(base64.b64encode(jpeg[: len(jpeg) // 2])) == "truncated"
    assert code_of(base64.b64encode(jpeg[:100])) == "truncated"
    assert code_of(base64.b64encode(png(64, 64)[:-20])) == "truncated"
    assert code_of(base64.b64encode(jpeg), max_pixels=768 * 576 - 1) == "too_large"


def test_gigantic_declared_size_is_refused_from_the_header_alone() -> None:
    # A PNG header that declares 100000 x 100000 pixels, with no pixel data behind it.
    ihdr = bytearray(png(1, 1))
    ihdr[16:24] = (100_000).to_bytes(4, "big") + (100_000).to_bytes(4, "big")
    ihdr[29:33] = zlib.crc32(bytes(ihdr[12:29])).to_bytes(4, "big")  # a well-formed header
    with pytest.raises(DecodeError) as err:
        probe(bytes(ihdr))
    assert err.value.code == "too_large" and "100000x100000" in err.value.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_garbage_bytes_never_escape_as_other_errors(data: bytes) -> None:
    for line in (data, base64.b64encode(data)):
        try:
            parse_line(line)
        except DecodeError as exc:
            assert exc.code in DecodeError.CODES


def test_decode_base64_rejects_impossible_lengths() -> None:
    with pytest.raises(DecodeError):
        decode_base64(b"abcde")


def test_data_urls_as_browsers_write_them(vtest_jpegs) -> None:
    jpeg = base64.b64encode(vtest_jpegs[0])
    for line in (
        b"data:image/jpeg;base64," + jpeg,
        b"DATA:image/jpeg;base64," + jpeg + b"\n",
        b"data:image/png;name=frame.jpg;base64," + jpeg,  # the media type is not trusted
        b"data:;base64," + jpeg,
        b"data:image/jpeg;base64," + base64.urlsafe_b64encode(vtest_jpegs[0]).rstrip(b"="),
    ):
        p = parse_line(line)
        assert (p.format, p.width, p.height) == ("JPEG", 768, 576)
    with pytest.raises(DecodeError, match="not base64 \\(no ';base64'\\)"):
        parse_line(b"data:image/svg+xml,%3Csvg%3E")
    assert code_of(b"data:image/jpeg;base64") == "not_base64"  # no comma
    assert code_of(b"data:image/jpeg;base64,") == "empty"
    assert code_of(b"data:text/plain;base64," + base64.b64encode(b"hello")) == "not_an_image"
