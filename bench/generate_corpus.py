#!/usr/bin/env python3
"""A deterministic, realistic helpdesk corpus for the throughput benchmark.

Same ``count`` and ``seed``, same bytes (dates, Message-IDs and random payloads are all
derived from the seed). The mix follows what a support mailbox receives:

* about 60 % new requests, 30 % replies (quoted history, ``In-Reply-To``/``References``
  to an earlier request or reply of the corpus, ``Re:`` subject), 5 % auto-replies
  (out-of-office, ``Auto-Submitted``), 5 % odd ones (no subject, no Message-ID, HTML only
  with broken markup, 8-bit body in a legacy charset, empty body);
* bodies as text/plain, text/html or multipart/alternative, some with an inline ``cid:``
  image (multipart/related); 0-3 attachments of 10 KB-2 MB (most small);
* charsets utf-8, iso-8859-1 and windows-1252, transfer encodings quoted-printable and
  base64.

Senders come from ``senders(seed)`` so a benchmark can create them as contacts first.

    python3 bench/generate_corpus.py --count 500 --out /tmp/corpus   # one .eml per message
"""

import argparse
import io
import os
import random
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

SUPPORT = "support@helpdesk.example"
COMPANIES = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"]
FIRST = ["Alice", "Bruno", "Chloé", "Dmitri", "Élodie", "François", "Grete", "Hakan",
         "Inès", "Jürgen", "Kasia", "Léa", "Mårten", "Núria", "Oskar", "Paula"]  # fmt: skip
LAST = ["Martin", "Dupré", "Müller", "Søren", "García", "Kowalski", "Rossi", "Nováková"]
TOPICS = [
    ("Printer on floor {n} is jammed", "The printer on floor {n} shows a paper jam again."),
    ("Cannot connect to the VPN", "Since this morning the VPN client says 'auth failed'."),
    ("Password reset for {who}", "Could you reset the password of {who}? They are locked out."),
    ("Invoice {n} looks wrong", "Invoice {n} charges us twice for the same licence."),
    ("Laptop battery swelling", "My laptop's battery is swelling, the case does not close."),
    ("Access to the shared drive", "I need write access to \\\\files\\projects\\{n}."),
    ("Outlook crashes on start", "Outlook crashes on start with error 0x800{n}."),
    ("New employee starting Monday", "{who} starts Monday: account, laptop and badge please."),
    ("Réunion annulée — salle {n}", "La salle {n} est réservée deux fois, pouvez-vous régler ça ?"),
    ("Störung im Lager {n}", "Der Scanner im Lager {n} überträgt keine Daten mehr."),
]
SIGNATURES = [
    "--\n{name}\n{company} Ltd.\nPhone +33 1 23 45 67 {n:02d}",
    "Best regards,\n{name}",
    "Mit freundlichen Grüßen\n{name}",
    "Cordialement,\n{name}",
]
ENCODINGS = [("utf-8", "quoted-printable"), ("utf-8", "base64"),
             ("iso-8859-1", "quoted-printable"), ("windows-1252", "quoted-printable"),
             ("windows-1252", "base64"), ("iso-8859-1", "base64")]  # fmt: skip
ATTACHMENT_TYPES = [("report.pdf", "application", "pdf"), ("logs.zip", "application", "zip"),
                    ("screenshot.png", "image", "png"), ("notes.docx", "application",
                    "vnd.openxmlformats-officedocument.wordprocessingml.document"),
                    ("data.xlsx", "application", "vnd.ms-excel")]  # fmt: skip
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def senders(seed=42):
    """(display name, address) of every sender the corpus uses."""
    rng = random.Random(seed)
    people = []
    for index in range(40):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = COMPANIES[index % len(COMPANIES)]
        address = f"{first.lower()[:3].encode('ascii', 'ignore').decode()}{index}@{company}.example"
        people.append((f"{first} {last}", address))
    return people


def _png(rng, width=220, height=90):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle([x, y, x + 20, y + 10], fill=(rng.randrange(256), 0, 128))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _attachment_size(rng):
    roll = rng.random()
    if roll < 0.6:
        return rng.randrange(10_000, 50_000)
    if roll < 0.9:
        return rng.randrange(50_000, 300_000)
    return rng.randrange(300_000, 2_000_000)


