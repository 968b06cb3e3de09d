# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack on the setting *Sub-address separators*: a value an admin stored as the system
parameter before the setting existed (the README told them to copy their mail server's
recipient_delimiter) keeps naming our own mailboxes after the upgrade."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email

DELIMITER = "helpdesk_mail_ticket.recipient_delimiter"


@tagged("post_install", "-at_install")
class TestAttackD5StoredDelimiter(MailTicketCase):
    def test_a_dot_stored_before_the_upgrade_still_names_our_mailbox(self):
        # Postfix and Dovecot take any character as recipient_delimiter; "." is one an
        # address holds unquoted (first.last@). Stored so before the upgrade, our web
        # form's mail from support.web@ (delivered to support@) was ours and set aside;
        # read as "+" after it, it made a ticket whose caller is our own mailbox, its
        # acknowledgement sent to it, back into our inbox.
        self.inbox.unknown_caller_behavior = "create_contact"
        self.inbox.reply_to_caller = "never"
        self.env["ir.config_parameter"].set_param(DELIMITER, "+.")
        local, _at, domain = self.mailbox_login.partition("@")
        self.deliver(make_email(sender=f"Form <{local}.web@{domain}>", message_id="<dot-0@c.x>"))
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "undesired", line.reason)
        self.assertFalse(
            self.env["res.partner"].search([("email_normalized", "=", f"{local}.web@{domain}")])
        )
