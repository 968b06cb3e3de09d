# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The attack of issue 13's onenew2 cuts: the first claim reads what the download
needs (``_download_fields``) in its own SQL statement. That list is an extension
point: an integrator's download may read a field of the line that is no column of its
table (computed, related, not stored), which the ORM's read gave it before."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackOneNew2DownloadFields(MailTicketCase):
    def test_a_download_field_without_column_is_still_read(self):
        model = type(self.env["mail.inbox.message"])
        original = model._download_fields
        seen = []

        def with_headers(line):
            # An integrator's download reading the line's headers (computed, no column).
            return [*original(line), "headers_text"]

        original_get_raw = model._get_raw

        def get_raw(line, source, settings, marked=False):
            raw = original_get_raw(line, source, settings, marked=marked)
            seen.append(line.headers_text is not None)
            return raw

        self.fetch()
        # One transaction a message: the first is claimed with the synchronization's
        # commit, the second with the first's outcome.
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        for number in range(2):
            self.deliver(make_email(subject=f"Integrator {number}", message_id=f"<ig-{number}@c.x>"))
        with (
            patch.object(model, "_download_fields", with_headers),
            patch.object(model, "_get_raw", get_raw),
        ):
            result = self.fetch()
        self.assertEqual((result["new"], result["processed"]), (2, 2), result)
        lines = self.ledger().filtered(lambda m: m.subject.startswith("Integrator"))
        self.assertEqual(lines.mapped("state"), ["processed", "processed"])
        self.assertEqual(lines.mapped("attempts"), [1, 1])
        self.assertEqual(seen, [True, True])
