"""Image sizes read from file headers, for media records."""

from __future__ import annotations

import struct
import zlib

from wparchive.imagesize import image_size


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def test_png_gif_jpeg_and_webp_sizes():
    assert image_size(png(1200, 800)) == (1200, 800)
    assert image_size(b"GIF89a" + struct.pack("<HH", 300, 200) + b"\x00" * 8) == (300, 200)
    assert image_size(jpeg(1024, 683)) == (1024, 683)
    vp8x = (
        b"RIFF\x00\x00\x00\x00WEBPVP8X"
        + b"\x00" * 8
        + (639).to_bytes(3, "little")
        + (479).to_bytes(3, "little")
    )
    assert image_size(vp8x) == (640, 480)


def test_anything_else_has_no_size():
    assert image_size(b"") is None
    assert image_size(b"<html>not an image</html>") is None
    assert image_size(b"\xff\xd8\xff") is None  # a JPEG cut short
