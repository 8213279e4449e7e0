"""Partner signing: a signature collected on a partner's site, under the form's rules.

The body is validated by the sign form itself, so limits and messages are the ones a
signer sees on the petition page; the confirmation e-mail, the one-signature-per-address
rule and the count are those of `sign_petition`. A partner learns nothing about a signer
beyond its own reference and whether that signature was confirmed after it was sent.

The sign page's "Did you mean …@gmail.com?" is not asked here: nobody is there to answer
it, so the address is taken as sent (the partner's own form may ask).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from undersigned.api import keyset
from undersigned.api.auth import PartnerKey, require_scope
from undersigned.api.errors import ApiError
from undersigned.api.models import ApiKey, PartnerSubmission
from undersigned.api.public import PetitionId, listed_petition
from undersigned.api.schemas import (
    Cursor,
    ErrorOut,
    Limit,
    Reference,
    SignatureIn,
    SubmissionOut,
    SubmissionPage,
)
from undersigned.petitions.models import Petition
from undersigned.signatures.actions import Client, SignRequest, sign_petition
from undersigned.signatures.forms import SignForm

router = Router(tags=["Partner signing (API key)"], auth=PartnerKey())

REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def submission_out(submission: PartnerSubmission) -> dict:
    return {
        "reference": submission.reference,
        "petition_id": submission.petition_id,
        "confirmed": submission.confirmed,
        "submitted_at": submission.created_at,
    }


def _petition_for(request: HttpRequest, pk: int) -> tuple[ApiKey, Petition]:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    petition = listed_petition(pk)
    require_scope(key, petition)
    return key, petition


@router.post(
    "/petitions/{id}/signatures",
    response={202: SubmissionOut, 400: ErrorOut, 409: ErrorOut, **REFUSALS},
)
def submit_signature(request: HttpRequest, id: PetitionId, payload: SignatureIn):
    """Sign for someone who signed on your site. They get the confirmation e-mail and
    count once they confirm. Sending the same reference again answers the same."""
    key, petition = _petition_for(request, id)
    earlier = key.submissions.filter(reference=payload.reference).first()
    if earlier is not None:
        return Status(202, submission_out(_same_petition(earlier, petition)))
    if petition.duplicate_of_id is not None:
        raise ApiError(
            409, "duplicate", "This petition duplicates another: sign that one instead.",
            duplicate_of=petition.duplicate_of_id,
        )  # fmt: skip
    if not petition.accepts_signatures(timezone.now()):
        raise ApiError(409, "closed", "This petition does not accept signatures.")
    form = SignForm(data=payload.model_dump(exclude={"reference"}))
    if not form.is_valid():
        fields = {name: list(errors) for name, errors in form.errors.items()}
        raise ApiError(400, "invalid", "Some fields are not valid.", fields=fields)
    data = SignRequest(
        **form.cleaned_data, language=petition.language, source=f"api:{key.name}"[:64]
    )
    return Status(202, submission_out(_record(key, petition, payload.reference, data)))


def _same_petition(submission: PartnerSubmission, petition: Petition) -> PartnerSubmission:
    if submission.petition_id != petition.pk:
        raise ApiError(409, "reference_used", "This reference was sent for another petition.")
    return submission


def _record(key: ApiKey, petition: Petition, reference: str, data: SignRequest):
    """Sign and keep the partner's reference, in one transaction. A concurrent request with
    the same reference loses the race on the unique index, rolls its signature back, and
    answers with the winner's row.

    The signer's own connection is unknown (the request comes from the partner's server),
    so the per-address fraud checks cannot apply; the address lists, the per-domain rate
    and the key's own rate limit do.
    """
    try:
        with transaction.atomic():
            signature = sign_petition(petition, data, Client())
            return PartnerSubmission.objects.create(
                api_key=key, reference=reference, petition=petition, signature=signature
            )
    except IntegrityError:  # the same reference, sent twice at once: this one never was
        return _same_petition(key.submissions.get(reference=reference), petition)


@router.get(
    "/petitions/{id}/signatures/status",
    response={200: SubmissionOut, 400: ErrorOut, **REFUSALS},
)
def submission_status(request: HttpRequest, id: PetitionId, reference: Reference):
    """Whether the signature you sent under this reference was confirmed."""
    key, petition = _petition_for(request, id)
    submission = (
        key.submissions.filter(petition=petition, reference=reference)
        .select_related("signature")
        .first()
    )
    if submission is None:
        raise ApiError(404, "not_found", "You sent no signature with this reference here.")
    return submission_out(submission)


@router.get("/petitions/{id}/signatures", response={200: SubmissionPage, 400: ErrorOut, **REFUSALS})
def submission_feed(
    request: HttpRequest,
    id: PetitionId,
    cursor: Cursor = None,
    limit: Limit = 100,
):
    """Your submissions for this petition, oldest first, each with whether it is confirmed
    by now. Read from the start again to see confirmations of earlier pages."""
    key, petition = _petition_for(request, id)
    rows = key.submissions.filter(petition=petition).select_related("signature")
    items, next_cursor = keyset.page(rows, ["id"], f"feed:{key.pk}:{id}", cursor, limit)
    return {"items": [submission_out(s) for s in items], "next_cursor": next_cursor}
