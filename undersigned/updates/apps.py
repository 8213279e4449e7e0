from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    """Updates on a petition (news, victory, decision makers' responses) and the e-mails
    that carry them to signers who opted in."""

    name = "undersigned.updates"
    label = "updates"
    periodic_jobs = {
        "resume_update_mailings": (60, "undersigned.updates.tasks.resume_stuck_mailings"),
        "tell_duplicate_signers": (60, "undersigned.updates.tasks.tell_duplicate_signers"),
    }
