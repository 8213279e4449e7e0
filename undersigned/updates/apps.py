from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    """Updates on a petition (news, victory, decision makers' responses) and the e-mails
    that carry them to signers who opted in."""

    name = "undersigned.updates"
    label = "updates"
