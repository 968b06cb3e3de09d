# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A new kind of mail source, added from outside the main addon: a local Maildir folder
(``new/``, ``cur/``, ``tmp/``: what an MTA or Dovecot's LDA delivers into), read with the
standard library's ``mailbox.Maildir``. The inbox's *Mail Server* is the Maildir's path;
its folders are Maildir++ subfolders (``.Done/``).

Two pieces: the source, registered with mailsource (the protocol ``maildir``), and the
inbox's protocol choice. Everything else (the ledger, exactly-once processing, keep /
delete / move) is the main addon's, through the interface of ``mailsource.base``.
"""

import mailbox
import os
import shutil

from odoo import fields, models

from odoo.addons.helpdesk_mail_ticket.mailsource import (
    FolderNotFoundError,
    MailSource,
    MessageNotFoundError,
    RemoteMessage,
    register_source,
)

_BLANK_LINE = (b"\r\n\r\n", b"\n\n")


@register_source
class MaildirSource(MailSource):
    """A Maildir on this machine: a message's key is its unique Maildir name, stable from
    ``new/`` to ``cur/``; nothing to log in to."""

    protocol = "maildir"
    label = "Maildir"
    supports_folders = True

    def _open(self, context):
        path = self.config.host
        if not os.path.isdir(os.path.join(path, "cur")):
            raise self.error(FolderNotFoundError, f"No Maildir at {path}")
        root = mailbox.Maildir(path, factory=None, create=False)
        folder = self.config.folder or "INBOX"
        self._directory = path
        if folder.upper() == "INBOX":
            return root
        if folder not in root.list_folders():
            raise self.error(FolderNotFoundError, f"Cannot open the folder {folder!r}")
        self._directory = os.path.join(path, "." + folder)  # Maildir++
        return root.get_folder(folder)

    def _after_login(self):
        self.trace(f"< {len(self._client)} message(s)")

    def list_messages(self):
        maildir = self._require()
        found = []
        for subdir in ("new", "cur"):
            with os.scandir(os.path.join(self._directory, subdir)) as entries:
                for entry in entries:
                    if entry.is_file() and not entry.name.startswith("."):
                        stat = entry.stat()
                        key = entry.name.split(maildir.colon)[0]
                        found.append((stat.st_mtime_ns, key, stat.st_size))
        found.sort()
        return [RemoteMessage(key, number, size) for number, (_t, key, size) in enumerate(found, 1)]

    def _message_file(self, uid):
        uid = getattr(uid, "uid", uid)
        try:
            return self._require().get_file(uid)
        except KeyError:
            raise self.error(MessageNotFoundError, f"Message {uid} is no longer in the Maildir")

    def fetch(self, uid):
        with self._message_file(uid) as handle:
            return handle.read()

    def fetch_into(self, uid, out):
        with self._message_file(uid) as handle:
            start = out.tell()
            shutil.copyfileobj(handle, out)
            return out.tell() - start

    def fetch_header(self, uid):
        raw = self.fetch(uid)
        ends = [raw.find(blank) + len(blank) for blank in _BLANK_LINE if blank in raw]
        return raw[: min(ends)] if ends else raw

    def size(self, uid):
        return len(self.fetch(uid))

    def state(self):
        return {"protocol": self.protocol, "messages": len(self._require())}

    def _summary(self):
        return f"{len(self._client)} message(s) in the Maildir {self.config.host}"

    def delete(self, uids):
        maildir = self._require()
        for uid in uids:
            maildir.discard(getattr(uid, "uid", uid))

    def folder_exists(self, folder):
        return folder in self._require().list_folders()

    def ensure_folder(self, folder):
        if not self.folder_exists(folder):
            self._client.add_folder(folder)

    def move(self, uids, folder):
        self.ensure_folder(folder)
        target = self._client.get_folder(folder)
        for uid in uids:
            raw = self.fetch(uid)  # the bytes as delivered; a copy, then the original goes
            target.add(raw)
            self._client.discard(getattr(uid, "uid", uid))


class MailInbox(models.Model):
    _inherit = "mail.inbox"

    protocol = fields.Selection(
        selection_add=[("maildir", "Maildir folder")], ondelete={"maildir": "cascade"}
    )
