"""Interim: replaced by the e-mail sign-in views."""

from django.http import Http404


def sign_in(request, token=None):
    raise Http404


sign_in_link = sign_out = dashboard = sign_in
