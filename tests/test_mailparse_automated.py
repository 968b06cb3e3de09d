"""Automated mail the header rules must recognize (issue 14: bounce recall >= 99 %).

Synthetic messages written for these tests; none is copied from the corpus."""

from mailparse import parse_message


def _mail(headers: str, body: str = "Hello.\n") -> bytes:
    return (headers.strip() + "\n\n" + body).replace("\n", "\r\n").encode()


def test_mailman_moderation_notice_from_the_list_owner_is_automated():
    raw = _mail(
        """
From: support-team-owner@lists.example.net
To: ann@example.org
Subject: Your message to Support-team awaits moderator approval
X-Mailman-Version: 2.1.39
List-Id: <support-team.lists.example.net>
Message-ID: <notice-1@lists.example.net>
""",
        "Your mail to 'Support-team' with the subject\n\n    printer\n\nIs being held.\n",
    )
    parsed = parse_message(raw)
    assert parsed.automated is not None
    assert "list" in parsed.automated.reason


def test_list_server_rejection_from_the_admin_address_is_automated():
    raw = _mail(
        """
From: users-admin@example.org
To: bob@example.com
Subject: You bob@example.com are not member (users ML)
Mailing-List: contact users-help@example.org; run by ezmlm
X-ML-Server: fml [fml 4.0]
Message-ID: <reject-7@example.org>
""",
        "You are not a member of this mailing list <users@example.org>.\n",
    )
    assert parse_message(raw).automated is not None


def test_a_person_posting_to_a_list_is_not_automated():
    raw = _mail(
        """
From: Carla Owner <carla.owner@example.org>
To: users@lists.example.net
Subject: Re: the printer on floor 2
X-Mailman-Version: 2.1.39
List-Id: <users.lists.example.net>
Message-ID: <human-3@example.org>
""",
        "It works again, thanks.\n",
    )
    assert parse_message(raw).automated is None


def test_the_list_request_address_without_a_list_header_is_a_person():
    # Some teams name a mailbox "purchase-request": without a list server it is a person.
    raw = _mail(
        """
From: purchase-request@example.com
To: helpdesk@example.org
Subject: New laptop for Dana
Message-ID: <human-4@example.com>
"""
    )
    assert parse_message(raw).automated is None


def _sns_mail(kind: str, body_prefix: str = "") -> bytes:
    notice = (
        '{\n  "Type" : "Notification",\n  "MessageId" : "6f1c0e2a",\n'
        '  "Message" : "{\\"notificationType\\":\\"' + kind + '\\",\\"mail\\":{\\"source\\":'
        '\\"shop@example.com\\",\\"destination\\":[\\"gone@example.net\\"]}}"\n}\n'
    )
    return _mail(
        """
From: AWS Notifications <no-reply@sns.amazonaws.com>
To: ops@example.com
Subject: AWS Notification Message
Message-ID: <sns-1@email.amazonses.com>
Content-Type: text/plain; charset=UTF-8
""",
        body_prefix + notice,
    )


def test_an_amazon_ses_bounce_notification_in_json_is_a_bounce():
    parsed = parse_message(_sns_mail("Bounce"))
    assert parsed.automated is not None and parsed.automated.kind == "bounce"


def test_an_amazon_ses_complaint_notification_is_a_feedback_report():
    parsed = parse_message(_sns_mail("Complaint"))
    assert parsed.automated is not None and parsed.automated.kind == "feedback_report"


def test_a_person_quoting_such_a_notification_is_not_automated():
    raw = _sns_mail("Bounce", "Hi, we keep getting these, can you check our setup?\n\n")
    raw = raw.replace(b"no-reply@sns.amazonaws.com", b"erin@example.com")
    raw = raw.replace(b"AWS Notification Message", b"Why do our mails bounce?")
    assert parse_message(raw).automated is None


def _complaint(subject: str, sender: str = "reports@mail-provider.example") -> bytes:
    """A provider's non-ARF complaint: the reported message attached, nothing else."""
    return (
        (
            f"From: {sender}\nTo: abuse@example.com\nSubject: {subject}\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: message/rfc822\n'
            "Content-Disposition: inline\n\nFrom: news@example.com\n"
            "To: someone@mail-provider.example\n"
            "Subject: Our spring offers\nContent-Type: text/plain\n\nBuy now.\n\n--b1--\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )


def test_a_complaint_about_a_message_from_an_ip_address_is_a_feedback_report():
    """Feedback loops that do not use ARF (Outlook.com's JMRP and the like) name the
    reported message by the address of the host that sent it."""
    for subject in (
        "complaint about message from 203.0.113.7",
        "Spam report for mail from [198.51.100.23]",
        "Abuse complaint regarding a message from 2001:db8::25",
    ):
        parsed = parse_message(_complaint(subject))
        assert parsed.automated is not None, subject
        assert parsed.automated.kind == "feedback_report", subject


def test_a_persons_complaint_about_a_message_is_not_automated():
    for subject in (
        "Complaint about message from your sales team",
        "complaint about message from 12 March",
    ):
        assert parse_message(_complaint(subject, "erin@example.com")).automated is None, subject


def _plain(subject: str) -> bytes:
    return _mail(
        f"From: Erin Walsh <erin@customer.example>\nTo: abuse@example.com\nSubject: {subject}",
        "Hello abuse team, we keep receiving phishing from your customer at that address.\n",
    )


def test_a_persons_abuse_complaint_naming_an_address_is_not_automated():
    """An abuse desk's tickets are such complaints: only a report that is nothing but the
    reported message is a provider's feedback loop."""
    for subject in (
        "Spam complaint about emails from 203.0.113.7",
        "Abuse report regarding mail from 198.51.100.23",
        "complaint about the message from 192.168.1.20",
        "Complaint re e-mails from [203.0.113.9]",
    ):
        assert parse_message(_plain(subject)).automated is None, subject


def test_a_person_forwarding_the_spam_with_a_word_is_not_automated():
    raw = _complaint("Spam complaint about emails from 203.0.113.7", "erin@example.com")
    raw = raw.replace(
        b"--b1\r\nContent-Type: message/rfc822",
        b"--b1\r\nContent-Type: text/plain\r\n\r\nPlease stop this.\r\n"
        b"--b1\r\nContent-Type: message/rfc822",
    )
    assert parse_message(raw).automated is None


def test_a_time_or_a_bare_colon_is_not_an_address():
    for subject in (
        "Feedback on message from 10:30:15",
        "Feedback on the email from ::",
        "Feedback on messages from a:b:c",
    ):
        assert parse_message(_complaint(subject)).automated is None, subject
