"""A petition's picture in a real browser: an organizer uploads one from a 360-pixel phone
(an error first, without a description), and the petition page shows it at the top,
the phone choosing a small WebP from the srcset; a screenshot for docs/organizers.md."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import make_petition

from undersigned.petitions import actions as petition_actions
from undersigned.petitions.models import Petition
from undersigned.sharing.models import Picture

pytestmark = pytest.mark.browser
PHONE = (360, 780)
ALT = "Volunteers reading to children in the library"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def a_library_photo() -> bytes:
    """A 2000 × 1200 JPEG of a simple scene: sky, a building with windows, a lawn."""
    from PIL import Image, ImageDraw, ImageOps

    sky = ImageOps.colorize(Image.linear_gradient("L").resize((2000, 1200)), "#2f6fb3", "#dcebf7")
    draw = ImageDraw.Draw(sky)
    draw.rectangle((0, 900, 2000, 1200), fill="#4c8c3a")
    draw.rectangle((500, 380, 1500, 920), fill="#c9a27e")
    draw.polygon([(440, 390), (1000, 150), (1560, 390)], fill="#8c4a3a")
    for x in range(580, 1440, 170):
        draw.rectangle((x, 470, x + 90, 600), fill="#fdf3c4")
    draw.rectangle((920, 700, 1080, 920), fill="#5b3a29")
    out = io.BytesIO()
    sky.save(out, "JPEG", quality=88)
    return out.getvalue()


def test_an_organizer_adds_a_picture_and_sees_it_on_a_phone(
    browser_page, site, organizer, moderator, screenshots
):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    page = browser_page(organizer, size=PHONE)
    page.goto(site + draft.get_absolute_url())
    page.get_by_role("link", name="Picture", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The petition’s picture")

    photo = {"name": "library.jpg", "mimeType": "image/jpeg", "buffer": a_library_photo()}
    page.get_by_label("Picture", exact=True).set_input_files(photo)
    page.get_by_role("button", name="Upload the picture").click()
    expect(page.get_by_role("alert")).to_contain_text("Describe what the picture shows")
    expect(page).to_have_title(re.compile(r"^Error: Picture – "))

    page.get_by_label("Picture", exact=True).set_input_files(photo)
    page.get_by_label("What the picture shows").fill(ALT)
    page.get_by_role("button", name="Upload the picture").click()
    expect(page.get_by_text("The picture is on the petition page.")).to_be_visible()
    assert Picture.objects.get().widths == [480, 960, 1600]

    # Opened by a moderator: anyone now sees it, on a phone, at the top of the page.
    petition_actions.submit_petition(draft)
    petition_actions.approve_petition(Petition.objects.get(pk=draft.pk), moderator)
    visitor = browser_page(size=PHONE)
    visitor.goto(site + draft.get_absolute_url())
    picture = visitor.get_by_role("img", name=ALT)
    expect(picture).to_be_visible()
    shown = picture.evaluate(
        "img => ({src: img.currentSrc, natural: img.naturalWidth, width: img.clientWidth,"
        " top: img.getBoundingClientRect().top, scroll: document.documentElement.scrollWidth})"
    )
    assert shown["src"].endswith("-480.webp"), shown  # 328 CSS pixels at 1×: the 480w file
    assert shown["natural"] > 0  # loaded (its width is in CSS pixels for a srcset)
    assert 300 <= shown["width"] <= 360
    assert shown["top"] < 500, shown  # near the top, above the story
    assert shown["scroll"] <= 360  # no sideways scrolling

    heading = visitor.get_by_role("heading", level=1)
    assert heading.bounding_box()["y"] < picture.bounding_box()["y"]
    shots = screenshots / "docs"
    shots.mkdir(exist_ok=True)
    visitor.screenshot(path=shots / "picture-phone.png")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [(1280, 900), PHONE], ids=["desktop", "phone"])
def test_the_pages_with_a_shown_and_a_waiting_picture_pass_axe(
    browser_page, site, organizer, moderator, petition, size, scheme, screenshots
):
    from axe import assert_no_serious_violations
    from django.core.files.uploadedfile import SimpleUploadedFile

    from undersigned.sharing import actions, pictures

    def put_up(alt: str) -> None:
        prepared = pictures.prepare(SimpleUploadedFile("library.jpg", a_library_photo()))
        picture = actions.replace_picture(petition, prepared, alt, organizer)
        if picture.status == Picture.Status.PENDING and alt == ALT:
            actions.decide_picture(picture.pk, moderator, approve=True)

    put_up(ALT)
    put_up("The same library, now with a new roof")
    pages = [
        (organizer, f"/petitions/{petition.pk}/picture", "the picture page"),
        (moderator, "/moderation/pictures", "the pictures to review"),
        (moderator, f"/moderation/{petition.pk}", "the review page with pictures"),
        (None, petition.get_absolute_url(), "the petition page with a picture"),
        (None, f"/petitions/{petition.pk}/embed", "the embed with a picture"),
    ]
    for user, path, what in pages:
        page = browser_page(user, size, scheme, audit=True)
        page.goto(site + path)
        expect(page.get_by_role("img", name=ALT).first).to_be_visible()
        assert_no_serious_violations(page, f"{what} ({scheme}, {size[0]}px)")
        name = what.replace(" ", "-")
        page.screenshot(path=screenshots / f"{name}-{scheme}-{size[0]}.png", full_page=True)
