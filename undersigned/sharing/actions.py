"""A petition's picture: putting one up, taking it down, a moderator's decision.

Who sees a new picture at once, and why:

- A draft, or a petition awaiting moderation: at once. The moderator who opens the
  petition sees the picture on the review page and approves it with the text.
- An open or closed petition: a replacement waits for a moderator (the moderation queue
  links to "New pictures to review"); the picture already approved stays up meanwhile.
  A public petition's text can no longer be edited, because people signed what a
  moderator approved; a picture is read at least as widely, so it is held to the same
  rule. Every picture row records who uploaded it and when, and who approved it; the
  organizer who uploaded it is e-mailed the decision.
- Removing a picture is never held: taking something down is always safe.
- A rejected or hidden petition's picture cannot be changed.

Files are written before the row and deleted after the transaction that drops their
row commits, so a row never points at missing files (a failure leaves at worst files
with no row, never shown).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.lib.emails import queue_email
from undersigned.petitions.models import Petition
from undersigned.sharing.models import Picture
from undersigned.sharing.pictures import Prepared

REVIEWED_STATES = {Petition.State.OPEN.value, Petition.State.CLOSED.value}
FROZEN_STATES = {Petition.State.REJECTED.value, Petition.State.HIDDEN.value}


def replace_picture(petition: Petition, prepared: Prepared, alt: str, user) -> Picture:
    """Store the files and the row; the row it replaces (same status) goes, with its
    files once this commits. Raises ValidationError on a rejected or hidden petition."""
    picture = Picture(
        petition=petition, key=secrets.token_urlsafe(12), alt=alt, widths=prepared.widths,
        width=prepared.width, height=prepared.height, uploaded_by=user,
    )  # fmt: skip
    written = []
    try:
        for (width, extension), data in prepared.files.items():
            name = picture.file_name(width, extension)
            written.append(default_storage.save(name, ContentFile(data)))
        with transaction.atomic():
            # The petition's row, locked: two uploads at once take turns, and the state
            # read here is the one this change is made in.
            locked = Petition.objects.select_for_update().filter(pk=petition.pk)
            state = locked.values_list("state", flat=True).get()
            if state in FROZEN_STATES:
                raise ValidationError(
                    _("The picture of a rejected or hidden petition cannot be changed.")
                )
            picture.status = (
                Picture.Status.PENDING if state in REVIEWED_STATES else Picture.Status.SHOWN
            )
            replaced = list(petition.pictures.filter(status=picture.status))
            Picture.objects.filter(pk__in=[p.pk for p in replaced]).delete()
            picture.save()
            _delete_files_on_commit(replaced)
    except BaseException:
        _delete(written)
        raise
    return picture


def remove_picture(petition: Petition) -> int:
    """Take down the petition's pictures (shown and waiting); how many there were."""
    with transaction.atomic():
        gone = list(Picture.objects.select_for_update().filter(petition=petition))
        Picture.objects.filter(pk__in=[p.pk for p in gone]).delete()
        _delete_files_on_commit(gone)
    return len(gone)


def decide_picture(pk: int, moderator, approve: bool) -> Picture | None:
    """Show a waiting picture in place of the one shown, or drop it, and e-mail the
    organizer who uploaded it either way. None if it is no longer waiting (another
    moderator decided, or the organizer removed it)."""
    with transaction.atomic():
        picture = (
            Picture.objects.select_for_update().filter(pk=pk, status=Picture.Status.PENDING).first()
        )
        if picture is None:
            return None
        _tell_uploader(picture, approve)
        if approve:
            gone = list(picture.petition.pictures.filter(status=Picture.Status.SHOWN))
            Picture.objects.filter(pk__in=[p.pk for p in gone]).delete()
            picture.status = Picture.Status.SHOWN
            picture.reviewed_by, picture.reviewed_at = moderator, timezone.now()
            picture.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        else:
            gone = [picture]
            picture.delete()
        _delete_files_on_commit(gone)
    return picture


def _tell_uploader(picture: Picture, approved: bool) -> None:
    """Queued in the decision's transaction: the e-mail goes if, and only if, it commits."""
    petition = picture.petition
    to = picture.uploaded_by or petition.creator
    context = {
        "name": to.name,
        "title": petition.title,
        "url": settings.SITE_URL + reverse("sharing:picture", args=[petition.pk]),
        "approved": approved,
    }
    queue_email("picture_decided", to.email, context, petition.language)


def _delete_files_on_commit(pictures: Iterable[Picture]) -> None:
    names = [name for picture in pictures for name in picture.file_names()]
    if names:
        transaction.on_commit(lambda: _delete(names))


def _delete(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)
