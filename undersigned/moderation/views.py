"""Interim: replaced by the moderation queue views."""

from django.http import Http404


def queue(request, pk=None):
    raise Http404


review = queue
