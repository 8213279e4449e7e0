from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    """Decision makers: notified when a petition opens and at thresholds; they answer
    through a private link, and the answer is published on the petition."""

    name = "undersigned.responses"
    label = "responses"
    periodic_jobs = {"notify_targets": (60, "undersigned.responses.tasks.notify_targets")}

    def ready(self) -> None:
        from undersigned.responses.models import answer_origin
        from undersigned.updates import hooks

        # Updates' e-mails say where a response came from; only this app knows.
        hooks.describe_answers_with(answer_origin)