def _attachment_count(rng):
    roll = rng.random()
    return 0 if roll < 0.6 else 1 if roll < 0.85 else 2 if roll < 0.95 else 3


class CorpusGenerator:
    def __init__(self, seed=42):
        self.rng = random.Random(seed)
        self.seed = seed
        self.people = senders(seed)
        self.threads = []  # (message_id, references, subject, body, sender) of requests/replies
        self.png_cache = [_png(random.Random(seed + k)) for k in range(4)]

    def generate(self, count):
        """The corpus as a list of (kind, bytes)."""
        return [self.message(index) for index in range(count)]

    def message(self, index):
        rng = self.rng
        roll = rng.random()
        if roll < 0.30 and self.threads:
            kind = "reply"
        elif roll < 0.35:
            kind = "auto"
        elif roll < 0.40:
            kind = "odd"
        else:
            kind = "new"
        builder = getattr(self, f"_build_{kind}")
        message = builder(index)
        # email.generator draws boundaries at random: fix them for identical bytes.
        for number, part in enumerate(message.walk()):
            if part.is_multipart():
                part.set_boundary(f"=_bench_{self.seed}_{index}_{number}")
        return kind, message.as_bytes()

    # -- pieces -------------------------------------------------------------------------------

    def _base(self, index, sender, subject):
        message = EmailMessage()
        message["From"] = f"{sender[0]} <{sender[1]}>"
        message["To"] = SUPPORT
        if subject is not None:
            message["Subject"] = subject
        message["Date"] = format_datetime(START + timedelta(minutes=3 * index))
        message["Message-ID"] = f"<bench-{self.seed}-{index}@{sender[1].split('@')[1]}>"
        return message

    def _text(self, index, sender):
        topic, body = self.rng.choice(TOPICS)
        values = {"n": index % 97, "who": self.rng.choice(self.people)[0]}
        signature = self.rng.choice(SIGNATURES).format(
            name=sender[0], company=sender[1].split("@")[1].split(".")[0].title(), n=index % 100
        )
        lines = [
            body.format(**values),
            "It started after the update of last week." if self.rng.random() < 0.5 else "",
            "Could you have a look as soon as possible? Merci d'avance, ça bloque l'équipe.",
        ]
        return topic.format(**values), "Hello,\n\n" + "\n".join(lines) + "\n\n" + signature + "\n"

    def _set_body(self, message, text, index, allow_image=True):
        charset, cte = self.rng.choice(ENCODINGS)
        shape = self.rng.random()
        html = "<html><body>" + "".join(
            f"<p>{line}</p>" for line in text.replace("&", "&amp;").replace("<", "&lt;").split("\n")
        )
        if shape < 0.35:
            message.set_content(text, charset=charset, cte=cte)
            return
        if shape < 0.5:
            message.set_content(html + "</body></html>", subtype="html", charset=charset, cte=cte)
            return
        message.set_content(text, charset=charset, cte=cte)
        with_image = allow_image and self.rng.random() < 0.3
        cid = f"img{index}@bench.example"
        if with_image:
            html += f'<p><img src="cid:{cid}" alt="screenshot"></p>'
        message.add_alternative(html + "</body></html>", subtype="html", charset=charset, cte=cte)
        if with_image:
            html_part = message.get_payload()[1]
            html_part.add_related(
                self.rng.choice(self.png_cache), "image", "png", cid=f"<{cid}>",
                filename="inline.png",
            )  # fmt: skip

    def _add_attachments(self, message):
        for number in range(_attachment_count(self.rng)):
            name, maintype, subtype = self.rng.choice(ATTACHMENT_TYPES)
            data = self.rng.randbytes(_attachment_size(self.rng))
            if maintype == "image":
                # A real image: Odoo's ir.attachment decodes images it stores, and a
                # corrupt PNG makes it raise (a different benchmark).
                data = self.rng.choice(self.png_cache)
            message.add_attachment(
                data, maintype=maintype, subtype=subtype, filename=f"{number + 1}-{name}"
            )

    # -- kinds ----------------------------------------------------------------------------------

    def _build_new(self, index):
        sender = self.rng.choice(self.people)
        subject, text = self._text(index, sender)
        message = self._base(index, sender, subject)
        self._set_body(message, text, index)
        self._add_attachments(message)
        self.threads.append((message["Message-ID"], [], subject, text, sender))
        return message

    def _build_reply(self, index):
        parent_id, parent_refs, subject, parent_text, parent_sender = self.rng.choice(
            self.threads[-200:]
        )
        sender = parent_sender if self.rng.random() < 0.8 else self.rng.choice(self.people)
        clean = subject[4:] if subject.startswith("Re: ") else subject
        message = self._base(index, sender, f"Re: {clean}")
        refs = [*parent_refs, parent_id][-10:]
        message["In-Reply-To"] = parent_id
        message["References"] = " ".join(refs)
        answer = self.rng.choice(
            [
                "Thanks, it works again.",
                "Still broken after the restart, see the new log attached.",
                "Any news on this? The team is waiting.",
                "Merci, c'est réglé de notre côté.",
            ]
        )
        when = format_datetime(START + timedelta(minutes=3 * index - 60))
        quoted = "\n".join(f"> {line}" for line in parent_text.splitlines())
        text = f"{answer}\n\n{sender[0]}\n\nOn {when}, {parent_sender[0]} wrote:\n{quoted}\n"
        self._set_body(message, text, index, allow_image=False)
        if self.rng.random() < 0.3:
            self._add_attachments(message)
        self.threads.append((message["Message-ID"], refs, clean, text, sender))
        return message

    def _build_auto(self, index):
        sender = self.rng.choice(self.people)
        message = self._base(index, sender, f"Out of Office: {self.rng.choice(TOPICS)[0]}")
        message["Auto-Submitted"] = "auto-replied"
        message["X-Autoreply"] = "yes"
        message.set_content(f"I am out of the office until Monday.\n{sender[0]}\n")
        return message

    def _build_odd(self, index):
        sender = self.rng.choice(self.people)
        variant = index % 5
        if variant == 0:  # no subject
            message = self._base(index, sender, None)
            message.set_content("Please call me back.\n", charset="utf-8", cte="base64")
        elif variant == 1:  # no Message-ID
            message = self._base(index, sender, "Question without Message-ID")
            del message["Message-ID"]
            message.set_content("Où est ma commande ?\n", charset="iso-8859-1", cte="8bit")
        elif variant == 2:  # HTML only, broken markup
            message = self._base(index, sender, "Broken HTML <b>mail")
            message.set_content(
                "<div><p>Table <table><tr><td>cell</div> never closed<br><br>",
                subtype="html",
                charset="windows-1252",
                cte="quoted-printable",
            )
        elif variant == 3:  # empty body, attachment only
            message = self._base(index, sender, "Scan")
            message.set_content("")
            self._add_attachments(message)
            if not message.is_multipart():
                message.add_attachment(
                    self.rng.randbytes(20_000), maintype="application", subtype="pdf",
                    filename="scan.pdf",
                )  # fmt: skip
        else:  # long RFC 2047 subject in a legacy charset
            message = self._base(index, sender, "Ärger mit dem Drucker " * 6)
            message.set_content("Bitte prüfen — « urgent » ‰\n", charset="windows-1252", cte="8bit")
        return message


def generate(count, seed=42):
    """``count`` messages as a list of (kind, bytes); deterministic for a seed."""
    return CorpusGenerator(seed).generate(count)


def write_corpus(directory, count, seed=42):
    """Write the corpus as ``NNNNNN.eml`` files; returns the kinds by file name."""
    os.makedirs(directory, exist_ok=True)
    kinds = {}
    for index, (kind, raw) in enumerate(generate(count, seed)):
        name = f"{index:06d}.eml"
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(raw)
        kinds[name] = kind
    return kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    kinds = write_corpus(options.out, options.count, options.seed)
    summary = {kind: list(kinds.values()).count(kind) for kind in sorted(set(kinds.values()))}
    total = sum(os.path.getsize(os.path.join(options.out, name)) for name in kinds)
    print(f"{len(kinds)} messages, {total / 1e6:.1f} MB: {summary}")


if __name__ == "__main__":
    main()
