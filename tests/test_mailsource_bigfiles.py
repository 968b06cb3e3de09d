"""Emails too big to process, against a real Dovecot: streamed whole to a private file
(IMAP by partial fetches, POP3 by RETR read line by line), never held whole in memory."""

import os
import stat
import tracemalloc
from email.message import EmailMessage

import pytest
from conftest_dovecot import new_mailbox
from mailparse.identity import content_digest
from mailsource import MessageNotFoundError, open_source
from mailsource.bigfiles import assemble_message, safe_file_name, save_message
from mailsource.imap import ImapSource
from mailsource.structure import parse_bodystructure

MB = 1024 * 1024


def big_message(megabytes, tag="big"):
    """A real email of about ``megabytes`` MB, dot-started lines included (POP3 stuffing)."""
    head = (
        "From: Bob <bob@example.org>\r\nTo: support@example.com\r\n"
        f"Subject: Scans {tag}\r\nMessage-ID: <{tag}@example.org>\r\n"
        "Date: Mon, 05 Jan 2026 08:00:00 +0000\r\n\r\n"
    ).encode()
    line = b"0123456789abcdef" * 4 + b"\r\n"
    lines = [b".dot line %d\r\n" % n if n % 1000 == 0 else line for n in range(megabytes * 15420)]
    return head + b"".join(lines) + b"..\r\n.\r\nend\r\n"


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_fetch_into_streams_the_message_whole_without_holding_it(mailbox, protocol, tmp_path):
    raw = big_message(12)
    mailbox.append(raw)
    target = tmp_path / "out.eml"
    with open_source(mailbox.config(protocol)) as source:
        (listed,) = source.list_messages()
        with open(target, "wb") as out:
            tracemalloc.start()
            try:
                written = source.fetch_into(listed.uid, out)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert written == len(raw)
    assert target.read_bytes() == raw
    # The whole message is 12 MB: what was held at once is a few chunks, not the mail.
    assert peak < 4 * MB, peak


