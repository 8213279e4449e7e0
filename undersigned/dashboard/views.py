"""The dashboard of one petition, for the people who run it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from undersigned.petitions.access import VIEWER, load_for_organizer
from undersigned.signatures.actions import count_for


@require_safe
@login_required
def petition_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    petition = load_for_organizer(request, pk, need=VIEWER)
    count = count_for(petition)
    context = {
        "petition": petition,
        "count": count,
        "goal": petition.goal_for(count),
        "role": petition.role_of(request.user),
        "can_edit": petition.can_edit(request.user),
    }
    return render(request, "dashboard/petition.html", context)
