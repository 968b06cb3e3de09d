# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on the alias domains read once a registry (``mail.inbox._read_alias_domains``):
an international domain (Odoo keeps it in its ASCII form) written in either form by
mail, its people who are no alias."""

from odoo.tests import tagged

from .common import MailTicketCase

UNICODE = "bücher-ours.example"
ASCII = UNICODE.encode("idna").decode()


@tagged("post_install", "-at_install")
class TestAttackA4AliasDomains(MailTicketCase):
    def test_an_alias_of_an_international_domain_is_ours_in_either_form(self):
        domain = self.env["mail.alias.domain"].create({"name": ASCII.upper()})
        self.env["mail.alias"].create(
            {
                "alias_name": "desk-idn",
                "alias_model_id": self.env["ir.model"]._get("helpdesk.mail.ticket").id,
                "alias_domain_id": domain.id,
            }
        )
        for address in (
            f"desk-idn@{UNICODE}",
            f"DESK-IDN+x@{UNICODE.upper()}",
            f"desk-idn@{ASCII}",
            domain.catchall_email.replace(ASCII.upper(), UNICODE),
        ):
            self.assertTrue(self.inbox._is_odoo_mail_address(address), address)
        # Its people are on it too: no alias, not ours.
        for address in (f"bob@{UNICODE}", f"bob@{ASCII}"):
            self.assertFalse(self.inbox._is_odoo_mail_address(address), address)