def test_imap_fetch_into_fetches_by_partial_chunks(mailbox, tmp_path):
    raw = big_message(3)
    mailbox.append(raw)
    lines = []
    with open_source(mailbox.config("imap"), trace=lines.append) as source:
        (listed,) = source.list_messages()
        with open(tmp_path / "x.eml", "wb") as out:
            source.fetch_into(listed.uid, out)
    fetches = [line for line in lines if "BODY.PEEK[]<" in line]
    assert len(fetches) == -(-len(raw) // ImapSource.STREAM_CHUNK)
    assert (tmp_path / "x.eml").read_bytes() == raw


def test_imap_fetch_into_a_size_multiple_of_the_chunk(mailbox, tmp_path, monkeypatch):
    """The last partial fetch starts at the end: the server answers an empty string."""
    raw = big_message(1)
    raw = raw + b"x" * (-len(raw) % 4096)
    mailbox.append(raw)
    monkeypatch.setattr(ImapSource, "STREAM_CHUNK", 4096)
    with open_source(mailbox.config("imap")) as source, open(tmp_path / "m", "wb") as out:
        (listed,) = source.list_messages()
        assert source.fetch_into(listed.uid, out) == len(raw)
    assert (tmp_path / "m").read_bytes() == raw


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_save_message_in_a_private_folder(mailbox, protocol, tmp_path):
    raw = big_message(2)
    mailbox.append(raw)
    folder = tmp_path / "spool" / "big"
    with open_source(mailbox.config(protocol)) as source:
        (listed,) = source.list_messages()
        path = save_message(source, listed.uid, str(folder), "email-2026-01-05-db-7.eml")
    assert path == str(folder / "email-2026-01-05-db-7.eml")
    assert open(path, "rb").read() == raw
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(folder) == ["email-2026-01-05-db-7.eml"], "no temporary file left"


def test_save_message_refuses_unsafe_names_and_shared_folders(mailbox, tmp_path):
    mailbox.append(big_message(1))
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    with open_source(mailbox.config("imap")) as source:
        (listed,) = source.list_messages()
        # Up to 250 characters: with ".part" still within the file system's 255.
        assert save_message(source, listed.uid, str(tmp_path / "ok"), "n" * 250)
        for name in ("../escape.eml", "/etc/x.eml", "", ".hidden", "a/b.eml", "n" * 251):
            with pytest.raises(ValueError):
                save_message(source, listed.uid, str(tmp_path / "ok"), name)
        with pytest.raises(ValueError):
            save_message(source, listed.uid, "relative/dir", "x.eml")
        with pytest.raises(PermissionError) as info:
            save_message(source, listed.uid, str(shared), "x.eml")
        assert "0755" in str(info.value)
    assert os.listdir(shared) == []
    assert not (tmp_path / "escape.eml").exists()


def test_save_message_leaves_no_partial_file_when_the_download_fails(dovecot, tmp_path):
    mailbox = new_mailbox(dovecot)
    mailbox.append(big_message(2))
    folder = tmp_path / "big"
    with open_source(mailbox.config("imap")) as source:
        (listed,) = source.list_messages()
        with pytest.raises(MessageNotFoundError):
            save_message(source, listed.number + 1, str(folder), "gone.eml")
    assert os.listdir(folder) == []


def test_safe_file_name():
    assert safe_file_name("email", "2026-01-05", "my db/../x", "12") == (
        "email-2026-01-05-my_db_.._x-12"
    )
    assert "/" not in safe_file_name("../../etc/passwd")
    assert not safe_file_name(".x").startswith(".")


# -- reading a big message part by part (IMAP BODYSTRUCTURE)


def structured_message(scan):
    message = EmailMessage()
    message["From"] = "Bob <bob@example.org>"
    message["To"] = "support@example.com"
    message["Subject"] = "Scans"
    message["Message-ID"] = "<scans@example.org>"
    message.set_content("See the scans.\n")
    message.add_alternative("<p>See the <b>scans</b>.</p>\n", subtype="html")
    message.add_attachment(scan, "application", "pdf", filename='scan "été".pdf')
    message.add_attachment(
        "Log line é\n" * 500, subtype="plain", filename="log.txt", cte="quoted-printable"
    )
    inner = EmailMessage()
    inner["Subject"] = "Forwarded"
    inner.set_content("Inner body\n")
    message.add_attachment(inner)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def test_imap_structure_and_parts(mailbox, tmp_path, monkeypatch):
    scan = os.urandom(300_000)
    mailbox.append(structured_message(scan))
    mailbox.append(b"Subject: plain\r\n\r\nJust text.\r\n")
    monkeypatch.setattr(ImapSource, "STREAM_CHUNK", 1001)  # units straddle the chunks
    with open_source(mailbox.config("imap")) as source:
        multi, single = source.list_messages()
        tree = source.structure(multi.uid)
        assert tree.mimetype == "multipart/mixed" and tree.section == ""
        leaves = tree.leaves()
        assert [(p.section, p.mimetype) for p in leaves] == [
            ("1.1", "text/plain"),
            ("1.2", "text/html"),
            ("2", "application/pdf"),
            ("3", "text/plain"),
            ("4", "message/rfc822"),
        ]
        pdf, log = leaves[2], leaves[3]
        assert pdf.filename == 'scan "été".pdf' and pdf.disposition == "attachment"
        assert pdf.encoding == "base64" and pdf.size > 400_000
        assert log.filename == "log.txt" and log.encoding == "quoted-printable"
        assert leaves[0].params["charset"] == "utf-8"
        assert source.fetch_part(multi.uid, "1.1") == b"See the scans.\r\n"
        assert b"Content-Type: application/pdf" in source.fetch_part(multi.uid, "2", mime=True)
        with open(tmp_path / "scan.pdf", "wb") as out:
            assert source.fetch_part_into(multi.uid, "2", out, pdf.encoding) == len(scan)
        assert (tmp_path / "scan.pdf").read_bytes() == scan
        with open(tmp_path / "log.txt", "wb") as out:
            source.fetch_part_into(multi.uid, "3", out, log.encoding)
        assert (tmp_path / "log.txt").read_bytes().decode() == "Log line é\r\n" * 500
        plain = source.structure(single.uid)
        assert (plain.section, plain.mimetype, plain.leaves()) == ("1", "text/plain", [plain])


def test_bodystructure_with_literals_and_rfc2231():
    pieces = [
        (
            b'7 (UID 9 BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 5 1 '
            b'NIL NIL NIL NIL)("application" "octet-stream" ("name" {6}',
            b'a)b"c',
        ),
        b') NIL NIL "base64" 1200 NIL ("attachment" ("filename*" "utf-8\'\'%C3%A9t%C3%A9.bin"))'
        b' NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL))',
    ]
    tree = parse_bodystructure(pieces)
    text, blob = tree.leaves()
    assert (text.section, text.size, text.encoding) == ("1", 5, "8bit")
    assert (blob.section, blob.size, blob.params["name"]) == ("2", 1200, 'a)b"c')
    assert blob.filename == "été.bin"
    assert parse_bodystructure([b"7 (UID 9 FLAGS (\\Seen))"]) is None


def test_an_email_rebuilt_twice_is_the_same_email():
    """An oversize email is rebuilt from its small parts at each processing (another
    inbox, a renumbered mailbox): the rebuilt messages must be the same email."""
    header = (
        b"From: Alice <alice@acme.example>\r\nTo: support@helpdesk.example\r\n"
        b"Subject: Big\r\nMessage-ID: <big-1@acme.example>\r\n"
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
    )
    entity = b'Content-Type: text/plain; charset="utf-8"\r\n\r\nSee the attached scan.\r\n'
    one, two = assemble_message(header, [entity]), assemble_message(header, [entity])
    assert one == two
    assert content_digest(one) == content_digest(two)
    other = assemble_message(header, [entity.replace(b"scan", b"photo")])
    assert content_digest(other) != content_digest(one)  # no Date: the text decides
