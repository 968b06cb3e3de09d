# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What edges3's one mailbox for INBOX in any case left behind: the keys a database
stored before the upgrade, the iTop import's own reckoning of a mailbox, the folders under
INBOX (which Dovecot names in any case too)."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailTicketCase, make_email
from .test_mail_subtype import MIGRATIONS, run_migration

MIGRATION_LOGGER = "odoo.addons.helpdesk_mail_ticket.migrations"


@tagged("post_install", "-at_install")
class TestAttackEdges3(MailTicketCase):
    def _keyed_before_the_upgrade(self, inbox, folder):
        """``inbox`` reading ``folder`` with the key 18.0.1.3.0 stored for it (the folder
        as written): the upgrade recomputes no stored field whose code changed."""
        self.env.flush_all()
        key = f"{inbox.login.strip().lower()}@{inbox.server.strip().lower()}/{folder}"
        self.env.cr.execute(
            "UPDATE mail_inbox SET mailbox = %s, mailbox_key = %s WHERE id = %s",
            [folder, key, inbox.id],
        )
        inbox.invalidate_recordset()
        return key

    def _upgrade(self):
        run_migration(self.env, MIGRATIONS, "18.0.1.4.0", installed="18.0.1.3.0")

    def test_an_inbox_on_inbox_keyed_before_the_upgrade_is_one_mailbox_with_INBOX(self):
        # Keyed "…/inbox", a second inbox on INBOX (key "…/INBOX") was accepted: two
        # inboxes on one mailbox, each making its own ticket of every mail.
        self.deliver(make_email(message_id="<upgraded-0@client.example>"))
        self.fetch()
        self._keyed_before_the_upgrade(self.inbox, "inbox")
        cursor = self.inbox.sync_cursor
        self._upgrade()
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            self.create_inbox(self.mailbox_login, self.mailbox_password, name="again")
        # The same mailbox: nothing listed again, nothing imported twice.
        self.assertEqual(self.inbox.sync_cursor, cursor)
        self.deliver(make_email(message_id="<upgraded-1@client.example>"))
        self.fetch()
        self.assertEqual(len(self.ledger()), 2)
        self.assertEqual(set(self.ledger().mapped("state")), {"processed"})

    def test_two_inboxes_on_inbox_and_INBOX_before_the_upgrade_are_named_not_fatal(self):
        # Both read the same mail already: the upgrade cannot key them alike (the unique
        # key would stop it); it keys the other as it was and names both.
        other = self.create_inbox(
            self.mailbox_login, self.mailbox_password, name="lower case", mailbox="Other"
        )
        old_key = self._keyed_before_the_upgrade(other, "inbox")
        with self.assertLogs(MIGRATION_LOGGER, "WARNING") as logs:
            self._upgrade()
        self.assertEqual(other.mailbox_key, old_key)
        self.assertEqual(self.inbox.mailbox_key, old_key[: -len("inbox")] + "INBOX")
        self.assertIn("lower case", "\n".join(logs.output))
        self.assertIn(self.inbox.name, "\n".join(logs.output))

    def test_an_archived_inbox_left_on_its_old_key_is_not_restored_beside_the_other(self):
        # The upgrade could not key it INBOX (the other inbox is); restored as it was,
        # both would read the same mail again, each making its own tickets.
        other = self.create_inbox(
            self.mailbox_login, self.mailbox_password, name="archived", mailbox="Other"
        )
        other.active = False
        self._keyed_before_the_upgrade(other, "inbox")
        with mute_logger(MIGRATION_LOGGER):
            self._upgrade()
        with self.assertRaises(ValidationError):
            other.active = True
        # Once the other is gone, restored, it is keyed as INBOX: no third inbox on it.
        self.inbox.unlink()
        other.active = True
        self.assertEqual(other.mailbox_key, other.mailbox_key[: -len("inbox")] + "INBOX")
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            self.create_inbox(self.mailbox_login, self.mailbox_password, name="third")

    def test_itop_import_updates_the_inbox_on_inbox_in_another_case(self):
        # The iTop import reckoned the key itself, the folder as written: the inbox on
        # "inbox" (keyed "…/INBOX" now) was not found, its creation refused.
        self.inbox.mailbox = "inbox"
        wizard = self.env["helpdesk.mail.ticket.itop.import"]
        for folder in ("inbox", "INBOX", "Inbox"):
            with self.subTest(folder=folder):
                vals = {
                    "login": self.mailbox_login.upper(),
                    "server": self.inbox.server,
                    "protocol": "imap",
                    "mailbox": folder,
                }
                self.assertEqual(wizard._find_inbox(vals), self.inbox)

    # A folder under INBOX: Dovecot opens "inbox/Processed" as "INBOX/Processed", the
    # same folder (same UIDVALIDITY, same mail), as it does INBOX itself.

    def test_a_folder_under_inbox_in_another_case_is_the_same_folder(self):
        self.dovecot.create_folder(self.mailbox_login, "INBOX/Processed")
        self.deliver(make_email(message_id="<child-0@client.example>"), folder="INBOX/Processed")
        self.assertEqual(
            self.server_uids(folder="inbox/Processed"),
            self.server_uids(folder="INBOX/Processed"),
        )
        self.inbox.mailbox = "INBOX/Processed"
        for folder in ("inbox/Processed", "Inbox/Processed"):
            with self.subTest(folder=folder):
                with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
                    self.create_inbox(
                        self.mailbox_login, self.mailbox_password, name=folder, mailbox=folder
                    )

    def test_moving_into_the_folder_read_under_inbox_in_another_case_is_refused(self):
        self.dovecot.create_folder(self.mailbox_login, "INBOX/Support")
        self.inbox.mailbox = "INBOX/Support"
        with self.assertRaises(ValidationError):
            self.inbox.write({"email_storage": "move", "target_folder": "inbox/Support"})

    # Held: only our own mailbox under a tag is ours, not a look-alike.

    def test_look_alikes_of_our_sub_address_are_callers(self):
        self.inbox.unknown_caller_behavior = "create_contact"
        local, _at, domain = self.mailbox_login.partition("@")
        senders = (
            f"{local}+x@elsewhere.example",  # our local part at another domain
            f"{local}-team@{domain}",  # another mailbox of our domain
            f"x+{local}@{domain}",  # our local part as another one's tag
            f"{local}+x@sub.{domain}",  # a subdomain of ours
        )
        for number, sender in enumerate(senders):
            self.deliver(make_email(sender=sender, message_id=f"<alike-{number}@c.example>"))
        self.fetch()
        for line in self.ledger():
            with self.subTest(sender=line.email_from):
                self.assertEqual(line.state, "processed", line.reason)
                self.assertEqual(self.ticket_of(line).partner_id.email_normalized, line.email_from)

    # An inbox moving into the folder it reads, set before the check existed: its
    # processed mail stays (20bf7c4), and is no candidate of the server actions, which
    # every cycle, idle ones too, would otherwise lock and pass over, ever more of them.

    def test_mail_an_inbox_cannot_move_is_no_server_action_candidate(self):
        self.env.cr.execute(
            "UPDATE mail_inbox SET email_storage = 'move', target_folder = 'inbox' WHERE id = %s",
            [self.inbox.id],
        )
        self.inbox.invalidate_recordset()
        for number in range(3):
            self.deliver(make_email(message_id=f"<stays-{number}@client.example>"))
        with mute_logger("odoo.addons.helpdesk_mail_ticket.models.mail_inbox_retention"):
            self.fetch()
        self.assertEqual(set(self.ledger().mapped("state")), {"processed"})
        self.assertEqual(len(self.server_uids()), 3)
        self.assertFalse(self.inbox._server_action_candidates())
