"""A petition's picture: an uploaded file decoded safely and drawn again into the files
we serve.

Nothing of the upload is kept. Pillow decodes it (JPEG, PNG or WebP, whatever its name or
declared type says) and the pixels are encoded into new files, so its metadata (EXIF with
GPS, ICC profiles, comments, XMP) and anything hidden around the pixels (the HTML or ZIP
part of a polyglot) are gone. The steps:

1. Refuse a file over PICTURE_MAX_BYTES, then read only its header and refuse more than
   PICTURE_MAX_PIXELS before a pixel is decoded (decompression bombs), and a strip no
   page could show (nor WebP encode, past 16,383 pixels); a JPEG is decoded
   at no more than twice the size we need (`draft`), which keeps a 40-megapixel photo in
   a few tens of megabytes.
2. Decode the first frame completely (a truncated file fails here, not in a browser).
3. Turn it upright (EXIF orientation), into sRGB (its ICC profile, if any), and into RGB,
   or RGBA when it is really transparent (CMYK, 16-bit, palette and grey images too).
4. Resize to each of WIDTHS narrower than the picture, and the picture's own width if it
   is narrower than the widest (never upscaled); encode each as WebP and JPEG (JPEG on
   white where it was transparent: social networks and old browsers take JPEG).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

log = logging.getLogger(__name__)

WIDTHS = (480, 960, 1600)
# File extension → (Pillow's format, content type) of what we serve.
FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg")}
DECODERS = ("JPEG", "PNG", "WEBP")
SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
TRANSPARENT = {"RGBA", "LA", "PA", "RGBa", "La"}


class PictureError(Exception):
    """A file we do not take, with the sentence that tells the organizer why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Prepared:
    """The files to store: {(width, extension): bytes}, and the widest one's size."""

    files: dict[tuple[int, str], bytes]
    width: int
    height: int

    @property
    def widths(self) -> list[int]:
        return sorted({width for width, _ext in self.files})


def prepare(upload: File) -> Prepared:
    """The files to serve for this upload, or PictureError saying what is wrong with it."""
    image = decode(upload)
    try:
        return renditions(normalise(image))
    except PictureError:
        raise
    except Exception as error:
        # Pillow raises many kinds of exception on a malformed file (OSError, SyntaxError,
        # ValueError, struct.error…): each means only that we cannot use this one.
        log.info("picture refused while converting: %r", error)
        raise PictureError(unreadable()) from error


def unreadable() -> str:
    return _(
        "This file is not a picture we can read, or it is damaged. "
        "Choose a JPEG, PNG or WebP picture."
    )


def decode(upload: File) -> Image.Image:
    """Steps 1 and 2: the first frame, fully decoded, or PictureError."""
    limit = settings.PICTURE_MAX_BYTES
    too_big = _("The picture is larger than %(size)s: choose a smaller file.") % {
        "size": filesizeformat(limit)
    }
    if (upload.size or 0) > limit:
        raise PictureError(too_big)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PictureError(too_big)
    too_many = _(
        "The picture has more than %(count)s million pixels: make it smaller and upload it again."
    ) % {"count": settings.PICTURE_MAX_PIXELS // 1_000_000}
    try:
        image = Image.open(io.BytesIO(data), formats=DECODERS)
        if image.width * image.height > settings.PICTURE_MAX_PIXELS:
            raise PictureError(too_many)
        if image.height > 4 * image.width or image.width > 8 * image.height:
            raise PictureError(
                _(
                    "The picture is too narrow or too flat: crop it to at most four times "
                    "as tall as it is wide, or eight times as wide as it is tall."
                )
            )
        if image.format == "JPEG":
            image.draft(None, (WIDTHS[-1], WIDTHS[-1]))
        image.seek(0)  # an animation: its first frame
        image.load()
    except PictureError:
        raise
    except Image.DecompressionBombError as error:
        # Pillow's own limit (Image.MAX_IMAGE_PIXELS), far above ours: a forged header.
        raise PictureError(too_many) from error
    except Exception as error:
        # Unknown format, truncated data, a corrupt chunk: the many exceptions of Pillow's
        # decoders all mean that this file is not a picture we take.
        log.info("picture refused while decoding: %r", error)
        raise PictureError(unreadable()) from error
    return image


def normalise(image: Image.Image) -> Image.Image:
    """Step 3: upright, sRGB, and RGB or RGBA."""
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    if icc and image.mode in {"RGB", "CMYK"}:
        image = _to_srgb(image, icc)
    if image.mode in SIXTEEN_BIT:
        # 16-bit grey: scale to 8 bits (a plain conversion would clip everything above 255).
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    transparent = image.mode in TRANSPARENT or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    if transparent and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # an alpha channel that hides nothing
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """The colours as the profile meant them, in sRGB (what browsers assume without one);
    a profile we cannot use leaves the numbers as they are."""
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
    except Exception as error:
        log.info("picture's colour profile ignored: %r", error)
        return image
    return converted if converted is not None else image


def widths_for(width: int) -> list[int]:
    """Each of WIDTHS narrower than the picture, and its own width if narrower than the
    widest: 3000 px → 480, 960, 1600; 700 px → 480, 700; 300 px → 300."""
    return sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})


def renditions(image: Image.Image) -> Prepared:
    """Step 4, widest first, each smaller one resized from the one before (faster, and
    as sharp)."""
    files: dict[tuple[int, str], bytes] = {}
    source = image
    largest = (0, 0)
    for width in reversed(widths_for(image.width)):
        height = max(1, round(image.height * width / image.width))
        if source.size != (width, height):
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        # A new image from the bare pixels: no `info` (EXIF, XMP, ICC, comments) of the
        # upload can reach an encoder.
        bare = Image.frombytes(source.mode, source.size, source.tobytes())
        files[(width, "webp")] = _encode(bare, "WEBP", quality=80, method=4)
        files[(width, "jpg")] = _encode(
            _on_white(bare), "JPEG", quality=82, optimize=True, progressive=True
        )
        largest = max(largest, (width, height))
    return Prepared(files=files, width=largest[0], height=largest[1])


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _encode(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()
