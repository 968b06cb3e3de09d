"""Attacks on the listing that brings header blocks (issue 13). What SELECT announced
bounds the header blocks the listing reads: a server that shows mail arrived since
SELECT in the UID FETCH of "n:*" (RFC 3501 lets it: EXISTS may come with any command;
Dovecot does not, it syncs after the command), or a connection opened ahead whose SELECT
is old, must not make the listing read up to 64 KB for each message of a bulk import."""

import re

from mailsource import open_source
from mailsource.imap import HEADERS_WITH_LISTING
from scripted_imap import ScriptedImap

HEADER = b"Subject: hi\r\nX-Filler: " + b"f" * 4000 + b"\r\n\r\n"
LAST_UID = 7 + 3 * HEADERS_WITH_LISTING  # what the folder holds when the UID FETCH comes


class GrownImap(ScriptedImap):
    """A loopback IMAP server: SELECT announces UIDNEXT 8 (1 new message since a cursor
    at UIDNEXT 7), then mail lands: its UID FETCH answers every UID of the set asked up
    to LAST_UID ("*" is LAST_UID), each with the header block when asked."""

    def __init__(self, uids=range(1, LAST_UID + 1)):
        self.uids, self.literals = list(uids), 0
        super().__init__(self._fetch)

    def _fetch(self, tag, rest):
        first, last = re.search(rb"FETCH (\d+):(\d+|\*)", rest).groups()
        last = max(self.uids) if last == b"*" else int(last)
        answer = b"* %d EXISTS\r\n" % len(self.uids)
        chosen = [uid for uid in self.uids if int(first) <= uid <= last]
        if not chosen and rest.split(b" ")[2].endswith(b"*"):
            chosen = [max(self.uids)]  # "n:*" matches the last UID
        for uid in chosen:
            if b"BODY.PEEK[HEADER]" in rest:
                self.literals += 1
                answer += (
                    b"* %d FETCH (UID %d RFC822.SIZE 5000 FLAGS () BODY[HEADER]<0> {%d}\r\n"
                    % (uid, uid, len(HEADER))
                    + HEADER
                    + b")\r\n"
                )
            else:
                answer += b"* %d FETCH (UID %d RFC822.SIZE 5000 FLAGS ())\r\n" % (uid, uid)
        return answer + tag + b" OK done\r\n"


def test_mail_arriving_after_select_does_not_come_with_header_blocks():
    server = GrownImap()
    with open_source(server.config()) as source:
        listing = source.list_changes({"uidvalidity": "5", "uidnext": 7, "messages": 6})
        assert 7 in [message.number for message in listing.messages]
        # The one new message SELECT announced still costs no command of its own.
        fetches = len(server.received)
        assert source.fetch_header(listing.messages[0].uid) == HEADER
        assert len(server.received) == fetches
    # At most the header blocks of the UIDs SELECT announced were asked and read, not
    # one for each of the messages that landed after it.
    assert server.literals <= HEADERS_WITH_LISTING, server.literals


def test_a_new_message_above_the_uidnext_select_announced_is_listed():
    # A server whose UIDNEXT lags behind the UID it gave (SELECT: UIDNEXT 8, one new
    # message, which is UID 9): the listing of the announced UIDs finds none, the rest
    # of the folder is listed (as the open range "7:*" did), the message is not skipped.
    server = GrownImap(uids=[1, 2, 3, 4, 5, 6, 9])
    with open_source(server.config()) as source:
        listing = source.list_changes({"uidvalidity": "5", "uidnext": 7, "messages": 6})
        assert [message.number for message in listing.messages] == [9]
