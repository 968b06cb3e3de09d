# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The merged synchronization changes together: a change of mailbox (its reset) while
a cycle connected to the old one runs, and another worker synchronizing the new one."""

from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from ..models.mail_inbox_fetch import MailInbox as FetchInbox
from ..models.mail_inbox_retention import MailInbox
from ..models.mail_inbox_sync import MailInbox as SyncInbox
from .common import make_email
from .test_pop3_idle import Pop3IdleCase


class MailboxChangedMidCycleCase(Pop3IdleCase):
    """What these tests share: the administrator points the inbox at the folder
    "Support" while a cycle connected to INBOX runs, and another worker synchronizes
    that folder. No test of its own."""

    def _once_changed_to_support(self, inbox, step):
        """``step`` (a method of the inbox's model) wrapped: its first call is preceded
        by the change, committed, and the other worker's synchronization of Support.
        Returns the wrapper and the list telling whether it ran."""
        changed = []

        def wrapped(record, *args, **kwargs):
            if not changed:
                changed.append(True)
                admin = self._real_env()
                other = admin["mail.inbox"].browse(inbox.id)
                other.write({"mailbox": "Support"})
                admin.cr.commit()
                with patch.object(odoo_module, "current_test", None), other._open_source() as new:
                    other._sync_mailbox(new)
                admin.cr.commit()
            return step(record, *args, **kwargs)

        return wrapped, changed

    def _holding_alpha_as_second(self, login, alpha, folder="INBOX", uidvalidity_of=None):
        """``folder`` of ``login`` holding Gamma expunged and a copy of ``alpha`` as its
        second message (UID 2), its UIDVALIDITY that of ``uidvalidity_of``'s INBOX
        (``login``'s by default): the handles made as the old mailbox's."""
        self.deliver(make_email(subject="Gamma", message_id="<gamma@c.example>"),
                     login=login, folder=folder)  # fmt: skip
        self.deliver(alpha, login=login, folder=folder)  # 2
        self.dovecot.expunge(login, 1, folder=folder)
        uidvalidity = self.dovecot.uidvalidity(uidvalidity_of or login)
        self.dovecot.set_uidvalidity(login, folder, uidvalidity)

    def _support_holding_alpha(self, login, alpha):
        """The folder Support (INBOX's UIDVALIDITY) holding a copy of ``alpha`` as UID 2."""
        self.dovecot.create_folder(login, "Support")
        self._holding_alpha_as_second(login, alpha, folder="Support")


@tagged("post_install", "-at_install")
class TestServerActionsAfterMailboxChange(MailboxChangedMidCycleCase):
    def test_a_cycle_on_the_old_mailbox_deletes_nothing_the_new_ones_lines_name(self):
        """A cycle's server actions delete by handle on the mailbox the cycle is
        connected to, the lines decided on a fresh snapshot. The administrator pointing
        the inbox at another folder (the support mail moved there, the same UIDVALIDITY)
        and another worker synchronizing that folder before those server actions: the
        lines then hold the new folder's handles, and the cycle deleted from the old
        folder the message of the handle a processed line had in the new one, another
        message (here one recorded and never processed): lost."""
        env, login, inbox = self._committed_inbox(
            count=0, port=self.dovecot.imap_port, protocol="imap"
        )
        done = make_email(subject="Done", message_id="<done@c.example>")
        self.deliver(done, login=login)  # INBOX 1
        self.deliver(make_email(subject="Pending", message_id="<pending@c.example>"), login=login)
        self.cycle(inbox)  # both recorded, left new
        # Done processed since, its ticket gone: "keep" lets it leave the server.
        env.cr.execute(
            "UPDATE mail_inbox_message SET state = 'processed' WHERE inbox_id = %s "
            "AND message_id = 'done@c.example'",
            [inbox.id],
        )
        env.cr.commit()
        # The folder the inbox is pointed at: other mail, then a copy of Done (UID 2).
        self.dovecot.create_folder(login, "Support")
        self.deliver(make_email(subject="First", message_id="<first@c.example>"),
                     login=login, folder="Support")  # fmt: skip
        self.deliver(done, login=login, folder="Support")
        self.dovecot.set_uidvalidity(login, "Support", self.dovecot.uidvalidity(login))
        # Another worker's cycle on the new folder, up to its server actions.
        apply_server_actions, changed = self._once_changed_to_support(
            inbox, MailInbox._apply_server_actions
        )
        with patch.object(MailInbox, "_apply_server_actions", apply_server_actions):
            self.cycle(inbox)
        self.assertTrue(changed)
        # The old folder is not the inbox's any more: its mail is left as it is.
        self.assertEqual(self.dovecot.uids(login), [1, 2])


@tagged("post_install", "-at_install")
class TestDownloadsAfterMailboxChange(MailboxChangedMidCycleCase):
    def test_a_cycle_on_the_old_mailbox_downloads_no_line_by_the_new_ones_handle(self):
        """A cycle downloads each message it claims by the line's handle, read on the
        claim's fresh snapshot, on the connection it opened. The administrator pointing
        the inbox at another folder (the same UIDVALIDITY, the support mail copied
        there) and another worker synchronizing it before those downloads: a line
        found again in the new folder holds its handle there, and the cycle downloaded
        the old folder's message of that handle, another one: its ticket made of
        another email, which was made into a ticket twice."""
        _env, login, inbox = self._committed_inbox(
            count=0, port=self.dovecot.imap_port, protocol="imap"
        )
        alpha = make_email(subject="Alpha", message_id="<alpha@c.example>")
        self.deliver(alpha, login=login)  # INBOX 1
        self.deliver(make_email(subject="Beta", message_id="<beta@c.example>"), login=login)
        self.cycle(inbox)  # both recorded, left new
        self.dovecot.create_folder(login, "Support")
        self.deliver(make_email(subject="Gamma", message_id="<gamma@c.example>"),
                     login=login, folder="Support")  # fmt: skip
        self.deliver(alpha, login=login, folder="Support")  # Support 2
        self.dovecot.set_uidvalidity(login, "Support", self.dovecot.uidvalidity(login))
        process_messages, changed = self._once_changed_to_support(
            inbox, FetchInbox._process_messages
        )
        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(FetchInbox, "_process_messages", process_messages),
        ):
            result = inbox._fetch()
        self.assertTrue(changed)
        self.assertFalse(result.get("failure"), result.get("failure"))
        message_ids = self.committed_message_ids(inbox)
        # Alpha's line was read from Beta (its Message-ID Beta's), both then in error.
        self.assertEqual(result["error"], 0, result)
        self.assertEqual(message_ids, ["alpha@c.example", "beta@c.example", "gamma@c.example"])

    def test_a_cycle_that_finds_the_mailbox_changed_processes_nothing(self):
        """The same, the change and the other worker's synchronization committed before
        the cycle read its synchronization state: that read found the mailbox changed
        and synchronized nothing, but the cycle processed the inbox's new lines as
        usual, the one line left (found again in the new folder) claimed with the
        synchronization's commit and downloaded by its new handle from the old folder:
        read from another email."""
        env, login, inbox = self._committed_inbox(
            count=0, port=self.dovecot.imap_port, protocol="imap"
        )
        alpha = make_email(subject="Alpha", message_id="<alpha@c.example>")
        self.deliver(alpha, login=login)  # INBOX 1
        self.deliver(make_email(subject="Beta", message_id="<beta@c.example>"), login=login)
        self.cycle(inbox)  # both recorded, left new; Beta set aside
        env.cr.execute(
            "UPDATE mail_inbox_message SET state = 'undesired' WHERE inbox_id = %s "
            "AND message_id = 'beta@c.example'",
            [inbox.id],
        )
        env.cr.commit()
        self._support_holding_alpha(login, alpha)
        sync_mailbox, changed = self._once_changed_to_support(inbox, SyncInbox._sync_mailbox)
        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(SyncInbox, "_sync_mailbox", sync_mailbox),
        ):
            result = inbox._fetch()
        self.assertTrue(changed)
        self.assertFalse(result.get("failure"), result.get("failure"))
        message_ids = self.committed_message_ids(inbox)
        self.assertEqual(result["error"], 0, result)
        self.assertEqual(message_ids, ["alpha@c.example", "beta@c.example"])
