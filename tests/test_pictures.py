"""A petition's picture (issue #24): only JPEG, PNG and WebP, decoded and drawn again by
Pillow with nothing of the upload kept (metadata, polyglot payloads); hostile files get a
form error, never a 500; a few widths, never upscaled, as WebP and JPEG with srcset; alt
text required; only editors change it; a public petition's new picture waits for a
moderator; removal deletes the files; the page, the embed and the share card show it."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image
from support import make_petition, signed_in

from undersigned.petitions.models import Petition
from undersigned.sharing.models import Picture

ALT = "Children reading in the library on a Sunday"
PAYLOAD = b"<script>alert('pwned')</script>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """The default storage in a directory of this test's own."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def stored(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def encode(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def photo(size=(2400, 1600), colour=(200, 40, 40)) -> Image.Image:
    """A picture with some detail in it (a flat colour would compress to nothing)."""
    image = Image.new("RGB", size, colour)
    noise = Image.effect_noise(size, 40).convert("RGB")
    return Image.blend(image, noise, 0.3)


def jpeg_with_gps(size=(2400, 1600), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 10.0, 59.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (44.0, 30.0, 7.0),
    }
    return encode(photo(size), "JPEG", quality=90, exif=exif, comment=b"taken at home")


def upload(data: bytes, name: str = "picture.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_picture(client: Client, petition: Petition, data: bytes, alt: str = ALT, **file):
    return client.post(
        f"/petitions/{petition.pk}/picture", {"image": upload(data, **file), "alt": alt}
    )


def page_of(client: Client, petition: Petition) -> str:
    response = client.get(petition.get_absolute_url(), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def refused(response, message: str) -> None:
    assert response.status_code == 400, response.status_code
    assert message in response.content.decode()
    assert not Picture.objects.exists()


@pytest.fixture
def editor_client(organizer) -> Client:
    return signed_in(organizer)


@pytest.fixture
def draft(organizer, moderator) -> Petition:
    return make_petition(organizer, state=Petition.State.DRAFT)


# Sizes, formats, metadata ------------------------------------------------------------


def test_a_photo_is_made_into_three_widths_as_webp_and_jpeg(editor_client, draft, media):
    response = post_picture(editor_client, draft, encode(photo((3000, 2000)), "JPEG"))
    assert response.status_code == 303
    picture = Picture.objects.get()
    assert (picture.widths, picture.width, picture.height) == ([480, 960, 1600], 1600, 1067)
    assert picture.status == Picture.Status.SHOWN  # a draft's picture shows at once
    files = stored(media)
    assert len(files) == 6
    for width in (480, 960, 1600):
        for extension, format in (("webp", "WEBP"), ("jpg", "JPEG")):
            path = media / picture.file_name(width, extension)
            with Image.open(path) as made:
                assert made.format == format
                assert made.width == width
                assert made.height == round(2000 * width / 3000)


def test_a_small_picture_is_never_upscaled(editor_client, draft, media):
    post_picture(editor_client, draft, encode(photo((300, 200)), "PNG"), name="small.png")
    picture = Picture.objects.get()
    assert picture.widths == [300]
    assert len(stored(media)) == 2
    with Image.open(media / picture.file_name(300, "jpg")) as made:
        assert made.size == (300, 200)


def test_location_camera_and_comments_are_stripped_and_the_photo_turned_upright(
    editor_client, draft, media
):
    # Orientation 6: the camera was turned, the pixels are stored lying on their side.
    data = jpeg_with_gps((1200, 600), orientation=6)
    with Image.open(io.BytesIO(data)) as original:  # the test's own file has them
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    post_picture(editor_client, draft, data)
    picture = Picture.objects.get()
    assert (picture.width, picture.height) == (600, 1200)
    assert picture.widths == [480, 600]
    for path in stored(media):
        raw = path.read_bytes()
        assert b"SecretCam" not in raw and b"taken at home" not in raw
        assert b"Exif" not in raw and b"ICC_PROFILE" not in raw and b"ns.adobe.com" not in raw
        with Image.open(path) as made:
            assert not made.getexif()
            assert "exif" not in made.info and "icc_profile" not in made.info


def test_a_large_upload_goes_past_the_sites_usual_request_limit(editor_client, draft, settings):
    data = encode(photo((2400, 1600)), "JPEG", quality=95)
    assert len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert post_picture(editor_client, draft, data).status_code == 303
    assert Picture.objects.count() == 1


def test_a_body_over_twice_the_limit_gets_the_413_page_unread(editor_client, draft, settings):
    settings.PICTURE_MAX_BYTES = 64 * 1024
    data = encode(photo((2400, 1600)), "JPEG", quality=95)
    assert len(data) > 3 * 64 * 1024
    assert post_picture(editor_client, draft, data).status_code == 413
    assert not Picture.objects.exists()


# Hostile files -------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_a_form_error(editor_client, draft, settings, media):
    data = encode(photo((800, 600)), "JPEG", quality=95)
    settings.PICTURE_MAX_BYTES = len(data) - 1000
    refused(post_picture(editor_client, draft, data), "The picture is larger than")
    assert stored(media) == []


def test_a_truncated_file_is_a_form_error(editor_client, draft, media):
    data = encode(photo((1200, 800)), "JPEG")
    refused(post_picture(editor_client, draft, data[: len(data) // 2]), "is damaged")
    data = encode(photo((1200, 800)), "PNG")
    refused(post_picture(editor_client, draft, data[: len(data) // 2], name="p.png"), "is damaged")
    assert stored(media) == []


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims to be width × height (a decompression bomb: a
    decoder that believed it would allocate gigabytes)."""
    data = bytearray(encode(Image.new("L", (16, 16)), "PNG"))
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    chunk = bytes(data[ihdr - 4 : ihdr + 13])
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", zlib.crc32(chunk))
    return bytes(data)


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (60_000, 60_000)],
    ids=["over our limit", "over Pillow's bomb limit"],
)
def test_huge_dimensions_are_a_form_error_before_any_pixel_is_decoded(
    editor_client, draft, width, height
):
    response = post_picture(editor_client, draft, png_claiming(width, height), name="bomb.png")
    refused(response, "million pixels")


@pytest.mark.parametrize(("width", "height"), [(100, 401), (8001, 1000)], ids=["tall", "wide"])
def test_a_strip_no_page_could_show_is_a_form_error(editor_client, draft, width, height):
    response = post_picture(editor_client, draft, png_claiming(width, height), name="strip.png")
    refused(response, "too narrow or too flat")


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("cat.jpg", "image/jpeg", b"<!doctype html><title>x</title>" + PAYLOAD),
        ("cat.png", "image/png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("cat.png", "image/png", None),  # a GIF: not a format we take
        ("cat.webp", "image/webp", b"PK\x03\x04" + b"\x00" * 100),
    ],
    ids=["html", "svg", "gif", "zip"],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_is_a_form_error(
    editor_client, draft, name, content_type, data
):
    data = data or encode(Image.new("RGB", (50, 50), "red"), "GIF")
    refused(post_picture(editor_client, draft, data, name=name, content_type=content_type),
            "not a picture we can read")  # fmt: skip


def test_the_content_decides_not_the_name_or_declared_type(editor_client, draft):
    data = encode(photo((800, 600)), "PNG")
    response = post_picture(editor_client, draft, data, name="page.html", content_type="text/html")
    assert response.status_code == 303
    assert Picture.objects.get().widths == [480, 800]


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", PAYLOAD)
    return out.getvalue()


@pytest.mark.parametrize(
    ("format", "extra"),
    [("JPEG", PAYLOAD), ("PNG", zip_archive()), ("JPEG", b"")],
    ids=["jpeg+html", "png+zip", "html in a jpeg comment"],
)
def test_a_polyglot_is_taken_but_its_payload_is_not_stored(
    editor_client, draft, media, format, extra
):
    options = {"comment": PAYLOAD} if format == "JPEG" and not extra else {}
    data = encode(photo((900, 600)), format, **options) + extra
    assert PAYLOAD in data or b"index.html" in data
    assert post_picture(editor_client, draft, data).status_code == 303
    files = stored(media)
    assert files
    for path in files:
        raw = path.read_bytes()
        assert b"<script" not in raw and b"PK\x03\x04" not in raw and b"index.html" not in raw


def pixel(media: Path, picture: Picture, extension: str = "jpg") -> tuple:
    with Image.open(media / picture.file_name(picture.widths[0], extension)) as made:
        return made.convert("RGBA").getpixel((5, 5))


def near(colour: tuple, expected: tuple, slack: int = 24) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, expected, strict=False))


def test_an_animation_gives_its_first_frame(editor_client, draft, media):
    frames = [Image.new("RGB", (600, 400), c) for c in ((220, 0, 0), (0, 0, 220), (0, 220, 0))]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)
    assert post_picture(editor_client, draft, data, name="a.webp").status_code == 303
    assert near(pixel(media, Picture.objects.get()), (220, 0, 0, 255))


def test_an_animated_png_gives_its_first_frame(editor_client, draft, media):
    frames = [Image.new("RGB", (600, 400), c) for c in ((0, 0, 220), (220, 0, 0))]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    assert post_picture(editor_client, draft, data, name="a.png").status_code == 303
    assert near(pixel(media, Picture.objects.get()), (0, 0, 220, 255))


def test_a_cmyk_jpeg_is_converted_to_rgb(editor_client, draft, media):
    data = encode(Image.new("CMYK", (600, 400), (0, 255, 255, 0)), "JPEG")
    assert post_picture(editor_client, draft, data).status_code == 303
    picture = Picture.objects.get()
    with Image.open(media / picture.file_name(480, "jpg")) as made:
        assert made.mode == "RGB"
    assert near(pixel(media, picture), (255, 0, 0, 255), slack=40)


def test_a_16_bit_grey_png_is_scaled_not_clipped(editor_client, draft, media):
    grey = Image.new("I;16", (600, 400), 32768)  # half-way: 128 in 8 bits, 255 if clipped
    assert post_picture(editor_client, draft, encode(grey, "PNG"), name="g.png").status_code == 303
    assert near(pixel(media, Picture.objects.get()), (128, 128, 128, 255), slack=4)


def test_a_palette_picture_keeps_its_transparency_in_webp_and_gets_white_in_jpeg(
    editor_client, draft, media
):
    image = Image.new("P", (600, 400), 0)
    image.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    image.paste(1, (300, 0, 600, 400))  # the right half red, the left transparent
    data = encode(image, "PNG", transparency=0)
    assert post_picture(editor_client, draft, data, name="p.png").status_code == 303
    picture = Picture.objects.get()
    assert pixel(media, picture, "webp")[3] == 0
    assert near(pixel(media, picture, "jpg"), (255, 255, 255, 255), slack=8)


def test_an_empty_file_and_no_file_are_form_errors(editor_client, draft):
    refused(post_picture(editor_client, draft, b""), "The file is empty")
    response = editor_client.post(f"/petitions/{draft.pk}/picture", {"alt": ALT})
    refused(response, "Choose a picture to upload")


# The form, and who may use it ----------------------------------------------------------


def test_alt_text_is_required(editor_client, draft, media):
    response = post_picture(editor_client, draft, encode(photo((800, 600)), "JPEG"), alt="  ")
    refused(response, "Describe what the picture shows")
    assert 'aria-invalid="true"' in response.content.decode()
    assert stored(media) == []
