"""Interim: replaced by the organizer views (new, edit, submit, close)."""

from django.http import Http404


def new(request, pk=None):
    raise Http404


edit = submit = close = new
