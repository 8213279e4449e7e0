from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.dashboard import actions
from undersigned.lib.formfields import email_field
from undersigned.petitions.models import Organizer, Petition


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=Organizer.Role.choices,
        initial=Organizer.Role.EDITOR,
        error_messages={"invalid_choice": _("Choose editor or viewer.")},
    )


class InviteForm(forms.Form):
    use_required_attribute = False  # errors come from the server, in our words

    email = email_field(
        _("Their e-mail address"),
        _("We e-mail them a private link. It works once, for a limited time."),
        _("Enter the e-mail address of the person to invite, for example name@example.com."),
    )
    role = _role_field()

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition

    def clean_email(self) -> str:
        email = actions.normalize_address(self.cleaned_data["email"])
        try:
            actions.check_can_invite(self.petition, email)
        except actions.CannotInvite as error:
            raise forms.ValidationError(str(error)) from None
        return email


class RoleForm(forms.Form):
    role = _role_field()
