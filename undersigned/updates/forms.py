from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.updates.actions import cap_message


def _email_label(count: int, what: str) -> str:
    if what == "victory":
        text = ngettext(
            "E-mail the victory to the %(count)s signer who asked for updates",
            "E-mail the victory to the %(count)s signers who asked for updates",
            count,
        )
    else:
        text = ngettext(
            "E-mail it to the %(count)s signer who asked for updates",
            "E-mail it to the %(count)s signers who asked for updates",
            count,
        )
    return text % {"count": count}


def _approval_hint() -> str:
    if settings.UPDATE_EMAILS_NEED_APPROVAL:
        return str(_("A moderator approves each e-mail first; the update is on the page at once."))
    return ""


class UpdateForm(forms.Form):
    prefix = "update"

    title = forms.CharField(
        label=_("Title"), max_length=150,
        error_messages={"required": _("Enter a title for the update."),
                        "max_length": _("Shorten the title to 150 characters or fewer.")},
    )  # fmt: skip
    text = forms.CharField(
        label=_("What is new"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [a link](https://example.org), - a list."),
        error_messages={"required": _("Enter the text of the update."),
                        "max_length": _("Shorten the text to 20,000 characters or fewer.")},
    )  # fmt: skip
    email = forms.BooleanField(required=False)

    def __init__(self, *args, recipients: int = 0, left: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _email_label(recipients, "news")
        self.fields["email"].help_text = " ".join(
            filter(None, [cap_message(left), _approval_hint()])
        )


class VictoryForm(forms.Form):
    prefix = "victory"

    note = forms.CharField(
        label=_("What did the petition win?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown on top of the petition page with today’s date. Plain text."),
        error_messages={"required": _("Say in a few words what the petition achieved."),
                        "max_length": _("Shorten the note to 5,000 characters or fewer.")},
    )  # fmt: skip
    email = forms.BooleanField(required=False, initial=True)
    # Victory cannot be undone: one deliberate tick, so a stray click declares nothing.
    sure = forms.BooleanField(
        label=_("Yes, the petition achieved what it asked for"),
        error_messages={"required": _("Tick the box to confirm the victory.")},
    )

    def __init__(self, *args, recipients: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _email_label(recipients, "victory")
        self.fields["email"].help_text = _approval_hint()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("approve")), ("refuse", _("refuse"))])
