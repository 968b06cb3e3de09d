"""Parse time of the email core on hostile whole messages (issue 14: any message < 5 s).

    python3 bench/hostile_shapes.py [--mb 1,10] [--only manyparams,html_hr] [--core DIR]

``hostile_time.py`` repeats lines of a plain-text body; these shapes repeat a unit
anywhere in a message: header fields, parameters, addresses, MIME parts, HTML elements,
8-bit bytes. Each message is built at the given size (the raw message's size; bodies are
cut at ``max_body_chars``, 2 MB, before the text work, headers are not), parsed once with
``parse_message`` in this process, and what the addon reads is read (new part text and
HTML, body text); CPU seconds (``time.process_time``) are printed with the new part's
length, or the exception that escaped. ``--core`` imports ``mailparse`` from another folder
(one ``git archive`` of main) to compare versions; alternate them, under the same load.
"""

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = (
    "From: Customer <c@example.org>\r\nTo: support@example.com\r\nSubject: hostile\r\n"
    "Message-ID: <h@example.org>\r\nMIME-Version: 1.0\r\n"
)
HTML = "text/html; charset=utf-8"


def _rep(unit, size):
    return unit * max(1, size // len(unit))


def _message(body, ctype="text/plain; charset=utf-8", extra=""):
    head = (HEAD + extra + f"Content-Type: {ctype}\r\n\r\n").encode()
    return head + (body if isinstance(body, bytes) else body.encode())


def _multipart(part, size, kind="mixed"):
    return _message(
        "--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n" + _rep(part, size) + "--b--\r\n",
        f"multipart/{kind}; boundary=b",
    )


def _short(fields):
    """A message of a sender, ``fields`` and a one-word body."""
    return ("From: c@e.org\r\n" + fields + "\r\n\r\nhi\r\n").encode()


def _random_high(size):
    rng = random.Random(1)
    return bytes(rng.randrange(128, 256) for _ in range(size))


def _deep_multipart(size):
    depth = max(1, size // 60)
    head = "".join(
        f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n" for i in range(depth)
    )
    tail = "".join(f"--b{i}--\r\n" for i in range(depth, -1, -1))
    return _message(
        head + f"--b{depth}\r\nContent-Type: text/plain\r\n\r\nhi\r\n" + tail,
        "multipart/mixed; boundary=b0",
    )


def _rfc822_chain(size):
    depth = max(1, size // 80)
    wrapper = "Subject: fw\r\nContent-Type: message/rfc822\r\n\r\n"
    inner = "Subject: x\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
    return _message(wrapper * depth + inner, "message/rfc822")


SHAPES = {
    # header fields
    "manyheaders": lambda n: (HEAD + _rep("X-Foo: bar baz\r\n", n) + "\r\nhi\r\n").encode(),
    "longfold": lambda n: (
        HEAD + "X-Long: a" + _rep("\r\n b c d e f", n) + "\r\n\r\nhi\r\n"
    ).encode(),
    "ewsubject": lambda n: _short("To: s@e.com\r\nSubject: " + _rep("=?utf-8?B?w6nDqQ==?= ", n)),
    "manyto": lambda n: _short("Subject: x\r\nTo: " + _rep("Name X <a@b.c>,\r\n ", n) + "x@y.z"),
    "manycc": lambda n: _short("To: s@e.com\r\nCc: " + _rep('"Q, R" <a@b.c>, ', n) + "x@y.z"),
    "rawfrom8": lambda n: (
        b"From: " + _rep(b"\xc4\xe3\xba\xc3", n) + b" <c@e.org>\r\nTo: s@e.com\r\n\r\nhi\r\n"
    ),
    # parameters
    "manyparams": lambda n: _message(
        "hi", "text/plain; charset=utf-8" + "".join(f"; p{i}=v" for i in range(n // 10))
    ),
    "rfc2231": lambda n: _multipart(
        "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment"
        + "".join(f";\r\n filename*{i}*=%41%42" for i in range(n // 24))
        + "\r\n\r\nxx\r\n",
        1,
    ),
    # structure
    "manyparts": lambda n: _multipart("--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n", n),
    "manyattach": lambda n: _multipart(
        '--b\r\nContent-Type: application/pdf; name="a.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n",
        n,
    ),
    # plain-text bodies
    "wrote": lambda n: _message(
        _rep("On Mon, 3 Mar 2026 at 10:00, Ann <a@b.c> wrote:\r\n> x\r\n", n)
    ),
    "cr": lambda n: _message("a\r" * (n // 2)),
    "anglelines": lambda n: _message(_rep("<a@b.c>\r\n", n)),
    "sigsep": lambda n: _message(_rep("-- \r\nName\r\n", n)),
    "nonascii": lambda n: _message(_random_high(n), "text/plain"),
    # HTML bodies
    "html_bqflat": lambda n: _message(_rep("<blockquote>q</blockquote><p>a</p>", n), HTML),
    "html_hr": lambda n: _message(_rep("<hr><p>x</p>", n), HTML),
    "html_tables": lambda n: _message(
        _rep("<table><tr><td>a</td><td>b</td></tr></table>", n), HTML
    ),
    "html_origmsg": lambda n: _message(
        _rep("<p>-----Original Message-----</p><p><b>From:</b> a@b.c</p>", n), HTML
    ),
    "html_lt": lambda n: _message(_rep("<", n), HTML),
    "html_li": lambda n: _message(_rep("<li>", n), HTML),
    # shapes added by hostile8
    "deepmulti": _deep_multipart,
    "rfc822chain": _rfc822_chain,
    "oneline": lambda n: _message("a" * n),
    "onelinewords": lambda n: _message(_rep("word ", n)),
    "references": lambda n: _short(
        "Subject: x\r\nReferences: " + _rep("<id.1234@example.org>\r\n ", n) + "<e@f>"
    ),
    "inreplyto": lambda n: _short("Subject: x\r\nIn-Reply-To: " + _rep("<a@b> ", n)),
    "received": lambda n: (
        _rep(
            "Received: from a.example.org (a [10.0.0.1]) by b.example.com; "
            "Mon, 3 Mar 2026 10:00:00 +0000\r\n",
            n,
        )
        + HEAD
        + "\r\nhi\r\n"
    ).encode(),
    "b64garbage": lambda n: _message(
        _rep("QUJD!!\x00*~ ZGVm=ab=\r\n", n), extra="Content-Transfer-Encoding: base64\r\n"
    ),
    "qpsoft": lambda n: _message(
        _rep("ab=\r\n", n), extra="Content-Transfer-Encoding: quoted-printable\r\n"
    ),
    "qpbroken": lambda n: _message(
        _rep("=C3=A9=Z=\r\n=3", n), extra="Content-Transfer-Encoding: quoted-printable\r\n"
    ),
    "calendar": lambda n: _message(
        "BEGIN:VCALENDAR\r\n"
        + _rep("BEGIN:VEVENT\r\nSUMMARY:x\r\nDESCRIPTION:y\\n z\r\nEND:VEVENT\r\n", n)
        + "END:VCALENDAR\r\n",
        "text/calendar; method=REQUEST",
    ),
    "calendar_part": lambda n: _multipart(
        "--b\r\nContent-Type: text/calendar\r\n\r\n" + _rep("BEGIN:VEVENT\r\n", n), 1
    ),
    "html_deep": lambda n: _message("<div>" * (n // 5) + "x", HTML),
    "html_deepclosed": lambda n: _message("<div>" * (n // 11) + "x" + "</div>" * (n // 11), HTML),
    "html_deepbq": lambda n: _message("<blockquote>" * (n // 12) + "x", HTML),
    "html_attrs": lambda n: _message("<p " + _rep('a="b" ', n) + ">x</p>", HTML),
    "html_comment": lambda n: _message(_rep("<!-- x -->", n), HTML),
    "html_entities": lambda n: _message(_rep("&amp;&#233;&nbsp;", n), HTML),
    "html_img": lambda n: _message(_rep('<img src="cid:a@b">', n), HTML),
    "html_links": lambda n: _message(_rep('<a href="http://e.org/x">x</a> ', n), HTML),
    "html_style": lambda n: _message("<style>" + _rep("p{color:red}", n) + "</style>x", HTML),
    "html_pre": lambda n: _message("<pre>" + _rep("&gt; quoted line\n", n) + "</pre>", HTML),
    "ewfilename": lambda n: _multipart(
        '--b\r\nContent-Type: application/pdf; name="'
        + _rep("=?utf-8?B?w6nDqQ==?=", n)
        + '"\r\n\r\nxx\r\n',
        1,
    ),
    "deepquote": lambda n: _message(_rep(">" * 200 + " x\r\n", n)),
    "quotedwrote": lambda n: _message(_rep("> On Mon, 3 Mar 2026, Ann <a@b.c> wrote:\r\n", n)),
    "headerblocks": lambda n: _message(
        _rep("From: a@b.c\r\nSent: Monday\r\nTo: c@d.e\r\nSubject: x\r\n\r\n", n)
    ),
    "longline_colon": lambda n: _message("a" * (n - 1) + ":"),
    "manycids": lambda n: _multipart(
        "--b\r\nContent-Type: image/png\r\nContent-ID: <i@x>\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n",
        n,
        "related",
    ),
    "rawheader8": lambda n: HEAD.encode() + b"X-Raw: " + _random_high(n) + b"\r\n\r\nhi\r\n",
    "uuencode": lambda n: _message("begin 644 a.bin\r\n" + _rep("M" + "A" * 60 + "\r\n", n)),
    "nullbytes": lambda n: _message("\x00" * n),
    "emptylines": lambda n: _message("\r\n" * (n // 2)),
    "manysubjects": lambda n: (HEAD + _rep("Subject: x\r\n", n) + "\r\nhi\r\n").encode(),
    "mutt": lambda n: _message(
        "".join(f"* Name{i % 997} <a{i % 991}@b.c> [2017-05-05 05:39]:\r\n" for i in range(n // 48))
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--mb", default="1,10", help="message sizes in MB, comma-separated")
    ap.add_argument("--only", default=",".join(SHAPES))
    ap.add_argument("--core", default=str(ROOT / "helpdesk_mail_ticket"))
    args = ap.parse_args()
    sys.path.insert(0, args.core)
    from mailparse import parse_message  # pylint: disable=import-outside-toplevel

    for kind in args.only.split(","):
        for mb in args.mb.split(","):
            raw = SHAPES[kind](int(float(mb) * 1e6))
            start = time.process_time()
            try:
                parsed = parse_message(raw)
                _ = (parsed.new_part_text, parsed.new_part_html, parsed.body_text)
                outcome = f"new part {len(parsed.new_part_text or '')}"
            except Exception as exc:  # pylint: disable=broad-except
                outcome = f"RAISED {type(exc).__name__}: {str(exc)[:80]}"
            took = time.process_time() - start
            print(
                f"{kind:12} {mb:>4} MB {len(raw) / 1e6:6.2f} MB raw {took:7.2f} s  {outcome}",
                flush=True,
            )


if __name__ == "__main__":
    main()
