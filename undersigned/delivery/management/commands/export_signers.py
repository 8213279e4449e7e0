"""Write a petition's signers as CSV to stdout, streamed (memory stays flat at any size).

    manage.py export_signers 42                  every counted signer, without e-mail
    manage.py export_signers 42 --contactable    only those who let the organizers e-mail
                                                 them, with e-mail address and postcode

The same generator as the organizers' download (delivery/exports.py); the export is
logged on the petition's dashboard as made from the command line.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from undersigned.delivery.actions import log_download
from undersigned.delivery.exports import signers_csv
from undersigned.delivery.models import Download
from undersigned.petitions.models import Petition


class Command(BaseCommand):
    help = "Write a petition's signers as CSV to stdout (--contactable: the contact list)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("petition_id", type=int)
        parser.add_argument(
            "--contactable",
            action="store_true",
            help="only signers who let the organizers e-mail them, with their addresses",
        )

    def handle(self, *args, petition_id: int, contactable: bool, **options) -> None:
        petition = Petition.objects.filter(pk=petition_id).first()
        if petition is None:
            raise CommandError(f"There is no petition {petition_id}.")
        kind = Download.Kind.CONTACTS if contactable else Download.Kind.SIGNERS
        log_download(petition, None, kind)
        for block in signers_csv(petition, contactable=contactable):
            self.stdout.write(block, ending="")
        self.stdout.flush()
