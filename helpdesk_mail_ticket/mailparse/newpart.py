"""The "new part" of a plain-text reply: quotes, quote headers and signatures removed.

Two layers, like iTop 2.6 plus what it misses:

1. iTop's own settings: every ``multiline-delimiter-patterns`` entry is searched in the whole
   text and the match closest to the start wins; ``introductory-patterns`` drop the line that
   introduces a quoted block.
2. Built-in, multilingual detectors (``Settings.builtin_quote_detection``): "On … wrote:"
   headers in many languages (also split over up to three lines), Outlook/Notes header blocks
   ("From:/Sent:/To:/Subject:" and their translations), "-----Original Message-----" style
   separators, forwarded-message markers, and ``>`` quoted blocks, keeping inline answers.

Signatures are cut only where reliable: the ``-- `` delimiter, mobile "Sent from my …" lines
and a closing "Regards" block at the very end. Every function here logs and returns its input
rather than raise.
"""

import functools
import logging
import re
from dataclasses import dataclass
from itertools import islice

from .errors import PatternError
from .pcre import compile_pcre

_logger = logging.getLogger(__name__)

MAX_LINE_LEN = 2000  # longer lines are never quote headers; keeps every regex linear-ish
HEADER_SPAN = 3  # a quote header may be split over this many lines

# --- "On <date>, <name> wrote:" --------------------------------------------------------------
# Verbs (and Gmail's verb-less forms) that end an attribution line, per language.
_WROTE = "|".join(
    [
        r"wrote|writes|has written|sent",  # en
        r"a\s+écrit|a\s+ecrit|écrit",  # fr
        r"schrieb|geschrieben|hat\s+geschrieben",  # de
        r"escribió|escribio|ha\s+escrito",  # es
        r"ha\s+scritto|scrisse",  # it
        r"schreef|heeft\s+geschreven|het\s+volgende\s+geschreven",  # nl
        r"escreveu",  # pt
        r"napisał\(a\)|napisała|napisał|pisze",  # pl
        r"написал\(а\)|написала|написал|пишет",  # ru
        r"написав\(ла\)|написав|пише",  # uk
        r"написа",  # bg sr
        r"skrev(?:\s+følgende)?",  # sv da no
        r"kirjoitti",  # fi
        r"写道|寫道|來信|来信",  # zh
        # Apple Mail's "X <x@y>のメール:" and "X <x@y> 작성:": those words end the line there,
        # right before the colon; in a sentence ("…のメールについて…：", "…작성했습니다…:")
        # they are ordinary words.
        r"書きました|が書きました|のメッセージ|のメール(?=\s*[:：])|さんは書きました",  # ja
        r"napsal\(a\)|napsal|írta|yazdı|έγραψε|כתב|كتب",  # cs hu tr el he ar
        r"napísal\(a\)|napísala|napísal",  # sk
        r"napisao\s+je|napisala\s+je|napisao\(la\)\s+je",  # hr bs sr (Latin)
        r"a\s+scris|va\s+escriure|rašė|menulis|เขียนว่า",  # ro ca lt id th
        r"님이\s*작성(?:한\s*글)?|작성(?=\s*[:：])|đã\s+viết",  # ko vi
    ]
)
# After the verb, at most a date ("schrieb am Di., 3. März 2026, 10:00:"): a colon there only
# inside a time. (A parenthesis there, Gmail's Hungarian "ezt írta (időpont: …):", was tried
# and removed: "X wrote (ticket: 4711):" above the customer's own text cut it.)
# The verb is a whole word where its script spaces words ("sent" is no verb inside
# "presented", "resent", "sentence"); Chinese, Japanese and Korean verbs follow a name
# without a space ("张三<z@x>写道：", "홍길동님이 작성:"), so only letters of spaced scripts
# (Latin, Greek, Cyrillic, Hebrew, Arabic) may not touch it.
_SPACED_LETTER = "a-zA-Z\u00c0-\u024f\u0370-\u052f\u0590-\u06ff"
_WROTE_END = re.compile(
    rf"(?<![{_SPACED_LETTER}])(?:{_WROTE})(?![{_SPACED_LETTER}])"
    r"\s*(?P<tail>[^\n:：]{0,60})[:：]\s*$",
    re.IGNORECASE,
)
# In what follows the verb, a sentence's end ("geschrieben. Details:") or a clause of
# lower-case words after a comma ("geschrieben, hier die Details:"): the customer goes on
# writing; a client's attribution has a name, an address or a date there.
_TAIL_SENTENCE = re.compile(r"(?:^|[^\W\d_]{2})[.!?]\s+[^\W\d_]|,\s*(?=[^\W\d_])")
# A verb further from the colon, for lines that name a sender's address and a date too:
# attributions whose verb comes first ("Wiadomość napisana przez Ann <a@x> w dniu
# 03.03.2026, o godz. 10:00:", Apple Mail in Polish; "schrieb Ann via Helpdesk <long@x>:").
# As clients write them: a whole verb, the sender's address in angle brackets, then nothing
# or a date or time that ends the line ("tail"). A customer's sentence with a verb, an
# address and a date that ends with words ("I sent an email to billing@example.com on
# 03.03.2026 about it. Here is what happened:") introduces the customer's own text.
_WROTE_FAR = re.compile(
    rf"(?<![^\W\d_])(?:{_WROTE}|napisana\s+przez)\s[^\n:：<>]{{0,100}}"
    r"<[^<>\s]{1,64}@[^<>\s]{1,255}>(?P<tail>[^\n:：<>]{0,60})[:：]\s*$",
    re.IGNORECASE,
)


def _wrote_far(text: str) -> bool:
    """A _WROTE_FAR attribution (its times' colons read as dots): its tail empty or ending
    with the digits of a date or time."""
    match = _wrote_far_search(_TIME.sub(".", text))
    if match is None:
        return False
    tail = match.group("tail").rstrip()
    return not tail or tail[-1].isdigit()


# _WROTE_FAR up to the space after its verb.
_FAR_VERB_SPACE = re.compile(rf"(?<![^\W\d_])(?:{_WROTE}|napisana\s+przez)\s", re.IGNORECASE)


def _wrote_far_search(text: str) -> re.Match | None:
    """``_WROTE_FAR.search(text)``, tried only where a match can start.

    The verbs' alternation is tried at every character of a search: 40-70 µs on the joined
    lines of Mutt's "* Ann <a@x> [2017-05-05 05:39]:" (each line searched in three joins,
    10 s on 2 MB of them). A match ends with the text's last colon, spaces alone after it;
    its tail holds no "<" or ">", so its address's ">" is the last one before that colon and
    its "<" the last one before that ">"; neither the verb, its space nor what follows them
    up to that "<" holds a colon, "<" or ">". So a match starts after the last of those
    before the address (no letter for the look-behind) and its verb and space end before the
    address: the verbs are searched there alone, the whole pattern matched where they are."""
    stripped = text.rstrip()
    if stripped[-1:] not in (":", "："):
        return None
    close = stripped.rfind(">", 0, len(stripped) - 1)
    opening = stripped.rfind("<", 0, close) if close > 0 else -1
    if opening < 0:
        return None
    start = 1 + max(stripped.rfind(mark, 0, opening) for mark in (":", "：", "<", ">"))
    for verb in _far_verbs(text[start:opening].lstrip()):
        if (match := _WROTE_FAR.match(text, opening - verb)) is not None:
            return match
    return None


@functools.lru_cache(maxsize=256)
def _far_verbs(region: str) -> tuple[int, ...]:
    """Where ``_FAR_VERB_SPACE`` matches in ``region``, counted back from its end. The
    region (what precedes an address, up to a colon or a bracket, spaces after it left
    out: no verb starts with one, and what precedes it is no letter for the look-behind)
    recurs: each line is joined with the lines above it, and its region read once."""
    found, start = [], 0
    while (verb := _FAR_VERB_SPACE.search(region, start)) is not None:
        found.append(len(region) - verb.start())
        start = verb.start() + 1
    return tuple(found)


# A time's colon, (?<=\d)[:：](?=\d), written colon first (the same matches): a search
# skips to colons instead of trying the look-behind at every character.
_TIME = re.compile(r"[:：](?<=\d[:：])(?=\d)")


# At most this many characters other than spaces in a verb of _WROTE (a test checks it).
_WROTE_LETTERS = 24
# Read backwards from the final colon: the characters and spaces _WROTE_END allows between a
# verb and its colon, then a verb's worth of characters (spaces aside).
_BEFORE_COLON = re.compile(rf"[^\n:：]{{0,60}}\s*(?:\s*\S){{0,{_WROTE_LETTERS}}}")


def _wrote_end(text: str) -> bool:
    """``_WROTE_END.search(text)``, searched only where a match can start.

    The alternation of verbs is tried at every character of a search: 20-40 µs on an
    attribution-long line, the most expensive test of the new-part rules. A match ends with
    the text's last colon followed by spaces alone, and starts at most 60 characters, spaces
    and a verb before it: reading that far back from the colon (reversed, one regex) gives
    where to start the same search, with the same result."""
    stripped = text.rstrip()  # _ENDS_COLON.search(text), without a regex
    if stripped[-1:] not in (":", "："):
        return False
    # Neither a verb nor what follows it holds a colon, and a verb starts with no space: a
    # match lies after the colon before the final one and its spaces, and what precedes it
    # there (a colon, a space or nothing) is no letter for the look-behind. That segment
    # gives the same result: the attribution scan joins each line with the lines above it,
    # so a line's segment recurs (Horde's lines "Zitat von A <a@x>:" each searched once).
    at = len(stripped) - 1
    before = max(stripped.rfind(":", 0, at), stripped.rfind("：", 0, at))
    return _wrote_end_segment(text[before + 1 :].lstrip())


@functools.lru_cache(maxsize=256)
def _wrote_end_segment(text: str) -> bool:
    """:func:`_wrote_end` on a text whose only colon (and full-width colon) is its last
    character other than spaces; it starts with no space."""
    at = len(text.rstrip()) - 1
    back = _BEFORE_COLON.match(text[at - 1 :: -1]).end() if at else 0
    start = at - back
    # Each match ends at that colon and starts within the window: at most a window's worth
    # of searches, each over the window.
    while (match := _WROTE_END.search(text, start)) is not None:
        if _attribution_tail(match.group("tail")):
            return True
        start = match.start() + 1
    return False


# The last word of a text, in lower case ("to", "an", "à", "ich").
_LOWER_WORD_END = re.compile(r"(?:^|[^\w'’])[^\W\d_A-Z\u00c0-\u00de]{1,20}$")


def _attribution_tail(tail: str) -> bool:
    """What follows the verb up to the colon is a client's: a name, an address, a date.

    After an address only a date or time (ending with a digit) or nothing; words without a
    date at the end may not hold a sentence's end or a lower-case clause after a comma."""
    tail = tail.strip()
    if not tail or tail[-1].isdigit():
        return True
    addresses = list(_EMAILISH.finditer(tail)) if "@" in tail else []
    if addresses:
        last = addresses[-1]
        if tail[last.end() :].strip(" \t>)]"):
            return False
        # A bare address after a lower-case word names whom the customer wrote to ("I wrote
        # to billing@x:", "schrieb ich an billing@x:"); a client writes the sender's bare
        # address right after its verb ("schrieb bob@x:") or a name with it in brackets.
        before = tail[: last.start()].rstrip(" \t<[(")
        bare = not last.group().startswith("<") and tail[last.start() - 1 : last.start()] != "<"
        return not (bare and _LOWER_WORD_END.search(before))
    for match in _TAIL_SENTENCE.finditer(tail):
        if match.group().startswith(",") and not tail[match.end()].islower():
            continue
        return False
    return True


# Gmail's Hungarian attribution names the time in a parenthesis with a colon of its own:
# "Bob <bob@x> ezt írta (időpont: 2026. márc. 2., H, 8:40):"; only that word's colon is read
# off (a parenthesis after the verb in general, "X wrote (ticket: 4711):", is a customer's).
_HU_TIME_LABEL = "(időpont:"


def _ends_with_wrote(text: str) -> bool:
    """The verb ends the line, up to its colon; a time's colon after it is not the end."""
    if _HU_TIME_LABEL in text:
        text = text.replace(_HU_TIME_LABEL, "(időpont")
    if _wrote_end(text):
        return True
    return _TIME.search(text) is not None and _wrote_end(_TIME.sub(".", text))


# Words that open an attribution line.
_ON_START = re.compile(
    r"^\s*(?:on|le|am|el|il|op|em|w\s+dniu|den|d\.|в|在|於|on\s+\w+day|στις|"
    r"\d{1,4}[./年-]|\w{2,3}[,.]?\s+\d|\d)",
    re.IGNORECASE,
)
_ON_WROTE_NO_COLON = re.compile(
    r"^(?:on|le|am|el|il|op|em)\s.{5,250}\s(?:wrote|a écrit|schrieb|escribió|ha scritto|"
    r"schreef|escreveu)$",
    re.IGNORECASE,
)
# Bounded like RFC 5321 (local part <= 64): a long run of "-" or "." without "@" stays linear.
_EMAILISH = re.compile(r"[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+|<[^<>\s]{1,64}@[^<>\s]{1,255}>")
# A time, a year or a numeric date: \d{1,2}:\d{2}|\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}, with the
# first digit taken out of the alternation (the same matches) so that a search skips to digits.
_DATEISH = re.compile(r"\d(?:\d?:\d{2}|\d{3}|\d?[./-]\d{1,2}[./-]\d{2,4})")
_ENDS_COLON = re.compile(r"[:：]\s*$")
# Gmail's ISO-dated form without a colon: "2013/7/20 Ann via Helpdesk <helpdesk@example.com>".
_DATED_SENDER = re.compile(
    r"^\s*\d{4}[/.-]\d{1,2}[/.-]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s+[^<>\n]{1,120}"
    r"<[^<>\s@]{1,64}@[^<>\s]{1,255}>\s*$"
)
# "2024/01/02 John <j@x>:" (iTop's third default) and Gmail's verb-less forms ("… <x@y>:").
# A bare address starts where a word can: after a space, a punctuation mark or the line's
# start, not glued to letters of unspaced Chinese, Japanese or Korean text ("…联系了
# support@example.com：" is a sentence; its local part is no "联系了support").
_VERBLESS = re.compile(
    r"(?:<[^<>\s]{1,64}@[^<>\s]{1,255}>"
    r"|(?<![^\W\d_])[A-Za-z0-9\u00c0-\u024f.!#$%&'*+/=?^_`{|}~-]{1,64}@\S{1,255}\.\w+)"
    r"\s*>?\s*[:：]\s*$"
)


def _verbless_search(text: str) -> re.Match | None:
    """``_VERBLESS.search(text)`` from the start of the last run without spaces before the
    final colon (and a ">" with spaces around it): an address holds no space and only spaces
    and one ">" stand between it and that colon, so no match starts before. (Searched at
    every character of an attribution scan's three-line joins, 2-6 µs each.)"""
    stripped = text.rstrip()
    if stripped[-1:] not in (":", "："):
        return None
    before = stripped[:-1].rstrip()
    if before.endswith(">"):
        before = before[:-1].rstrip()
    words = before.rsplit(None, 1)
    if not words:
        return None
    return _VERBLESS.search(text, len(before) - len(words[-1]))


# --- Outlook / Notes header blocks --------------------------------------------------------------
_FROM_FIELDS = (
    r"from|von|de|da|van|od|fra|från|frå|lähettäjä|frá|от|від|kimden|feladó|expéditeur|"
    r"remetente|mittente|absender|afzender|nadawca|avsändare|发件人|寄件者|發件人|差出人|送信者|"
    r"보낸\s*사람|message\s+du|od\s+kogo|"
    r"από|de\s+la|šalje|pošiljatelj|pošiljalac|"  # el ro hr/sr
    r"מאת|من|từ|dari|จาก|"  # he ar vi id th
    r"nuo|saatja"  # lt et (Latvian's "No:" left out: "No: 4711" heads a customer's form)
)
_OTHER_FIELDS = (
    r"sent|date|to|subject|cc|bcc|reply-to|sent\s+by|gesendet|datum|an|betreff|kopie|"
    r"envoyé|envoyé\s+le|envoye|date\s+d'envoi|à|a|objet|sujet|copie\s+à|cc\s*:|"
    r"enviado|enviada|fecha|para|asunto|inviato|data|oggetto|"
    r"verzonden|verstuurd|aan|onderwerp|wysłano|wysłane|do|temat|dw|"
    r"sendt|dato|til|emne|skickat|till|ämne|lähetetty|päivämäärä|vastaanottaja|aihe|"
    r"отправлено|дата|кому|тема|копия|надіслано|"
    r"发送时间|發送時間|日期|收件人|主题|主旨|抄送|送信日時|日時|宛先|件名|"
    r"보낸\s*날짜|받는\s*사람|제목|tarih|konu|kime|elküldve|címzett|tárgy|"
    r"odesláno|komu|předmět|"  # cs
    r"απεστάλη|ημερομηνία|προς|θέμα|κοιν|"  # el
    r"trimis|către|subiect|"  # ro
    r"poslano|poslato|prima|predmet|"  # hr sr
    r"נשלח|אל|נושא|עותק|"  # he
    r"تاريخ\s+الإرسال|أرسل|إلى|الموضوع|نسخة|"  # ar
    r"đã\s+gửi|đến|chủ\s+đề|"  # vi
    r"dikirim|kepada|subjek|tanggal|"  # id
    r"ส่ง|ถึง|เรื่อง|วันที่|"  # th
    r"išsiųsta|kam|kopija|nosūtīts|tēma|"  # lt lv
    r"изпратено|до|относно|копие|"  # bg
    r"saadetud|adressaat|teema|koopia|"  # et
    r"enviat(?:\s+el)?|per\s+a|assumpte|a/c"  # ca
)
# A field line: spaces, up to two "*" or "_" (bold, underlined), spaces, the name, the same,
# the colon. Each run of spaces is read by one \s* only ("\s*[*_]{0,2}\s*" split a run of
# spaces between two of them in every way before failing: an indented line of 40 spaces
# took milliseconds), and (?=\S) fails at once where no name can start: the same lines.
_STARS = r"(?:[*_]{1,2}\s*)?"  # [*_]{0,2}\s* after \s*, read one way only
_FIELD_LINE = re.compile(
    rf"^\s*{_STARS}(?=\S)(?:{_FROM_FIELDS}|{_OTHER_FIELDS})\s*{_STARS}[:：]", re.IGNORECASE
)
# The same with a ">" first (a quoted From line).
_FROM_LINE = re.compile(
    rf"^\s*(?:>\s*)?{_STARS}(?=\S)(?:{_FROM_FIELDS})\s*{_STARS}[:：]", re.IGNORECASE
)
# Separators that always start old content.
_SEPARATOR = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*[^-\n]{3,200}?\s*-{2,}"  # -----Original Message----- and translations
    r"|([_=*~])\1{2,}\s*[^-_=*~\n]{3,200}?\s*[_=*~]{3,}"  # cc:Mail "___ Reply Separator ___"
    r"|_{10,}"  # Outlook's underscore line
    r"|\#\#-[^\n]{3,200}?-\#\#"  # Zendesk's "##- Please type your reply above this line -##"
    r"|={10,}"
    r"|begin\s+forwarded\s+message\s*:"
    r"|début\s+du\s+message\s+réexpédié\s*:"
    r"|anfang\s+der\s+weitergeleiteten\s+nachricht\s*:"
    r"|inicio\s+del\s+mensaje\s+reenviado\s*:"
    r")\s*$",
    re.IGNORECASE,
)
_SEPARATOR_WORDS = re.compile(
    r"original|forward|message|nachricht|mensaje|messaggio|bericht|mensagem|wiadomo|"
    r"сообщени|meddelande|meddelelse|besked|melding|viesti|邮件|郵件|メッセージ|消息|訊息|reply|"
    r"réponse|antwort|transf|weitergeleitet|reenviado|inoltrato|doorgestuurd|"
    r"encaminhad|przekaz|пересылаем|переадрес|vidarebefordrat|videresendt|välitetty|转发|轉寄|転送|"
    r"zpráv|původní|üzenet|eredeti|orijinal|ileti|mesaj|μήνυμα|αρχικό|"  # cs hu tr el
    rf"{_WROTE}",
    re.IGNORECASE,
)
_QUOTE_LINE = re.compile(r"^\s*>")
# Supercite's quote prefix (Emacs, Gnus): the quoted author's initials or short name before
# the ">" ("JD> text", "C>", "Bob> text", nested as "> Bob> text"), on consecutive lines. A
# run of two lines or more with one prefix is a quote; a console's prompt is not ("SQL>",
# "RMAN>", "DISKPART>", "Router>", "mysql>", "irb>": lower case or a prompt's name), nor a
# path ("C:\\>"), nor an arrow or a menu path ("->", "=>", "Step 1 > Step 2").
# The prefix is initials (one to three capitals) or a first name (a capital, then lower
# case): a longer word in capitals ("ERROR>", "WARN>": a log's level) or a camel-case
# product ("FortiGate>") is no writer's prefix.
_SUPERCITE = re.compile(r"^([ \t]*(?:>[ \t]?)*)([A-Z]{1,3}|[A-Z][a-z]{1,11})>(?=[ \t>]|$)")
_PROMPT_WORDS = frozenset(
    "sql rman dgmgrl asmcmd irb pry pdb gdb lldb ftp sftp mysql psql sqlite mongo redis "
    "node python ipython jshell ghci iex scala cqlsh hive impala ok "
    # a device's or a tool's prompt names what it is, not who wrote
    "diskpart netsh nslookup telnet router switch firewall fw console shell cmd db root "
    "admin user prompt ps".split()
)
_SUPERCITE_RUN = 2
_LOWER_WORD = re.compile(r"\b[a-z]{2,12}\b")
# One search first, on "\n" + the text: a pattern opening with a literal is scanned for
# fast (a MULTILINE "^" is tried at every character: five times slower on a reply).
_SUPERCITE_ANY = re.compile(r"\n[ \t>]*[A-Z][A-Za-z]{0,11}>")


def _supercite_to_marks(text: str, originals: dict | None = None) -> str:
    """Supercite prefixes of runs of ``_SUPERCITE_RUN`` lines or more read as ">" marks.
    ``originals`` (when given) receives each marked line's original text, by marked line
    (None where two lines read alike once marked)."""
    if ">" not in text or not _SUPERCITE_ANY.search("\n" + text):
        return text
    lines = text.split("\n")
    matches = [_SUPERCITE.match(line) if len(line) <= MAX_LINE_LEN else None for line in lines]
    changed = False
    marked_at = set()
    # Words the text writes in lower case: a prefix among them names a thing ("the
    # server" / "Server> ..."), not a writer (a first name is not written so).
    common = set(_LOWER_WORD.findall(text))
    index = 0
    while index < len(lines):
        match = matches[index]
        if not match or match.group(2).lower() in _PROMPT_WORDS:
            index += 1
            continue
        if match.group(2)[1:].islower() and match.group(2).lower() in common:
            index += 1
            continue
        prefix = match.group(2)
        end = index + 1
        while end < len(lines) and matches[end] and matches[end].group(2) == prefix:
            end += 1
        if (
            end - index >= _SUPERCITE_RUN
            and (">" in match.group(1) or _own_block(lines, matches, index, end))
            and not _introduced(lines, index)
            and not _question_list(lines, prefix, index, end)
        ):
            for at in range(index, end):
                found = matches[at]
                marked = found.group(1) + ">" + lines[at][found.end() :]
                if originals is not None:
                    # two lines marked alike from different prefixes: neither is restored
                    seen = originals.setdefault(marked, lines[at])
                    if seen is not None and seen != lines[at]:
                        originals[marked] = None
                lines[at] = marked
                marked_at.add(at)
            changed = True
        index = end
    if originals:
        # a line written as a marked one reads ("KB>" marked ">" beside a ">" of the quote
        # kept): which of the two a part holds is not known, neither is restored
        for at, line in enumerate(lines):
            if at not in marked_at and line in originals:
                originals[line] = None
    return "\n".join(lines) if changed else text


# The letter a question is labelled with: "Q" (question, questão), "F" (Frage, fråga), "V"
# (vraag), "P" (pregunta, pergunta, pytanie), "D" (domanda). Any other one letter is a
# writer's initial ("H>" for "Helpdesk"), whose quoted questions stay a quote.
_QUESTION_LABELS = frozenset("QFVPD")


def _question_list(lines: list[str], prefix: str, index: int, end: int) -> bool:
    """A question's label ("Q>") before lines that each ask a question: the customer's
    list of questions, not the initial of a quoted writer."""
    return prefix in _QUESTION_LABELS and all(
        lines[at].rstrip()[-1:] in ("?", "？") for at in range(index, end)
    )


def _own_block(lines: list[str], matches: list, index: int, end: int) -> bool:
    """Lines ``index`` to ``end`` are a block of their own, as a quote is: a blank line, a
    quoted line, an attribution or the text's edge above and below them (a line with
    another label at the same level is no edge: a form). Prefixed lines
    inside the customer's paragraph ("We see this on the core switch" / "Core> ...") are
    the customer's text, word for word."""

    depth = matches[index].group(1).count(">")

    def apart(at: int, above: bool) -> bool:
        if at < 0 or at >= len(lines) or not lines[at].strip():
            return True
        if matches[at]:
            # another label at the same level, no blank line between ("Name> ..." /
            # "Dept> ...", "Q> ..." / "A> ..."): a form or a list, not one writer's quote
            return matches[at].group(1).count(">") != depth
        line = lines[at]
        return line.lstrip().startswith(">") or (
            above and len(line) <= MAX_LINE_LEN and _VERBS.search(line) is not None
        )

    return apart(index - 1, True) and apart(end, False)


def _introduced(lines: list[str], index: int) -> bool:
    """The nearest line with text above ``index`` introduces it ("Here is the chat:") and
    is no attribution (no "wrote" verb): what follows is the customer's own paste."""
    at = index - 1
    while at >= 0 and not lines[at].strip():
        at -= 1
    above = lines[at] if at >= 0 else ""
    return (
        len(above) <= MAX_LINE_LEN
        and _ENDS_COLON.search(above) is not None
        and not _VERBS.search(above)
    )


# Novell GroupWise's quote header: ">>> Name <addr> 2/16/01 10:41:43 am >>>" (it starts with
# ">", so it must be tested before a line is taken for a quoted line).
_GROUPWISE = re.compile(r"^\s*>>>\s[^\n]{0,200}?\d{1,2}[./-]\d{1,2}[./-]\d{2,4}[^\n>]{0,30}>>>\s*$")
_RULE_LINE = re.compile(r"^\s*(?:[-=_*~#]\s*){2,}$")

# --- Signatures ---------------------------------------------------------------------------
_SIG_DELIMITER = re.compile(r"^-- ?$|^--\s*$")
_MOBILE_SIG = re.compile(
    r"^\s*(?:"
    r"(?:sent|envoyé|gesendet|enviado|inviato|verzonden|verstuurd|wysłane|wysłano|"
    r"отправлено|skickat|sendt|lähetetty|送信|发自|從我的|von\s+meinem)\s+"
    r"(?:from|with|via|using|de|depuis|à\s+partir\s+de|von|mit|desde|da|vanaf|met|"
    r"z|с|från|fra|från|mitt|min|mi|mon|ma|my|mein|meinem)\b[^,.;!?]{0,50}"
    r"|get\s+outlook\s+for\s+\w+"
    r"|télécharger\s+outlook\s+pour\s+\w+"
    r"|outlook\s+für\s+\w+\s+beziehen"
    r"|(?:sent|envoyé)\s+(?:from|de)\s+(?:mail|courrier)\s+(?:for|pour)\s+windows\s*\d*"
    r")\s*(?:<[^>\n]*>)?\s*$",
    re.IGNORECASE,
)
# What a mailing-list archive or forum gateway appends below "-- " to point at the message
# in its archive (Nabble's "View this message in context: <link>" / "Sent from the … mailing
# list archive at …"): the list's reference to this message, kept with it as sent (Quagga's
# annotators keep it as body). Subscription boilerplate (Google Groups' "You received this
# message because you are subscribed…", often on a support address itself) stays cut.
_GATEWAY_FOOTER = re.compile(
    r"^\s*(?:view\s+this\s+message\s+in\s+context\s*:"
    r"|sent\s+from\s+the\s+[^\n]{1,80}?\b(?:mailing\s+list|forum|group|list)\s+archive\b)",
    re.IGNORECASE,
)
_VALEDICTION = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many)\s+)?regards\s*,?\s*$"
    r"|^\s*(?:best|cheers|cordialement|bien\s+cordialement|mit\s+freundlichen\s+grüßen|"
    r"viele\s+grüße|beste\s+grüße|saludos(?:\s+cordiales)?|cordiali\s+saluti|distinti\s+saluti|"
    r"met\s+vriendelijke\s+groet(?:en)?|atenciosamente|pozdrawiam|с\s+уважением|"
    r"med\s+vänliga\s+hälsningar|(?:med\s+)?venlig\s+hilsen|med\s+vennlig\s+hilsen|"
    r"vänliga\s+hälsningar|hälsningar|mvh|kh|vh|hilsen|z\s+pozdrowieniami|"
    r"z\s+powa[żz]aniem|groeten|met\s+vriendelijke\s+groeten|lg|mfg|gruß|grüße|"
    r"saluti|un\s+saluto|abraços|atentamente|"
    r"ystävällisin\s+terveisin|"
    r"ciao|bye|tsch(?:ü|ue)ss?|"  # farewells, alone on their line as "cheers" is
    # more of each language's closings
    r"bien\s+à\s+vous|(?:sincères\s+|meilleures\s+)?salutations|"  # fr
    r"un\s+(?:cordial\s+)?saludo|"  # es
    r"(?:melhores\s+)?cumprimentos|abraço|"  # pt
    r"(?:pozdrawiam\s+)?serdecznie(?:\s+pozdrawiam)?|z\s+wyrazami\s+szacunku|"  # pl
    r"(?:freundliche|herzliche|liebe|schöne)\s+grüße|"  # de
    r"(?:hartelijke|vriendelijke)\s+groet(?:en)?|"  # nl
    r"(?:bästa|varma)\s+hälsningar|всего\s+доброго|"
    r"s\s+pozdravem|s\s+pozdravom|s\s+úctou|"  # cs sk
    r"üdvözlettel|tisztelettel|saygılarımla|με\s+εκτίμηση|cu\s+stimă|cu\s+respect|"  # hu tr el ro
    r"з\s+повагою|с\s+уважение|"  # uk bg
    r"srdačan\s+pozdrav|s\s+poštovanjem|lep\s+pozdrav|"  # hr sr bs sl
    r"terveisin|pagarbiai|ar\s+cieņu|lugupidamisega|atentament|salutacions|"  # fi lt lv et ca
    r"בברכה)\s*,?\s*$",
    re.IGNORECASE,
)

# "-John", "- Jane Doe", "/Anna", "~Bob", "–Kim": a name signed with a dash or slash, alone
# on the last line (a list item has a space and usually siblings; see _sign_off).
_SIGN_OFF = re.compile(
    r"^\s*(?:-{1,2}|[–—~/])\s?([^\W\d_][\w.'’-]{0,30}(?:\s[^\W\d_][\w.'’-]{0,30}){0,2})\s*$"
)


# Contact cues of a signature block written without "-- ": a phone or fax number, an address
# (mail, web, street, post code), a company form. A closing paragraph where most lines carry
# one is a signature (Carvalho & Cohen's and talon's features, as a rule).
_PHONE = re.compile(r"(?:\+|\(|\b)\d[\d ().\-/]{6,}\d\b")
_REACH_CUE = (  # how the writer is reached, and whose company they write for
    r"[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+"  # e-mail address
    r"|\bwww\.|https?://"  # web
    r"|\b(?:phone|tel|telephone|fax|facsimile|mobile|cell|e-?mail|direct|office|pager|"
    r"téléphone|portable|telefon|handy|móvil|teléfono|telefono|cellulare|телефон)\b"
    r"|\b(?:inc|corp|corporation|ltd|llc|llp|plc|gmbh|ag|s\.a|sarl|b\.v|company|co)\.?(?:\s|,|$)"
)
_CONTACT_CUE = re.compile(
    _REACH_CUE
    + r"|\b\d{1,5}\s+\w+(?:\s\w+)?\s+(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|"
    r"lane|suite|floor|way|plaza|straße|strasse|rue|via|calle)\b"
    r"|\b(?:suite|floor|p\.?o\.? box|eb)\s*\d"
    r"|,\s*[a-z]{2,}\.?\s+\d{5}(?:-\d{4})?\b",  # "Houston, Texas 77002" / "Austin, TX 78701"
    re.IGNORECASE,
)
# A street is where a place is, the customer's too ("Ciao Bella Restaurant" / "12 High
# Street"): alone it does not make a signature of a name.
_REACH = re.compile(_REACH_CUE, re.IGNORECASE)
# A sentence, or a line introducing what follows ("The new printer is at:"): not a signature.
_SENTENCE_END = re.compile(r"[?!:：]\s*$|[a-z]{3,}\.\s*$")
_FORM_FIELD = re.compile(r"\S\s+:\s")  # "Request ID   : 42": aligned form data, not a signature
_CONTACT_BLOCK_MAX = 10
_CONTACT_LINE_MAX = 72


# A closing that may open the signature's paragraph ("Thanks,", "Best wishes,", "Cordially,",
# or a valediction) and a greeting that opens a paragraph of content ("Hello Ann,").
_CLOSING_LINE = re.compile(
    r"^\s*(?:(?:many\s+|big\s+)?thanks(?:\s+(?:again|a\s+lot|in\s+advance))?|thank\s+you|"
    r"cheers|cordially|sincerely|(?:yours\s+)?(?:sincerely|truly|faithfully)|"
    r"(?:best|all\s+the\s+best|warm|kind|fond)(?:\s+wishes)?|take\s+care|"
    r"(?:liebe|herzliche|schöne)\s+grüße|danke|merci|gracias|grazie|obrigad[oa]|"
    r"(?:hartelijke|beste|vriendelijke)\s+groet(?:en)?|ciao|tack|bien\s+à\s+vous)"
    r"\s*[,!.]?\s*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hej|dear|good\s+(?:morning|afternoon|evening)|bonjour|salut|hallo|"
    r"guten\s+(?:tag|morgen|abend)|sehr\s+geehrte[rs]?|hola|buen[oa]s\s+(?:días|tardes)|"
    r"buongiorno|olá|geachte)\b",
    re.IGNORECASE,
)
_FIRST_NAME = re.compile(r"^\s*([^\W\d_][\w.'’-]{0,30})\s*$")


def _contact_block(lines: list[str], content: list[int]) -> int:
    """Start of a trailing contact block (name, title, company, address, phones), or -1.

    The last paragraph, 2 to 10 short lines, no sentence among them, at least two lines
    with a contact cue (one when its first line carries on the first name the author signed
    with just above), a body above it. A first line of one word (the first name the sender
    signs with) stays in the body; so does a closing ("Thanks,") the paragraph opens with,
    unless the rules cut that valediction anyway. A paragraph opening with a greeting is
    content."""
    last = content[-1]
    start = last
    while start > 0 and lines[start - 1].strip() and last - start < _CONTACT_BLOCK_MAX:
        start -= 1
    if start == 0 or lines[start - 1].strip() or start <= content[0]:
        return -1
    if _GREETING.match(lines[start]):
        return -1
    closing = -1
    if _CLOSING_LINE.match(lines[start]) or _VALEDICTION.match(lines[start]):
        closing, start = start, start + 1
    if last - start < 1:
        return -1
    block = [line.strip() for line in lines[start : last + 1]]
    if any(len(line) > _CONTACT_LINE_MAX or _FORM_FIELD.search(line) for line in block):
        return -1
    if any(_contact_prose(line) or _REFERENCE_LINE.match(line) for line in block):
        return -1
    if any(_SENTENCE_END.search(line) and not _CONTACT_CUE.search(line) for line in block):
        return -1
    cues = sum(bool(_CONTACT_CUE.search(line) or _PHONE.search(line)) for line in block)
    if cues < (1 if _carries_on_signed_name(lines, start, closing) else 2) and not (
        _headed_by_full_name(block)
        and not _introduced_by_colon(lines, start)
        and not _asks_for_contact(lines, start)
    ):
        return -1
    if len(block[0].split()) == 1 and not _CONTACT_CUE.search(block[0]):
        start += 1
    if closing >= 0 and _VALEDICTION.match(lines[closing]):
        return closing
    return start


# reply7: a signature headed by the writer's full name with one contact line under it
# ("Joel Bernstein" / "http://joelsolr.example/", "Lysa Akin" / "503/464-7927", "Greg Piper" /
# "President & CEO" / "Acme LLC"). Its cue must be a signature's: a home page (a link into a
# site follows a customer's heading: "Error Log" / "http://pastebin…/abc"), a phone, an
# e-mail address, a company form, not a street alone; the lines between are a title or a
# department in capitalised words. A field's name above its value ("Serial Number" /
# "1234-5678-90") is no name.
_DEEP_LINK = re.compile(r"(?:https?://|www\.)[^\s/]{1,253}/[^\s]")
_FIELD_WORD = re.compile(
    r"\b(?:number|no|nr|id|code|serial|order|ticket|case|account|reference|ref|invoice|"
    r"version|model|error|log|total|date|password|pin|key|licen[cs]e|nummer|numéro|número|"
    r"numero|notes?|guide|manual|page|link|room)\b",
    re.IGNORECASE,
)
_TITLE_CONNECTOR = frozenset(
    ("&", "and", "of", "for", "de", "du", "des", "der", "für", "und", "et", "y", "-", "–")
)
_NAMED_BLOCK_MAX = 5


def _headed_by_full_name(block: list[str]) -> bool:
    """A full name (two to four capitalised words) on the block's first line, then lines
    each a signature's contact line or a title line (capitalised words), one contact line
    at least."""
    if not 2 <= len(block) <= _NAMED_BLOCK_MAX:
        return False
    name = block[0]
    if len(name.split()) < 2 or not _signed_name(name) or _FIELD_WORD.search(name):
        return False
    if not all(word[:1].isupper() for word in name.split()):
        return False
    contact = 0
    for line in block[1:]:
        if _DEEP_LINK.search(line):
            return False
        if _REACH.search(line) or _PHONE.search(line):
            contact += 1
            continue
        words = [word.rstrip(",") for word in line.split()]
        if not all(
            word in _TITLE_CONNECTOR or (word[:1].isalpha() and word[:1].isupper())
            for word in words
        ):
            return False
    return contact >= 1


# reply8: a signature spread over several paragraphs, written without "-- " and without a
# closing (Outlook's and Gmail's rich signatures as text): the writer's full name, maybe
# with a title beside it ("Name | Title") or under it, heads the first paragraph; the
# paragraphs under it hold only a signature's lines: a title, the company, its street, a
# phone, an address, a home page or social links, a logo's "[image: …]" placeholder, the
# company's registration ("KVK 50000000"). The contact-block rules read the last paragraph
# only: the name and its title stayed at the end of the new part.
_IMAGE_MARK = re.compile(r"^\[(?:image|cid|logo|bild|imagen|immagine)\s*:[^\]\n]{0,120}\]$", re.I)
_SOCIAL_LINK = re.compile(
    r"^<?(?:https?://)?(?:www\.)?(?:twitter|x|facebook|linkedin|instagram|xing|youtube|"
    r"github|mastodon\.social)\.com/",
    re.IGNORECASE,
)
_LINK_WORD = re.compile(r"^<?(?:https?://|www\.)[^\s<>]{1,300}>?$")
_EMPHASIS_MARKS = re.compile(r"(?<![\w*])[*_]+|[*_]+(?![\w*])")
_SPREAD_LINES = 16  # non-blank lines read from the end
_TITLE_WORDS = 4


def _links_only(words: list[str]) -> bool:
    """Every word a link, each a home page or a social network's page (a link into a site
    is what a customer reports)."""
    return all(_LINK_WORD.match(word) and _home_or_social(word) for word in words)


def _home_or_social(link: str) -> bool:
    link = link.strip("<>").rstrip(_LINK_END_PUNCT)
    return not _DEEP_LINK.search(link) or _SOCIAL_LINK.match(link) is not None


def _capitalised(words: list[str]) -> bool:
    return all(
        word in _TITLE_CONNECTOR or word[:1].isupper() or not word[:1].isalpha() for word in words
    )


def _signature_line(line: str, title: bool = False) -> str:
    """What a line of a spread signature is: "contact" (a phone, an address, a home page or
    social links, a company form, a street), "title" (capitalised words: a title, the
    company, a street's town, coordinates, a registration's label and number; with
    ``title``, a short title in lower case too: "Responsable informatique"), "mark" (a
    logo's placeholder), or "" (a line of the customer's: a sentence, a question, words in
    the first person, a field or a reference, a link into a site; a closing, the writer's
    last words, whatever is above it)."""
    if len(line) > 2 * _CONTACT_LINE_MAX:
        return ""
    lower = 0  # a clause's lower-case words: prose, whatever it names (read first: cheap)
    for word in line.split():
        lower += word[:1].islower() and word.isalpha()
        if lower > _TITLE_WORDS - 1:
            return ""
    bare = _EMPHASIS_MARKS.sub("", line).strip()
    if not bare or len(bare) > _CONTACT_LINE_MAX:
        return ""
    if _IMAGE_MARK.match(bare):
        return "mark"
    if _CLOSING_LINE.match(bare) or _VALEDICTION.match(bare):
        return ""  # the writer's closing: the signature is below it, the message above it
    words = [word.rstrip(",") for word in bare.replace("|", " ").split()]
    if _links_only(words):
        return "contact"
    if _is_sentence(bare) or _contact_prose(bare) or _REFERENCE_LINE.match(bare):
        return ""
    if _CONTACT_CUE.search(bare) or _PHONE.search(bare):
        if not all(_home_or_social(word) for word in words if _LINK_WORD.match(word)):
            return ""
        return "" if _SENTENCE_END.search(bare) else "contact"
    if _SENTENCE_END.search(bare) or bare[-1:] in ".;" or _FIELD_WORD.search(bare):
        return ""
    if _capitalised(words):
        return "title"
    if title and len(words) <= _TITLE_WORDS and words[0][:1].isupper():
        return "title"
    return ""


_DIGIT = re.compile(r"\d")


def _signature_head(paragraph: list[str]) -> int:
    """The number of contact lines of a paragraph headed by a full name (two to four
    capitalised words, maybe "| Title" beside it), its other lines a title or contact
    lines; or -1."""
    first = _EMPHASIS_MARKS.sub("", paragraph[0]).strip()
    name, _, beside = first.partition("|")
    name = name.strip()
    if len(name.split()) < 2 or not _signed_name(name) or _FIELD_WORD.search(name):
        return -1
    if not _capitalised(name.split()) or _GREETING.match(name) or _CLOSING_LINE.match(name):
        return -1
    if _VALEDICTION.match(name) or (beside.strip() and not _signature_line(beside, True)):
        return -1
    if not beside.strip() and len(paragraph) > 1 and _DIGIT.search(paragraph[1]):
        return -1  # a company over its street, not a person over a title or a company
    kinds = [_signature_line(line, title=True) for line in paragraph[1:]]
    if not all(kinds):
        return -1
    return kinds.count("contact")


def _may_head(line: str) -> bool:
    """Two to four capitalised words before any "|" ("*Ann Lee* | *CEO*"): maybe a name."""
    words = line.split("|", 1)[0].split()
    return (
        2 <= len(words) <= 4
        and line.rstrip()[-1:] not in ".,:;!?"
        and all(word.lstrip("*_")[:1].isupper() for word in words)
    )


def _spread_signature(lines: list[str], content: list[int]) -> int:
    """Start of a signature spread over two paragraphs or more at the very end, or -1: a
    paragraph headed by a full name, then paragraphs of a signature's lines only; a contact
    line at least (two when the name stands alone in its paragraph), a text above it that
    neither introduces it nor asks to reach someone (reply7's guards)."""
    tail = content[-_SPREAD_LINES:]
    paragraphs: list[list[int]] = []
    for index in tail:
        if paragraphs and index == paragraphs[-1][-1] + 1:
            paragraphs[-1].append(index)
        else:
            paragraphs.append([index])
    if len(paragraphs) < 2 or not any(_may_head(lines[p[0]]) for p in paragraphs[:-1]):
        return -1  # no paragraph opens with a name (most mail: read cheaply first)
    if not _signature_line(lines[content[-1]]):
        return -1
    start, contacts = -1, 0
    for position in range(len(paragraphs) - 1, -1, -1):
        paragraph = paragraphs[position]
        if position < len(paragraphs) - 1:
            head = _signature_head([lines[i] for i in paragraph])
            if head >= 0 and contacts + head >= (1 if len(paragraph) > 1 else 2):
                start = paragraph[0]
        kinds = []
        for index in reversed(paragraph):  # (most paragraphs end on a sentence: read it first)
            kinds.append(_signature_line(lines[index]))
            if not kinds[-1]:
                break
        if not all(kinds):
            break
        contacts += kinds.count("contact")
    if start <= content[0]:
        return -1
    if (
        _asks_for_contact(lines, start)
        or _announces_block(lines, start)
        or (_introduced_by_colon(lines, start) and not _ends_on_long_word(lines, start))
    ):
        return -1
    return start


# attackr8: what a block of names, streets and numbers is when the customer gives it (an
# address, the details or the data asked for, the contacts, the attendees), named by the
# line right above it without a colon ("Please send it to this address instead.", "Voici
# les coordonnées demandées.", "Hier die gewünschten Firmendaten.", "Teilnehmer der
# Besprechung"): a writer's signature is announced by nothing.
_ANNOUNCED_BLOCK = re.compile(
    r"\b(?:address(?:es)?|contacts|(?:contact|company)\s+details|details|attendees|participants|"
    r"adresses?|coordonnées|données|"  # fr
    r"\w*(?:adresse|anschrift|daten)|teilnehmer(?:innen)?|"  # de
    r"direcci[oó]n|datos|asistentes|participantes|"  # es
    r"indirizz[oi]|dati|recapiti|partecipanti|"  # it
    r"\w*(?:adres|gegevens)|deelnemers)\b",  # nl
    re.IGNORECASE,
)


def _announces_block(lines: list[str], start: int) -> bool:
    """The line above the block, or its own first line (a heading taken for a name:
    "Teilnehmer der Besprechung"), names what the block is."""
    above = next((line for line in reversed(lines[:start]) if line.strip()), "")
    return any(
        len(line) <= MAX_LINE_LEN and _ANNOUNCED_BLOCK.search(line) is not None
        for line in (above, lines[start])
    )


def _person(line: str) -> str:
    """The name a line opens with, before any "|" ("*Jane Doe* | CTO"), when it is a
    person's (two to four capitalised words, no company form), or ""."""
    name = _EMPHASIS_MARKS.sub("", line.split("|", 1)[0]).strip()
    words = name.split()
    if not 2 <= len(words) <= 4 or not _signed_name(name) or not _capitalised(words):
        return ""
    return "" if _REACH.search(name) or line.rstrip()[-1:] in ".,:;!?" else name


def _people_listed(lines: list[str], start: int) -> bool:
    """A signature names one person. Two paragraphs of the block from ``start`` headed by a
    person's name ("John Smith / Warehouse Manager", "Ann Lee / Acme Corp"); from the
    paragraph above it, two such paragraphs with lines of the same kinds ("John Smith /
    Tel. …", "Jane Doe / Tel. …") or two lines "Name | Title": the customer's list of
    people to reach, of attendees, of staff, not the writer's signature."""
    above = start
    while above > 0 and not lines[above - 1].strip():
        above -= 1  # the blank lines above the block
    floor = max(above - _SPREAD_LINES, 0)  # (a paragraph above of any length: its end)
    while above > floor and lines[above - 1].strip():
        above -= 1  # the paragraph above them
    region = [line.strip() for line in lines[above:]]
    shapes, named, people = set(), 0, 0
    paragraph: list[str] = []
    for offset, line in enumerate([*region, ""], above):
        if line:
            paragraph.append(line)
            named += "|" in line and bool(_person(line))
            continue
        if len(paragraph) > 1 and _person(paragraph[0]):
            shape = tuple(_signature_line(rest, title=True) for rest in paragraph[1:])
            # (a person's name heads a title or a company, a company's its street)
            people += offset - len(paragraph) >= start and not _DIGIT.search(paragraph[1])
            if shape in shapes or people > 1:
                return True
            shapes.add(shape)
        paragraph = []
    return named > 1


_OPEN_WORD_MAX = 4  # "to", "is", "an", "à", "zu", "for", "are", "ist", "sind", "est"


def _ends_on_long_word(lines: list[str], start: int) -> bool:
    """The text above the block (a blank line between) ends on a lower-case word longer than
    the words a sentence leaves open before its object ("… for risk reduction", a list
    writer's sentence without its stop): it ends, it introduces nothing."""
    above = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
    if not above or not lines[start - 1 : start] or lines[start - 1].strip():
        return False
    last = above.rsplit(None, 1)[-1]
    return last.isalpha() and last.islower() and len(last) > _OPEN_WORD_MAX


# A sentence left open: a lower-case word ends the line, with words before it.
_OPEN_SENTENCE = re.compile(r"\S\s+[^\W\d_A-Z\u00c0-\u00de]{1,30}$")


def _introduced_by_colon(lines: list[str], start: int) -> bool:
    """The line above the block ends with a colon or leaves its sentence open on a
    lower-case word ("Please send the replacement to", "… an", "Our new contact is"), or
    the first name alone on it is what the line above that introduces: the block is what
    the customer introduces ("Please call my colleague:", "… for the new hire:" / "Karin"),
    not their signature."""
    above = [line.rstrip() for line in lines[max(start - 3, 0) : start] if line.strip()]
    if above and (above[-1][-1:] in (":", "：") or _OPEN_SENTENCE.search(above[-1])):
        return True
    return (
        len(above) > 1
        and _FIRST_NAME.match(above[-1]) is not None
        and above[-2][-1:] in (":", "：")
    )


# attackr7: the text right above asks the agent to call back, or speaks of another person
# to reach or to set up ("Please call back today.", "an account for the new colleague",
# "Merci de rappeler mon collègue.", "Bitte rufen Sie meine Kollegin zurück.", "llamen a mi
# compañero"): the name and its one contact line under it are that contact, which the agent
# needs, not a signature; so is the one the text points to ("to the address below.", "ask
# for our IT manager on site.", "Ansprechpartner vor Ort ist Herr Braun."). (Two contact
# lines stay a signature, as before reply7.)
_CONTACT_REQUEST = re.compile(
    r"\bcall(?:ing)?\s+(?:(?:me|us|him|her|them)\s+)?back\b|\bcall-?back\b|"
    r"\bring\s+(?:(?:me|us)\s+)?back\b|\bcolleague|\bcoworker|\bco-worker|"
    r"\bnew\s+(?:user|employee|hire|starter|contact)\b|\baccount\s+for\b|"
    r"zurückruf|\brückruf|zurück\W*$|\bkolleg(?:e|en|in)\b|\bmitarbeiter|"
    r"\brappel(?:er|ez|le[rz]?)\b|\bcollègue|\bcollaborat(?:eur|rice)|"
    r"\bdevolver\s+la\s+llamada|\bllam(?:ar|e|en|adme|enme)\b|\bcompañer[oa]|"
    r"\bnuev[oa]\s+(?:usuari|emplead)|"
    # ... or points to it: the address or the person below, the contact on site
    r"\bbelow\b|\bunten\b|ci-dessous|\babajo\b|\bcontact\s+person|ansprechpartner|"
    r"\binterlocut|persona\s+de\s+contacto|\bon[\s-]site\b|\bvor\s+ort\b|\bsur\s+place\b|"
    r"\ben\s+el\s+sitio\b|\bask\s+for\b",
    re.IGNORECASE,
)


def _asks_for_contact(lines: list[str], start: int) -> bool:
    above = [line for line in lines[max(start - 4, 0) : start] if line.strip()]
    return any(len(line) <= MAX_LINE_LEN and _CONTACT_REQUEST.search(line) for line in above[-2:])


# The customer speaking of themself ("My new number is", "Call me at", "Meine neue Nummer")
# or a line going on with a clause ("and my email is …", "или почта …"): a signature's
# name, title, company and contact lines do neither.
_ME = re.compile(
    r"(?<![\w'’-])(?i:my|me|mine|mein|meine|meiner|mich|mir|mon|ma|mes|moi|mi|mio|mia|"
    r"mijn|mij|meu|minha|мой|моя|мои|мне|меня|mój|moja|moje|mnie|mitt|min|mig|mina)"
    r"(?![\w'’-])"
)


# What follows a pronoun the customer speaks of themself with: a word ("my new number",
# "meine neue Nummer", "call me at"), or, in lower case, the clause's end ("talk to me:"),
# not a dash, a slash-word or digits.
_WORD_AFTER = re.compile(r"\s+[^\W\d_]+(?:['’-][^\W\d_]+)*(?:[\s,.;:!?]|$)")
_CLAUSE_END_AFTER = re.compile(r"\s*(?:[,.;:!?]|$)")


def _speaks_of_self(line: str) -> bool:
    """A pronoun of the speaker, written as a sentence writes it: lower case, or opening the
    line, and going on with a word. Weekday abbreviations of opening hours share the
    letters ("Open Mon - Fri", "Mo, Mi, Fr", Dutch "ma t/m vr") but not the shape."""
    if _FIRST_PERSON.search(line):
        return True
    for match in _ME.finditer(line):
        word, end = match.group(), match.end()
        if word == word.lower():
            if _WORD_AFTER.match(line, end) or _CLAUSE_END_AFTER.match(line, end):
                return True
        elif not line[: match.start()].strip() and _WORD_AFTER.match(line, end):
            return True
    return False


def _contact_prose(line: str) -> bool:
    """(A contact line may say whose it is: "http://example.org/ (my blog)".)"""
    if not _CONTACT_CUE.search(line) and _speaks_of_self(line):
        return True
    first = line.split(None, 1)[0] if line else ""
    return first[:1].islower() and _CLAUSE_WORD.fullmatch(first) is not None


_NAME_LINE = re.compile(r"^\s*[^\W\d_][^\W\d_.'’-]*(?:[ .'’-]+[^\W\d_][^\W\d_'’-]*){1,3}\.?\s*$")


def _carries_on_signed_name(lines: list[str], start: int, closing: int) -> bool:
    """The block's first line is a full name (capitalised words only) starting with the
    first name the paragraph above ends with ("John" / blank / "John Van Gelder"), and
    that first name signs the text (the line above it introduces nothing)."""
    if closing >= 0 or start < 2:
        return False
    above = _FIRST_NAME.match(lines[start - 2])
    if not above or not _NAME_LINE.match(lines[start]):
        return False
    words = lines[start].split()
    if words[0] != above.group(1) or not all(word[0].isupper() for word in words):
        return False
    introduced = start >= 3 and _ENDS_COLON.search(lines[start - 3])
    return not introduced


@dataclass
class Split:
    """Result of :func:`split_reply`."""

    new_part: str  # quotes and signature removed, stripped
    signature: str  # the signature that was cut ("" if none)
    unquoted: str  # quotes removed, signature kept, stripped
    quote_offset: int  # offset in the text where old content starts (-1: none)
    fallback: bool = False  # no new text was found: new_part is the whole body


def _compile_all(patterns, kind: str) -> list[re.Pattern]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(compile_pcre(pattern))
        except PatternError as exc:
            _logger.warning("%s pattern skipped: %s", kind, exc)
    return compiled


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return starts


def _has_address(text: str) -> bool:
    """``_EMAILISH`` searched only in a text with an "@" (both of its forms need one): a
    search tries its 64-character run at every character."""
    return "@" in text and _EMAILISH.search(text) is not None


def _opens_attribution(text: str) -> bool:
    """The first line of an attribution: "On"-like words, an address or a date."""
    return bool(_ON_START.search(text)) or _has_address(text) or bool(_DATEISH.search(text))


_VERBS = re.compile(_WROTE, re.IGNORECASE)
# A first-person subject ("As I wrote on 03.03.2026:", "Wie ich am 03.03.2026 schrieb:",
# "Comme je l'ai écrit le 03/03/2026 :"): a client's attribution names the sender, never
# "I". "I" only as a word of its own (not the initial "I."); the others in any case.
_FIRST_PERSON = re.compile(
    r"(?<![\w.'’-])(?:I|(?i:we|ich|wir|je|nous|ik|wij|jag|jeg|yo|io|eu|ja))(?![\w.'’-])"
    r"|(?<![\w'’-])(?i:j['’])(?=[^\W\d_])"
)


# _FIRST_PERSON's words: in an ASCII text without one of them it cannot match, with the
# verbs taken out or not (the verbs give way to a space: a word's letters stay together)
_PRONOUNS = ("we", "ich", "wir", "je", "nous", "ik", "wij", "jag", "jeg", "yo", "io", "eu", "ja")


def _first_person(text: str) -> bool:
    """A first-person subject in ``text``, its verbs taken out ("napisao je"). _VERBS'
    alternation is tried at every character (55 µs a line): first the words, as strings."""
    if text.isascii() and "I" not in text and "j'" not in (lower := text.lower()):
        if not any(word in lower for word in _PRONOUNS):
            return False
    return _FIRST_PERSON.search(_VERBS.sub(" ", text)) is not None


def _from(lines: list[str], start: int, stop: int | None = None):
    """``lines[start:stop]`` one by one, without a copy: itertools.islice steps through the
    ``start`` lines above first (quadratic when called for each line; issue 14)."""
    end = len(lines) if stop is None else min(stop, len(lines))
    return (lines[index] for index in range(start, end))


def _is_attribution(joined: str, next_lines: list[str], above: str = "") -> bool:
    """An "On <date>, <name> wrote:" line (already joined over its continuation lines);
    ``above``: the nearest line with text above it ("": none, or not known)."""
    text = joined.strip()
    if not text or len(text) > 300:
        return False
    if text[-1:] not in (":", "："):  # _ENDS_COLON.search(text): the text is stripped
        # "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote" (no colon)
        if _ON_WROTE_NO_COLON.match(text) and _DATEISH.search(text):
            return True
        return bool(_DATED_SENDER.match(text)) or _name_wrote(text, next_lines, above)
    if _ends_with_wrote(text):
        if _first_person(text):
            return False  # "As I wrote on 03.03.2026:": the customer quotes themself
        if _opens_attribution(text):
            return True
        # "John wrote:" alone: only when a quoted block follows.
        return len(text) < 80 and _quote_follows(next_lines)
    if "@" in text and _dateless_sender(text, next_lines):
        return True
    # Both need an "@" (each searched at every character otherwise) and a date.
    if "@" not in text or not _DATEISH.search(text):
        return False
    verbless = _verbless_search(text)
    if verbless and not _names_a_recipient(text, verbless):
        return True
    if not _has_address(text):
        return False
    return _wrote_far(text) or (
        ("写于" in text or "寫於" in text) and _WROTE_AT.search(_TIME.sub(".", text)) is not None
    )


# Nabble's and some web archives' attribution: "<name> wrote", no colon, glued right above
# the quote. The name: one user name ("ann.example") or capitalised words ("Ann Example").
_CAPITAL = "(?-i:[A-Z\u00c0-\u00de\u0391-\u03a9\u0410-\u042f])"
# Without a colon a bare participle is a clause of the customer's ("Invoice sent", "Already
# sent", "Schon geschrieben", "Déjà écrit"), no attribution: only a verb with its subject.
_NAME_WROTE = re.compile(
    rf"^(?P<name>[^\s:：,;]{{1,64}}|{_CAPITAL}[^\s:：,;]{{0,40}}(?:\s{_CAPITAL}[^\s:：,;]{{0,40}}){{1,3}})"
    rf"\s+(?!(?:sent|geschrieben|écrit|ecrit)$)(?:{_WROTE})$",
    re.IGNORECASE,
)
_NAME_WROTE_MAX = 100


def _name_wrote(text: str, next_lines: list[str], above: str) -> bool:
    """``text`` is "<name> wrote" (no colon) and a quoted line follows it. ``above``: the
    nearest line with text above it; a quoted line there makes ``text`` an answer written
    between quoted lines ("> Did you write to them?" / "Ya escribió" / "> …"): the archive's
    attribution stands above the first quoted line."""
    if len(text) > _NAME_WROTE_MAX or not next_lines or not _QUOTE_LINE.match(next_lines[0]):
        return False
    if _QUOTE_LINE.match(above):
        return False
    return _NAME_WROTE.match(text) is not None and not _FIRST_PERSON.search(text)


_ABOVE_LOOK = 3  # blank lines skipped looking for the line above an attribution


def _line_above(lines: list[str], index: int) -> str:
    """The nearest line with text above ``lines[index]`` within ``_ABOVE_LOOK`` lines."""
    for at in range(index - 1, max(index - 1 - _ABOVE_LOOK, -1), -1):
        if lines[at].strip():
            return lines[at]
    return ""


# Lotus Notes in Chinese: "王芳 <w@x> 写于 2026-03-03 10:00:00:", the verb ("written on")
# after the sender's address and before the date. Common words in a Chinese text ("本文写于
# 2026年…"), so only right after an address in brackets and before a date that ends the line.
_WROTE_AT = re.compile(
    r"<[^<>\s]{1,64}@[^<>\s]{1,255}>\s*(?:写于|寫於)\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:\s+\d{1,2}\.\d{2}(?:\.\d{2})?)?\s*[:：]\s*$"
)


# Horde's and other webmails' attribution without a date: "Zitat von Ann <a@x>:", "Quoting
# Ann <a@x>:", "Citando a Ann <a@x>:": a short line ending with the sender's address in
# brackets and a colon, taken only right above a quote.
_SENDER_COLON = re.compile(r"<[^<>\s@]{1,64}@[^<>\s]{1,255}>\s*[:：]$")
_SENDER_LINE_MAX = 80


# reply7: the sender named by a bracketed address at the start of the line (a name before
# it, Mutt's "* " before that), then, before the colon, what no verb list holds: a bracketed
# date or time (Mutt's "* Ann Lee <ann@x> [2017-05-05 05:39]:") or one lower-case word of a
# client or language the lists lack ("Ann <ann@x> said:", Gnus' "… schreibt:"). Taken only
# right above a quote, as _SENDER_COLON is; a customer's words before the address ("Forward
# this to Ann <ann@x> today:") or brackets without a digit ("[optional]:") are theirs.
_SENDER_THEN = re.compile(
    r'^(?:\*\s+)?(?:(?P<name>"[^"\n]{1,60}"|[^\s<>"]{1,64}(?:\s+[^\s<>"]{1,40}){0,3})\s+)?'
    r"<[^<>\s@]{1,64}@[^<>\s]{1,255}>\s*"
    r"(?:\[(?P<when>[^\[\]\n]{1,40})\]|(?P<word>[^\W\d_]{2,20}))\s*[:：]$"
)
_SENDER_THEN_MAX = 120
_NAME_PARTICLE = frozenset(
    ("van", "von", "der", "den", "de", "la", "le", "da", "di", "du", "del", "dos", "ten", "ter")
)


def _sender_then(text: str) -> bool:
    match = _SENDER_THEN.match(text) if len(text) <= _SENDER_THEN_MAX else None
    if match is None:
        return False
    name = match.group("name") or ""
    words = [] if name.startswith('"') else name.split()
    if len(words) > 1 and not all(word[:1].isupper() or word in _NAME_PARTICLE for word in words):
        return False
    when, word = match.group("when"), match.group("word")
    if when is not None:
        return _MUTT_WHEN.search(when) is not None
    return word.islower() and not _REQUEST_WORD.fullmatch(word)


# attackr7: Mutt's brackets hold a date or a time ("2017-05-05 05:39", "170505 05:39",
# "05.05.2017"), not an extension or a room ("Call Tom Baker <tom@x> [ext 4711]:"); the
# one word is a verb of saying, not one saying when or how the customer's request is done
# ("Email Tom Baker <tom@x> directly:", "Fragen Sie … direkt:", "… today:").
_MUTT_WHEN = re.compile(
    r"\d{1,2}:\d{2}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|(?<!\d)\d{6,8}(?!\d)"
)
_REQUEST_WORD = re.compile(
    r"\w+ly|\w+ment|directamente|\w+mente|direkt|today|tomorrow|now|asap|instead|please|too|"
    r"also|again|first|soon|bitte|heute|morgen|sofort|auch|stattdessen|selbst|aujourd|demain|"
    r"aussi|svp|plutôt|hoy|mañana|también|ahora|ya|primero",
    re.IGNORECASE,
)


def _dateless_sender(text: str, next_lines: list[str]) -> bool:
    # (the quote below first: Mutt's lines without one, joined in threes, were read whole)
    return (
        _quote_follows(next_lines)
        and (
            (len(text) <= _SENDER_LINE_MAX and _SENDER_COLON.search(text) is not None)
            or _sender_then(text)
        )
        and not _FIRST_PERSON.search(text)
    )


def _names_a_recipient(text: str, match: re.Match) -> bool:
    """A bare address after a lower-case word is whom the customer wrote to ("On 03.03.2026
    I wrote to billing@x:", "j'ai écrit à billing@x :"): a verbless attribution puts a date,
    a time or a name before the sender's address."""
    if text[match.start()] == "<":
        return False
    before = text[max(0, match.start() - 60) : match.start()].rstrip()
    return _LOWER_WORD_END.search(before) is not None


_QUOTE_LOOKAHEAD = 3


def _quote_follows(next_lines: list[str]) -> bool:
    for line in next_lines[:_QUOTE_LOOKAHEAD]:
        if line.strip():
            return bool(_QUOTE_LINE.match(line))
    return False


def _is_header_block(lines: list[str], index: int) -> bool:
    """An Outlook/Notes block: a From-like field followed by other fields within 6 lines."""
    if not _FROM_LINE.match(lines[index]) and not _field_block_start(lines, index):
        return False
    fields = 0
    blanks = 0
    for line in lines[index + 1 : index + 8]:
        if not line.strip():
            blanks += 1
            if blanks > 1 and fields:
                break
            continue
        if _FIELD_LINE.match(line):
            fields += 1
            if fields >= 2 or (fields >= 1 and _FROM_LINE.match(lines[index])):
                return True
        elif fields == 0 and len(line) < 100:
            # Outlook wraps long From: values onto the next line.
            continue
        else:
            break
    return False


_TO_LINE = re.compile(
    r"^\s*(?:to|an|à|a|para|aan|do|til|till|кому|komu|προς|către|prima|宛先|收件人)\s*[:：]",
    re.IGNORECASE,
)
_SUBJECT_LINE = re.compile(
    r"^\s*(?:subject|betreff|objet|sujet|asunto|oggetto|onderwerp|temat|emne|ämne|aihe|assunto|"
    r"тема|předmět|θέμα|subiect|predmet|件名|主题|主旨|제목)\s*[:：]",
    re.IGNORECASE,
)
_PREAMBLE_MAX = 6


def _recipient_block_start(lines: list[str], index: int) -> int:
    """Lotus Notes / Outlook quoted header without a From field, or -1.

    Notes writes the sender and date as a short paragraph ("Tim Belden@ECT" /
    "10/17/2000 07:40 AM", or "Ann <a@x.com> on 04/26/2000 08:10 AM") above a
    "To: / cc: / Subject:" block. The block needs To and Subject within the next lines and
    that short, dated sender paragraph above it, where the cut goes."""
    if not index or not _TO_LINE.match(lines[index]):
        return -1
    if index and _FIELD_LINE.match(lines[index - 1]):
        return -1  # inside a block that starts higher (handled by _is_header_block)
    window = lines[index + 1 : index + 8]
    if not any(_SUBJECT_LINE.match(line) for line in window):
        return -1
    probe = index - 1
    while probe >= 0 and not lines[probe].strip():
        probe -= 1
    top = probe
    while top >= 0 and lines[top].strip() and probe - top < _PREAMBLE_MAX:
        top -= 1
    paragraph = lines[top + 1 : probe + 1]
    if (
        paragraph
        and (top < 0 or not lines[top].strip())
        and all(len(line.strip()) < 100 for line in paragraph)
        and any(_DATEISH.search(line) for line in paragraph)
    ):
        return top + 1
    # No dated sender above: a summary of a message ("Your message / To: / Subject: / Sent:
    # / did not reach ..." in delivery reports and receipts), not a quote.
    return -1


# Lotus Notes' header table as text: its labels alone on their lines, without colons
# ("To" / "cc" / "Subject", "An" / "Kopie" / "Thema"), beside or below the sender and date.
_BARE_TO = frozenset("to an à a para aan do till til kenelle кому komu 宛先 收件人 收件者".split())
_BARE_SUBJECT = frozenset(
    "subject betreff thema objet sujet asunto oggetto onderwerp temat emne ämne aihe "
    "assunto тема předmět 件名 主题 主旨".split()
)
_NOTES_TABLE_SPAN = 8
# A Notes hierarchical name ("Ann Lee/ACME", "Ann Lee/Sales/ACME@ACME"): the sender.
_NOTES_NAME = re.compile(
    r"^\s*[^\W\d_][\w .'’-]{0,60}/[\w.&-]{1,40}(?:/[\w.&-]{1,40}){0,3}"
    r"(?:@[\w.-]{1,60})?\s*$"
)


_LABEL_GAP = "    "  # a column's label after the date, at the table's right


def _bare_label(line: str, labels: frozenset) -> bool:
    """The line is one of ``labels`` alone, or ends with one after a column's gap."""
    text = line.rstrip()
    label = text[text.rfind(" ") + 1 :]
    if label.lower() not in labels:
        return False
    before = text[: len(text) - len(label)]
    return not before.strip() or before.endswith(_LABEL_GAP)


def _notes_table_start(lines: list[str], index: int, subject_labels: dict | None = None) -> int:
    """Start of a Notes header table read as text whose bare "To" label is on
    ``lines[index]``, or -1: a bare subject label within the lines below, and above the
    label, within a few lines, a date and the sender (an address or a Notes name); the cut
    goes at the sender's line. A customer's form with such labels names no sender above.
    ``subject_labels``: which lines were read as a subject label already (each line is
    otherwise read again for each of the 8 labels above it)."""
    known = {} if subject_labels is None else subject_labels
    for below in range(index + 1, min(index + 1 + _NOTES_TABLE_SPAN, len(lines))):
        if below not in known:
            known[below] = _bare_label(lines[below], _BARE_SUBJECT)
        if known[below]:
            break
    else:
        return -1
    if _has_address(lines[index]):
        return -1  # the table writes the recipient below its label: a row of a human table
    sender, dated = -1, _DATEISH.search(lines[index]) is not None
    for probe in range(index - 1, max(index - 1 - _NOTES_TABLE_SPAN, -1), -1):
        text = lines[probe]
        if len(text) > MAX_LINE_LEN:
            return -1
        dated = dated or _DATEISH.search(text) is not None
        if dated and _notes_sender(text):
            sender = probe
    return sender if sender > 0 else -1


# The sender's cell of the table: a mailbox alone ("Ann Lee <ann@x.example>",
# "ann@x.example"), maybe the date beside it.
_MAILBOX_CELL = re.compile(
    r"^\s*(?:[^\s<>@,;:][^<>@,;:]{0,60}<[^<>@\s]{1,64}@[^<>@\s]{1,255}>|[^<>@\s]{1,64}@\S{1,255})"
    r"(?:\s{2,}.*)?$"
)


def _notes_sender(text: str) -> bool:
    """The sender alone on its line, as the table writes it (a Notes name or a mailbox,
    the date at its right), at or above the date: not a sentence that holds an address
    ("… on 03/03/2026 for user tom@y.example:")."""
    cell = _DATEISH.split(text, 1)[0] if _DATEISH.search(text) else text
    return bool(cell.strip()) and (
        _NOTES_NAME.match(cell) is not None
        or ("@" in cell and _MAILBOX_CELL.match(cell) is not None)
    )


_OTHER_QUOTE_MARK = re.compile(r"^\s*([:|])[ \t]?")


def _marked_header_block(lines: list[str], index: int) -> bool:
    """A quoted header block whose lines start with another quote mark (": ", "| ", as some
    list readers quote): the same test on the lines without the mark."""
    match = lines[index].lstrip()[:1] in (":", "|") and _OTHER_QUOTE_MARK.match(lines[index])
    if not match:
        return False
    mark = match.group(1)
    window = [
        _OTHER_QUOTE_MARK.sub("", line, count=1) if line.lstrip().startswith(mark) else line
        for line in lines[index : index + 8]
    ]
    return _is_header_block(["", *window], 1)


def _field_block_start(lines: list[str], index: int) -> bool:
    """A block starting with another field (Date:/Sent:) that contains a From field."""
    if not _FIELD_LINE.match(lines[index]):
        return False
    if index and _FIELD_LINE.match(lines[index - 1]):
        return False
    return any(_FROM_LINE.match(line) for line in lines[index + 1 : index + 4])


_RULE_CHARS = "-_=*~"


def _unemphasized(line: str) -> str:
    """A separator set in bold or italics by a client converting HTML to text ("*--------
    Original Message --------*", "_-----Message d'origine-----_"), without its marks: the
    same marks on both sides of rules of hyphens."""
    stripped = line.strip()
    for mark in ("**", "__", "*", "_"):
        if (
            stripped.startswith(mark + "--")
            and stripped.endswith("--" + mark)
            and len(stripped) > 2 * len(mark) + 4
        ):
            return stripped[len(mark) : -len(mark)]
    return line


# Smart punctuation (iOS, macOS, Outlook's AutoFormat) makes a separator's "--" an en or em
# dash: "—– Original Message —–" reads as "---- Original Message ----".
_DASHES = str.maketrans({"\u2013": "--", "\u2014": "--"})


def _plain_dashes(line: str) -> str:
    stripped = line.lstrip()
    if stripped[:1] in ("\u2013", "\u2014") or stripped[:2] in ("*\u2013", "*\u2014"):
        return line.translate(_DASHES)
    return line


_MARKED_HEAD = frozenset("*_\u2013\u2014")


def _is_separator(line: str) -> bool:
    head = line[:2] if line[:1] not in (" ", "\t") else line.lstrip()[:2]
    if head[:1] in _MARKED_HEAD or head[1:2] in _MARKED_HEAD:
        if "\u2013" in head or "\u2014" in head:
            line = line.translate(_DASHES)
            head = line.lstrip()[:1]
        if head[:1] in ("*", "_"):
            line = _unemphasized(line)
    if _SEPARATOR.match(line):
        within = None
    elif _hyphenated_separator(line):
        within = _HYPHENATED_WORDS_WITHIN  # its words come first ("----- Message de …")
    else:
        return False
    stripped = line.strip()
    if stripped[:1] in _RULE_CHARS and stripped.strip(_RULE_CHARS + " "):
        # Words between rules: a separator only with a separator's words, not a heading.
        return _separator_words(stripped, within or len(stripped))
    return True


@functools.lru_cache(maxsize=256)
def _separator_words(stripped: str, within: int) -> bool:
    """``_SEPARATOR_WORDS.search(stripped, 0, within)``: its alternation (case-insensitive,
    so tried whole at every character, ~0.7 µs each) searched only from the first character
    that is no rule or space (every word starts with a letter), once per distinct line (a
    body of repeated hyphenated separators read each the same)."""
    start = len(stripped) - len(stripped.lstrip(_RULE_CHARS + " "))
    return _SEPARATOR_WORDS.search(stripped, start, within) is not None


_HYPHENATED_WORDS_WITHIN = 80


def _hyphenated_separator(line: str) -> bool:
    """ "----- words -----" whose words hold a hyphen (a name, a date: "----- Message de
    "Jean-Pierre Martin" <…> le … -----", Lotus Notes), which _SEPARATOR's words may not:
    read with string operations (a regex allowing hyphens inside scanned every line of
    hyphenated words to its end); the words are judged by _is_separator."""
    stripped = line.strip()
    if stripped[:2] != "--" or stripped[-2:] != "--" or "-" not in stripped.strip("-"):
        return False
    words = stripped.strip("-").strip()
    # words, not the rules of a table's columns ("------   ------   ------")
    return 3 <= len(words) <= 200 and "\n" not in words and any(c.isalnum() for c in words)


_OPEN_SEPARATOR = re.compile(r"^\s*-{3,}\s*\S")


def _is_wrapped_separator(lines: list[str], index: int) -> bool:
    """A separator wrapped by the sender's client (Lotus Notes wraps at 75 columns):
    "----- Forwarded by Ann/HOU/ECT on 05/24/2001" + "05:16 PM -----"."""
    line = lines[index]
    if not _OPEN_SEPARATOR.match(line) or line.rstrip().endswith("---"):
        return False  # not opened, or already closed on this line (string test: no backtracking)
    if index + 1 >= len(lines) or len(lines[index + 1]) > 80:
        return False
    following = lines[index + 1].strip()
    if not following.endswith("---"):
        return False
    return _is_separator(line.rstrip() + " " + following)


_BARE_RULE = re.compile(r"^\s*(?:_{10,}|={10,})\s*$")


def _is_bare_rule(line: str) -> bool:
    """A line of underscores or equal signs: Outlook's separator, or just a divider."""
    return bool(_BARE_RULE.match(line))


def _header_follows(lines: list[str], index: int) -> bool:
    """A bare rule separates old content only when a quoted header comes right after it."""
    for probe in range(index + 1, min(index + 4, len(lines))):
        if not lines[probe].strip():
            continue
        return bool(
            _FROM_LINE.match(lines[probe])
            or _FIELD_LINE.match(lines[probe])
            or _attribution_at(lines, probe)
            or _is_separator(lines[probe])
        )
    return False


# Words between rules written in another script than ASCII ("-------- 转发的消息 --------",
# "---- Пересылаемое сообщение ----", "----- Message transféré -----"): the words lists of
# these languages hold common nouns ("消息" message, "転送" transfer, "сообщения"), a heading
# of the customer's log in them is followed by its content, a client's separator by a head.
_FOREIGN_WORDED = re.compile(r"^\s*[-=_*~]{2,}\s*[^\n]{0,200}?[^\x00-\x7f]")


def _separates(lines: list[str], index: int) -> bool:
    """The separator at ``index`` starts old content: a bare rule only above a quoted
    header; words holding a hyphen between rules ("----- Message de "Jean-Pierre" <…> le …
    -----", Lotus Notes) when they name the sender (an address) or the old message's head
    follows (a header field, an attribution, an address): a section of the customer's log
    or notes between rules ("---- Bank-transfer details ----", "--- error-message 2026-03-03
    ---") is followed by its content."""
    line = _plain_dashes(lines[index])
    if _is_bare_rule(line):
        return _header_follows(lines, index)
    if "@" in line or not (_hyphenated_separator(line) or _FOREIGN_WORDED.match(line)):
        return True
    for probe in range(index + 1, min(index + 5, len(lines))):
        if lines[probe].strip():
            following = lines[probe]
            return (
                "@" in following
                or bool(_QUOTE_LINE.match(following))
                or (_header_follows(lines, probe - 1))
            )
    return True  # nothing below: a separator left over (its message dropped)


_MANY_LINES = 2000  # lines of a body past which quiet lines are judged once (_quiet_line)
_TO_LABEL = 2  # _quiet_line: quiet, but a bare "To" label (a Notes table's)


def _quiet_line(line: str) -> bool | int:
    """No detector of :func:`_builtin_cut` but the attribution's (and at a bare "To" label,
    ``_TO_LABEL``, the Notes table's) can start at ``line``, whatever the lines around it: no
    colon (header fields), no quote, no separator, no mobile footer, no word opening an
    attribution without a colon. Read once per distinct line: a body of 0.2-1 million short
    lines (lone CRs, "a") was read by every detector at every line."""
    if ":" in line or "：" in line or _QUOTE_LINE.match(line):
        return False
    if line.lstrip()[:2].lower() in _NO_COLON_OPENERS:
        return False
    if _is_separator(line) or _OPEN_SEPARATOR.match(line) or _MOBILE_SIG.match(line):
        return False
    return _TO_LABEL if _bare_label(line, _BARE_TO) else True


class _QuietLines:
    """In a body past ``_MANY_LINES`` lines, each line no detector of :func:`_builtin_cut`
    but the attribution's (or a Notes table's) can open is judged once per distinct line
    (:func:`_quiet_line`), and the lines below it once each: for an attribution's end, and
    for a subject label below a bare "To" label."""

    def __init__(self, lines: list[str]):
        self.lines, self.many = lines, len(lines) > _MANY_LINES
        self.quiet: dict[str, bool | int] = {}
        self.end_rows: list[int] = []  # lines read so far that end as an attribution may
        self.end_read = 0
        self.subject_rows: list[int] = []  # lines read so far that are a bare subject label
        self.subject_read = 0

    def verdict(self, index: int, line: str) -> int | None:
        """None: read ``lines[index]`` with every detector; else the cut there, or -1."""
        if not self.many:
            return None
        lines = self.lines
        calm = self.quiet.get(line)
        if calm is None:
            calm = self.quiet[line] = _quiet_line(line)
        if not calm:
            return None
        limit = min(index + HEADER_SPAN, len(lines))
        for probe in range(max(self.end_read, index), limit):
            if lines[probe].rstrip()[-1:] in _ATTRIBUTION_ENDS:
                self.end_rows.append(probe)
        self.end_read = limit
        if calm == _TO_LABEL:
            limit = min(index + 1 + _NOTES_TABLE_SPAN, len(lines))
            for probe in range(max(self.subject_read, index + 1), limit):
                if _bare_label(lines[probe], _BARE_SUBJECT):
                    self.subject_rows.append(probe)
            self.subject_read = limit
            if self.subject_rows and self.subject_rows[-1] > index:
                return None
        # every other detector is false here: only the attribution is read
        rows = self.end_rows
        return index if rows and rows[-1] >= index and _attribution_cut(lines, index) else -1


def _builtin_cut(lines: list[str]) -> int:
    """Index of the first line of old content found by the built-in detectors, or -1."""
    subject_labels: dict[int, bool] = {}  # line index: a bare subject label (read once)
    quiet = _QuietLines(lines)
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE_LEN or not line.strip():
            continue
        verdict = quiet.verdict(index, line)
        if verdict is not None:
            if verdict >= 0:
                return verdict
            continue
        head = line.lstrip()[:3]
        if head == ">>>" and _GROUPWISE.match(line):
            return index
        if _QUOTE_LINE.match(line):
            continue
        if _is_separator(line) or _is_wrapped_separator(lines, index):
            if _separates(lines, index):
                return index
        # Every field line (From:, Date:, To:...) has a colon: without one, no header block.
        if ":" in line or "：" in line:
            if index and (
                _is_header_block(lines, index)
                or (head[:1] in (":", "|") and _marked_header_block(lines, index))
            ):
                return _header_intro(lines, index)
            notes = _recipient_block_start(lines, index)
            if notes >= 0:
                return notes
        if _bare_label(line, _BARE_TO):
            notes = _notes_table_start(lines, index, subject_labels)
            if notes >= 0:
                return notes
        if _is_mobile_separator(lines, index):
            return index + 1  # the mobile line stays: the signature stripper removes it
        if _may_open_attribution(lines, index) and _attribution_cut(lines, index):
            return index
    return -1


def _attribution_cut(lines: list[str], index: int) -> bool:
    """An attribution left without its quote opens at ``index`` (it may, by
    :func:`_may_open_attribution`): old content starts there."""
    span = _attribution_at(lines, index) or _spread_span(lines, index)
    return bool(
        span
        and not _quote_follows(lines[index + span : index + span + _QUOTE_LOOKAHEAD])
        and _names_sender(lines[index : index + span])
    )


# A sender described, not named, right by the verb: "Your colleague Ann wrote on
# 03.03.2026:", "Ihr Kollege schrieb am …:", "Am 03.03.2026 schrieb der Support:", "Le
# 03/03/2026, le support a écrit :", "The technician wrote at 10:00:". A client names the
# sender (a name, an address); with no quote below, such a line is the customer's, citing
# what was written, and their own text follows. Possessives and articles per language (not
# Spanish "la" and Dutch "de": names hold them, "María de la Cruz").
_DESCRIBED = frozenset(
    "the your our my his her their "  # en
    "der die das dem ihr ihre unser unsere mein meine "  # de
    "le la les votre notre mon ma "  # fr
    "el su sus nuestro nuestra mi "  # es
    "il lo vostro vostra nostro nostra "  # it
    "het uw onze mijn "  # nl
    "seu sua nosso nossa "  # pt
    "ваш ваша наш наша мой моя "  # ru
    "wasz wasza nasz nasza mój moja "  # pl
    "er ert era vår vårt din dit jeres vores deres "  # sv da no
    "teidän meidän".split()  # fi
)
# The reader, as a client names them when the quoted message is their own.
_READER = frozenset("you du sie vous tu usted voi jij u você вы ты ty ni dere te".split())
# Formal "your" that letters capitalise anywhere (de, nl, it, ru, pl, da/no, fi): the
# customer's courtesy, no display name's.
_GRAMMAR_CAPITAL = frozenset("Ihr Ihre Uw Vostro Vostra Ваш Ваша Wasz Wasza Deres Teidän".split())
# ("sent" is no verb inside "presented")
_VERB_WORD = re.compile(rf"(?<![{_SPACED_LETTER}])(?:{_WROTE})(?![{_SPACED_LETTER}])", re.I)
_SLOT_STOP = re.compile(r"[\d,，>)\]<(\[]")


def _names_sender(chunk: list[str]) -> bool:
    """The attribution on ``chunk`` names its sender (as clients write it), or cannot be
    read word by word (an address, no verb, a script without capitals)."""
    text = " ".join(line.strip() for line in chunk)
    verb = _VERB_WORD.search(text)
    if verb is None or "@" in text:
        return True
    # The words by the verb: before it back to a date, comma or bracket; when none, after
    # it up to one.
    before = _SLOT_STOP.split(text[: verb.start()])
    slot, opens_line = before[-1].split(), len(before) == 1
    if not slot:
        slot, opens_line = _SLOT_STOP.split(text[verb.end() :].rstrip(" :："))[0].split(), False
    if not slot:
        return True
    if slot[0].lower() in _DESCRIBED:
        # Capitalised after the date, the word opens a display name as the client writes
        # it ("On 3/3/26 10:00 AM, The Support Team wrote:", "schrieb Der Kundenservice:");
        # a customer writes it lower case there, or capitalised by grammar (German "Ihr").
        return slot[0][:1].isupper() and not opens_line and slot[0] not in _GRAMMAR_CAPITAL
    if len(slot) > 1 and len(slot[0]) == 1 and slot[1].lower() in _DESCRIBED:
        return False  # an article first: "O seu colega escreveu …:"
    if len(slot) == 1 and slot[0].lower() in _READER:
        return True  # "On Nov 26, 2013 you wrote:": a client naming the reader
    # Words of a cased script, none capitalised: a role ("our support team wrote"), not a
    # name; one word alone may be a user name ("On 3/13/2017 3:16 AM, jdoe wrote:").
    cased = [word for word in slot if word[:1].lower() != word[:1].upper()]
    return len(cased) < 2 or any(word[:1].isupper() for word in cased)


_INTRO_WORDS = 6
# The forward line names the forwarding ("Begin forwarded message:", "Inizio messaggio
# inoltrato:", "以下是转发的邮件："): "The log message:", "See the original message:" above a
# header block the customer pasted are their words.
_FORWARD_WORDS = re.compile(
    r"forward|weitergeleitet|réexpédi|transféré|reenviad|reencaminhad|encaminhad|inoltrat|"
    r"doorgestuurd|переадрес|пересыла|перенаправ|przekaz|vidarebefordra|videresend|"
    r"välitet|转发|轉寄|転送",
    re.IGNORECASE,
)


def _header_intro(lines: list[str], index: int) -> int:
    """The line that introduces the header block at ``index``, or ``index``.

    A client's forward line ending with a colon ("Inizio messaggio inoltrato:", "Начало
    переадресованного сообщения:", Apple Mail in each language) or a separator between
    rules whose words no list holds ("-------- 转发的消息 --------"), right above the block
    (one blank line between at most): they belong to the old message. The forward line is
    short, holds a separator's words and no first-person subject (not "I forward the
    message:")."""
    above = index - 1
    if above > 0 and not lines[above].strip():
        above -= 1
    if above < 0 or len(lines[above]) > 200:
        return index
    line = _plain_dashes(lines[above]).strip()
    if line[:1] in ("*", "_"):
        line = _unemphasized(line)  # "*-------- 转发的消息 --------*", bold
    if (
        line[:2] == "--"
        and line[-2:] == "--"
        and (_SEPARATOR.match(line) or _hyphenated_separator(line))
    ):
        return above
    if (
        line[-1:] in (":", "：")
        and len(line.split()) <= _INTRO_WORDS
        and _FORWARD_WORDS.search(line)
        and not _FIRST_PERSON.search(line)
        and not _QUOTE_LINE.match(line)
    ):
        return above
    return index


_NO_COLON_OPENERS = frozenset(("on", "le", "am", "el", "il", "op", "em"))
_ATTRIBUTION_ENDS = (":", "：", ">")


def _may_open_attribution(lines: list[str], index: int) -> bool:
    """A cheap necessary condition of :func:`_attribution_at`: an attribution ends with a
    colon, or with an address in brackets (Gmail's dated form), or opens with "On"-like words
    (the form without a colon), within its lines."""
    if lines[index].lstrip()[:2].lower() in _NO_COLON_OPENERS:
        return True
    for line in lines[index : index + HEADER_SPAN]:
        if line.rstrip()[-1:] in _ATTRIBUTION_ENDS:
            return True
    return False


# A line's end that ends a sentence: the dot of a date ends none, a client wrapped its
# attribution there: a day's number ("schrieb am Mi., 4." / "März 2026 …:") or an abbreviated
# month after it ("Op wo 4 mrt." / "2026 om …", "ma 2. maalisk." / "2026 klo …"). A short
# word's dot ("… the server went down.") ends a sentence.
_DATE_DOT_END = re.compile(r"(?:^|[\s,(])\d{1,2}(?:\.|\.?\s+[^\W\d_]{2,8}\.)$")
_DATE_DOT_WITHIN = 16
# What a date wrapped after its dot goes on with on the next line: a number (the year
# "2026 om 10:12 …", the month "03.26 um 10:12 …"), the month's name and a number, maybe
# after a short word ("März 2026, 10:12:", "März um 10:12"). A line naming a sender ("Our
# admin wrote:", "Jean Dupont a écrit :") goes on with none: the dot above ended the
# customer's sentence ("… since update 5.").
_DATE_GOES_ON = re.compile(r"(?:\d|[^\W\d_]{2,10}\.?,?\s+(?:[^\W\d_]{1,5}\s+)?\d)")


def _sentence_stop(text: str) -> bool:
    """``text`` (stripped) ends with a sentence's end, not a date's dot (searched only when
    the text ends with a dot, in its last characters: a search tries every position)."""
    end = text[-1:]
    if end not in (".", "!", "?"):
        return False
    if end != ".":
        return True
    return _DATE_DOT_END.search(text, max(0, len(text) - _DATE_DOT_WITHIN)) is None


_FAR_VERBS = re.compile(rf"{_WROTE}|napisana\s+przez", re.IGNORECASE)  # _WROTE_FAR's verbs
_VERB_FIRST_WITHIN = 40


def _joined(chunk: list[str]) -> str:
    """The lines of a wrapped attribution as one line: a space between them, except after an
    address's opening bracket, where Gmail wraps ("… Bob Sample <" / "bob@x.org>")."""
    parts = [part.strip() for part in chunk]
    joined = parts[0]
    for part in parts[1:]:
        joined += part if joined.endswith("<") else " " + part
    return joined


# The first words of a dated attribution, which no client wraps onto the line above it
# ("On Mon, …", "Le lun. …", "El lun., …", "Il giorno …", "пн, 26 …", "2019年8月26日",
# "2019-08-26 …"): an opener word capitalised and a space, an abbreviated weekday and its
# dot or comma before a number, or a whole date. (Not a time, a year or a lower-case word:
# clients wrap "… 2019 à" / "16:37, Bob …", "… 2019" / "at 4:37 PM …", "Bob schrieb" /
# "am 26.08.2019 …:".)
_OPENS_DATED = re.compile(
    r"^\s*(?:(?:On|Le|Am|El|Il|Op|Em|W\s+dniu|Den|В|Στις)\s|在|於"
    r"|[^\W\d_]{2,3}(?:\.,?|,)\s+\d|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2})"
)


# A date wrapped after its day's number (or year), the abbreviated month and its dot opening
# the next line ("… schrieb am Fr., 28." / "Apr. 2017 um 11:53 Uhr:", "… le ven. 28" /
# "avr. 2017 à 11:53 :", "(időpont: 2017." / "ápr. 28., P 11:53):"): the month's dot is
# followed by a number, a weekday's by its comma ("Fr., 28.", "пт, 28 апр.") or by a day's
# number after a word opening the attribution ("Le lun. 26"), which no client wraps apart.
_NUMBER_END = re.compile(r"\d\.?$")
_MONTH_DOT_START = re.compile(r"^[^\W\d_]{2,5}\.\s+\d")
# A weekday with its dot opening a whole date of its own (Gmail in Danish and Norwegian:
# "fre. 28. apr. 2017 kl. 11.53 skrev …", "Fr. 28.04.2017 um …"): the day's number, the
# month (a word or a number) and the year follow it. A month wrapped from the line above
# goes on with its year or its day and time ("Apr. 2017 um 11:53 Uhr:", "ápr. 28., P
# 11:53):"), no month of its own.
_WEEKDAY_DOT_DATE = re.compile(
    r"^[^\W\d_]{2,5}\.\s+\d{1,2}(?:\.?\s+[^\W\d_]{2,10}\.?,?\s+\d{4}|[./-]\d{1,2}[./-]\d{2,4})"
)


_VERB_BEFORE_DATE = 40


def _month_goes_on(above: str, last: str) -> bool:
    """``last`` (stripped) goes on with the month of a date whose day or year ends ``above``,
    right after the verb ("schrieb am Fr., 28.", "ezt írta (időpont: 2017."): a customer's
    line ending with a number ("… about ticket 12") goes on with no client's date."""
    return (
        _NUMBER_END.search(above[-3:]) is not None
        and _MONTH_DOT_START.match(last) is not None
        and _WEEKDAY_DOT_DATE.match(last) is None
        and _VERB_WORD.search(above, max(0, len(above) - _VERB_BEFORE_DATE)) is not None
    )


def _may_end_attribution(end: str, digit_first: bool) -> bool:
    """A text ending with the character ``end`` (stripped) may be an attribution
    (:func:`_is_attribution`): a colon, a verb (a letter, or "napisał(a)"'s bracket), or an
    address's bracket after a date opening the text (Gmail's "2013/7/20 Ann <a@x>",
    ``_DATED_SENDER``); ``digit_first``: the text opens with a digit."""
    return end in (":", "：", ")") or end.isalpha() or (end == ">" and digit_first)


def _attribution_at(lines: list[str], index: int) -> int:
    """Number of lines (0: none) of an attribution starting on ``lines[index]``."""
    first = lines[index].strip()
    # No join of the lines can end as an attribution: none read (a body of 200,000 lines
    # of "<a@b.c>" joined each with the lines below it; issue 14)
    digit_first = first[:1].isdigit()
    if first and not any(
        _may_end_attribution(line.rstrip()[-1:], digit_first)
        for line in lines[index : index + HEADER_SPAN]
    ):
        return 0
    opens = None  # _opens_attribution(first), once
    nearest = None  # _line_above(lines, index), once
    for span in range(1, HEADER_SPAN + 1):
        if index + span > len(lines):
            break
        chunk = lines[index : index + span]
        if span > 1:
            last = chunk[-1].strip()
            if not last or (_QUOTE_LINE.match(last) and not _glued_end(last, chunk[-2])):
                break
            above = chunk[-2].strip()
            month = _month_goes_on(above, last)  # (a year's dot too: "időpont: 2017." / "ápr.")
            if _OPENS_DATED.match(last) and _DATEISH.search(last) and not month:
                break  # a dated attribution's own first line: the line above is the customer's
            if not month and (
                _sentence_stop(above) or (above[-1:] == "." and not _DATE_GOES_ON.match(last))
            ):
                break
            if opens is None:
                # (also a verb that names the sender after it, wrapped before the address
                # and the date: "Wiadomość napisana przez Ann" / "<a@x> w dniu …:")
                # among its first words (a search of the verbs costs at every character)
                # and only when the next line holds an address (the form needs one)
                opens = _opens_attribution(first) or (
                    "@" in chunk[1] and bool(_FAR_VERBS.search(first, 0, _VERB_FIRST_WITHIN))
                )
            if not opens:
                break
        joined = _joined(chunk)
        # (the next lines only as far as _quote_follows reads them: a copy of the rest of
        # the text per line was quadratic on a long thread)
        following = lines[index + span : index + span + _QUOTE_LOOKAHEAD]
        if nearest is None:
            nearest = _line_above(lines, index)
        if _is_attribution(joined, following, nearest):
            if span > 1 and _customer_head(lines, index, span):
                return 0
            return span
    return 0


# What may follow a client's date at the end of an attribution's first line: its time's
# marks and zone ("PM", "Uhr", "GMT+02:00", "(CEST)", "日", ","), the sender's name ("…,
# Jean-Pierre" / "Dupont <jp@x> a écrit :") with its particles; a word in lower case or a
# run of Chinese or Korean text is the customer's ("… the printer jammed", "… 打印机又卡纸了").
_AFTER_DATE_LOWER = frozenset(
    ("am", "pm", "h", "hrs", "uhr", "via", "de", "van", "von", "der", "den", "da", "di", "del",
     "la", "le", "du", "dos", "das", "ten", "ter",
     "heeft", "hat", "has", "ha", "a")  # Apple Mail's "… om 10:00 heeft Sanne de" / "Vries <…>"
)  # fmt: skip
_AFTER_DATE_UNCASED = 3
_WORD_MARKS = ".,;:()[]\"'"


# A client writes one word of its own after the time, before the sender's name (Gmail in
# Czech "… v 16:37 odesílatel", Thunderbird in Turkish "… 16:37 tarihinde", "… 16:37 uur"),
# and marks of the time with dots or a slash ("p. m.,", "μ.μ., ο/η"); after a time, a
# customer's words make a clause: two words in lower case at least ("the printer jammed",
# "kam der"). After a date alone ("Am 12.05.2026 angerufen") one word is theirs.
_CLAUSE_WORDS = 2
_TIME_MARK_INSIDE = "./"
_TIME_END = re.compile(r"(?<!\d)\d{1,2}\s?[:.hH]\s?\d{2}$")  # "16:37", "16.37", "16 h 37"
_TIME_END_WITHIN = 12


def _customers_words(text: str, timed: bool) -> bool:
    """``text`` (what follows the date, ``timed``: a time ending it) holds the customer's
    words, not a client's."""
    lower, own = 0, False
    for word in text.split():
        word = word.strip(_WORD_MARKS)
        if not word or not any(char.isalpha() for char in word) or word[0].isupper():
            continue
        if word.lower() == word.upper():  # no case: Chinese, Japanese, Korean
            if len(word) > _AFTER_DATE_UNCASED:
                return True
        elif len(word) > 1 and not any(mark in word for mark in _TIME_MARK_INSIDE):
            lower += 1
            own = own or word.lower() not in _AFTER_DATE_LOWER
    return own and (lower >= _CLAUSE_WORDS or not timed)


def _customer_head(lines: list[str], index: int, span: int) -> bool:
    """``lines[index]`` opens with a date but goes on with the customer's words ("Am
    12.05.2026 kam der Techniker", "2026/05/12 打印机又卡纸了") and the lines below it are a
    whole attribution by themselves ("Bob Smith <bob@x> wrote:"): it is no head of theirs.
    A client's head holds the date and time alone ("On Mon, Aug 26, 2019 at 4:37 PM",
    "2019年8月26日(月) 16:37"), or its verb or the sender's address ("Am … um 16:37 Uhr
    schrieb", "On … Bob <bob@x>")."""
    first = lines[index].strip()
    if "@" in first or not _dated_head(first) or _VERBS.search(first):
        return False
    last = next((at for at in range(len(first) - 1, -1, -1) if first[at].isdigit()), -1)
    timed = _TIME_END.search(first[max(0, last + 1 - _TIME_END_WITHIN) : last + 1]) is not None
    if not _customers_words(first[last + 1 :], timed):
        return False
    return not _wrap_tail(lines[index + 1]) and _attribution_at(lines, index + 1) == span - 1


# What makes a "Sent …" line a device's footer rather than a sentence ("Sent via DHL"): the
# sender's own device ("my", "mon", "meinem", …) or a mail app or device named.
_DEVICE_FOOTER = re.compile(
    r"\b(?:my|mon|ma|mi|mein|meinem|meiner|mijn|min|mitt|meu|minha|mio|mój|moim|моего|"
    r"outlook|iphone|ipad|android|galaxy|samsung|blackberry|huawei|pixel|smartphone|mobile|"
    r"windows)\b|送信|发自|從我的",
    re.IGNORECASE,
)


# A device's or mail app's footer whose verb comes last or after other words than
# _MOBILE_SIG knows ("Von meinem iPhone gesendet", "Enviado do meu iPhone", "iPhoneから送信",
# "发自我的iPhone", "Verzonden vanuit Yahoo Mail voor Android", "从 Android 版 Yahoo 邮箱发送"):
# a short line of "sent from" (or "from … sent") naming a device or a mail app, no sentence
# inside. Read as a signature on the last line only, never as a separator.
_SEND = (
    r"sent|gesendet|envoyé|enviado|enviada|inviato|verzonden|verstuurd|wysłane|wysłano|"
    r"отправлено|skickat|sendt|lähetetty|"
    r"odesláno|odoslané|στάλθηκε|trimis|надіслано|poslano|dikirim|enviat|изпратено|išsiųsta"
)
# "from" in each language ("Sent from", "Enviado do", "Verzonden vanuit", "Отправлено из"):
# "Sent to Samsung support." names no footer.
_FROM_WORD = (
    r"from|with|via|using|de|depuis|von|vom|mit|desde|da|dal|dalla|do|vanaf|vanuit|met|"
    r"z|ze|с|со|из|från|fra|av|"
    r"από|з|s|dari|des|от|iš"  # el uk hr id ca bg lt
)
_SEND_AT_EDGE = re.compile(
    rf"^\s*(?:(?:{_SEND})\s+(?:{_FROM_WORD})\s|发自|發自)"  # the verb first, then "from"
    r"|^\s*(?:von|vom|从|從)\s*\S.*(?:gesendet|发送|發送|傳送)\s*[.!]?\s*$"  # "from", verb last
    r"|から\s*送信\s*$"  # ja
    r"|^\s*\S{1,30}\s+(?:küldve|gönderildi)\s*[.!]?\s*$"  # hu tr: "iPhone-ról küldve"
    r"|^\s*lähetetty\s+\S{1,30}st[aä]\s*$",  # fi: "Lähetetty iPhonesta"
    re.I,
)
_APP_NAME = re.compile(
    r"(?<![a-zA-Z])(?:iphone|iphonu|ipad|android|galaxy|samsung|blackberry|huawei|xiaomi|pixel|"
    r"smartphone|yahoo|gmail|outlook|aol)"
    r"(?:['’]?a|u|sta|stä|['’]umdan|-r[óo]l|-ul)?(?![a-zA-Z])",  # cs fi tr hu ro case endings
    re.I,
)
_SENTENCE_INSIDE = re.compile(r"[.!?。！？]\s*\S")
_YAHOO_BANG = re.compile(r"(?<=yahoo)!", re.I)
_FOOTER_WORDS = 7
_FOOTER_CHARS = 60


def _is_sent_from_line(line: str) -> bool:
    text = line.strip()
    return (
        len(text) <= _FOOTER_CHARS
        and len(text.split()) <= _FOOTER_WORDS
        and _SEND_AT_EDGE.search(text) is not None
        and _APP_NAME.search(text) is not None
        and not _SENTENCE_INSIDE.search(_YAHOO_BANG.sub("", text))  # "Yahoo!メール"
        and not _FIRST_PERSON.search(text)
        and _names_device_last(text)
    )


# What may follow the device or app a footer names: a model ("Tab S7", "15 Pro"), a
# platform ("for iOS"), a device noun ("phone", "手机", "アプリ"); the verb when it comes last.
_VERB_LAST = re.compile(
    r"(?:gesendet|发送|發送|傳送|から\s*送信|küldve|gönderildi)\s*[.!]?\s*$", re.I
)
_DEVICE_TAIL = re.compile(
    r"(?:\s*(?:[A-Za-z0-9'’+-]+|μου|моя|שלי|手机|手機|邮箱|郵箱|客户端|客戶端|メール|アプリ|版))"
    r"{0,2}\s*[.!]?\s*$"
)
_CJK_PARTICLE = re.compile(r"[はがをにでも了都被]")


def _names_device_last(text: str) -> bool:
    """The footer ends with the device or app it names: "Sent via Outlook but it bounced",
    "Enviado desde Gmail, sin respuesta", "发自iPhone的邮件都被退回", "Von Outlook aus wurde
    nichts gesendet" are the customer's sentences about their mail, not a footer."""
    if any(mark in text for mark in ",，、;；"):
        return False
    body = _VERB_LAST.sub("", text)
    names = list(_APP_NAME.finditer(body))
    if not names:
        return False
    last = names[-1]
    if _CJK_PARTICLE.search(body[: last.start()]) and not body.startswith(("发自", "發自")):
        return False
    return _DEVICE_TAIL.fullmatch(body[last.end() :]) is not None


# Outlook for iOS and Android: "Get Outlook for iOS<https://aka.ms/…>" in each language
# ("Obtener Outlook para iOS", "Outlook voor iOS downloaden", "iOS 版 Outlook を入手"): the
# app and its platform in a short line of words, a link aside, no sentence.
_APP_FOOTER = re.compile(
    r"\boutlook\b.{0,30}?\b(?:ios|android)\b|\b(?:ios|android)\b.{0,10}?\boutlook\b", re.I
)
_LINK = re.compile(r"<[^<>\s]{1,300}>")
_APP_FOOTER_WORDS = 7
_APP_ONLY = re.compile(
    r"(?:outlook|ios|android|for|für|pour|para|per|voor|для|dla|för|版|[\d.]+|\s)+", re.I
)
_APP_FOOTER_MAX = 400  # a link included


def _is_app_footer(line: str) -> bool:
    if len(line) > _APP_FOOTER_MAX or ("utlook" not in line and "UTLOOK" not in line):
        return False
    text = _LINK.sub(" ", line).strip()
    return (
        len(text) <= 60
        # a verb to get the app ("Get", "Scarica", "downloaden", "を入手"), or its link: the
        # app and its platform alone ("Outlook for iOS 4.2410") are the customer's words
        and (_LINK.search(line) is not None or not _APP_ONLY.fullmatch(text))
        and len(text.split()) <= _APP_FOOTER_WORDS
        and text[-1:] not in ".?!:"
        and _APP_FOOTER.search(text) is not None
        and not _FIRST_PERSON.search(text)
    )


# Words of a clause no client's footer holds: conjunctions, negations, pronouns, common
# verbs and adverbs of time, per language. "Sent from my iPhone but it bounced back", "Get
# Outlook for Android does not install", "Отправлено с iPhone но письмо не доходит" are the
# customer's sentences about their mail; "Sent from my iPhone" and "Sent from Yahoo Mail on
# Android" hold none of them.
_CLAUSE_WORD = re.compile(
    r"(?<![\w'’-])(?:"
    r"and|but|or|because|is|are|was|were|does|did|doesn't|don't|didn't|can't|cannot|"
    r"won't|not|never|it|that|this|then|when|which|what|you|your|we|they|"
    r"yesterday|today|twice|again|also|still|only|"  # en
    r"und|aber|oder|weil|ist|sind|war|wird|wurde|nicht|nie|kein|keine|es|das|dann|wenn|"
    r"gestern|heute|wieder|auch|noch|nur|kam|kommt|"  # de
    r"et|mais|ou|car|est|sont|était|ne|pas|jamais|il|elle|ce|cela|qui|quand|puis|hier|"
    r"encore|aussi|"  # fr
    # es; not "no" and "o": Portuguese "in the" and "the" ("Obter o Outlook", "no Android")
    r"y|pero|porque|es|son|era|nunca|que|cuando|ayer|hoy|también|"
    r"e|ma|perché|è|sono|non|mai|che|ieri|oggi|anche|"  # it
    r"en|maar|omdat|zijn|niet|nooit|het|dat|wanneer|gisteren|vandaag|ook|"  # nl (not "of": English)
    r"mas|são|não|quando|ontem|hoje|"  # pt
    r"и|но|или|потому|это|не|никогда|что|когда|вчера|сегодня|тоже|"  # ru
    r"i|ale|lub|bo|jest|są|był|nie|nigdy|to|że|kiedy|wczoraj|dzisiaj|też|"  # pl
    r"och|men|eller|eftersom|är|var|inte|aldrig|det|att|när|igår|idag|också|"  # sv
    r"og|fordi|er|ikke|aldri|at|når|"  # da no
    r"ja|mutta|tai|koska|ei|oli|se|kun|eilen|tänään|myös"  # fi ("on" is English too)
    r")(?![\w'’-])",
    re.IGNORECASE,
)


# A footer's own grammar: the possessive before the device ("Envoyé de ma tablette": French
# "ma" is Italian "but" too).
_FOOTER_POSSESSIVE = frozenset(
    "my mon ma mi mein meinem meiner mijn min mitt meu minha mio mój moim моего".split()
)


def _goes_on_as_clause(line: str) -> bool:
    """The footer-like line goes on with a clause: a clause word written as a sentence
    writes it, in lower case ("… but it bounced"), not a model's letter ("Moto E", "Galaxy
    Tab E") nor the footer's own possessive ("Envoyé de ma tablette")."""
    return any(
        word == word.lower() and word not in _FOOTER_POSSESSIVE
        for word in (match.group() for match in _CLAUSE_WORD.finditer(_LINK.sub(" ", line)))
    )


def _is_device_footer(line: str) -> bool:
    """A mobile client's "Sent from my …" signature line, in any of its forms; a link glued
    to the app's name ("Sent from Mail<https://…> for Windows", its HTML as text) read off."""
    if "<" in line:
        line = _LINK.sub(" ", line)
    return bool(
        (_MOBILE_SIG.match(line) or _is_sent_from_line(line) or _is_app_footer(line))
        and not _goes_on_as_clause(line)
    )


def _is_mobile_separator(lines: list[str], index: int) -> bool:
    """ "Sent from my iPhone" followed by more text: the old message follows (mobile clients).
    A sentence that only starts like one ("Sent via DHL", "Sent from my iPhone but it
    bounced") separates nothing."""
    line = lines[index]
    if not _MOBILE_SIG.match(line) or not _DEVICE_FOOTER.search(line):
        return False
    if index and _QUOTE_LINE.match(lines[index - 1]):
        return False  # glued to a quote: the quoted message's own footer, left unquoted
    if _goes_on_as_clause(line):
        return False
    return any(line.strip() for line in _from(lines, index + 1))


def _itop_cut(text: str, patterns: list[re.Pattern]) -> int:
    """iTop: search each delimiter pattern in the whole text; the closest to the start wins."""
    combined = _one_search(tuple(patterns))
    if combined is not None:
        match = combined.search(text)
        return match.start() if match else -1
    best = -1
    for regex in patterns:
        match = regex.search(text)
        if match and (best < 0 or match.start() < best):
            best = match.start()
    return best


# What makes a pattern unsafe to search in one alternation with others: a back-reference or a
# condition on a group (the groups are numbered anew), a global inline flag (it would apply
# to all of them), or re.VERBOSE (a comment would swallow the next alternative).
_NOT_JOINABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\(\?[aiLmsux]+\)")


@functools.lru_cache(maxsize=32)
def _one_search(patterns: tuple) -> re.Pattern | None:
    """The patterns as one alternation ``(?:p1)|(?:p2)|…``, or None when that could differ.

    A search of the alternation finds the leftmost place where any of them matches: the
    start closest to the beginning of the text, which is what :func:`_itop_cut` wants, in one
    pass over the text instead of one per pattern (iTop's seven defaults are searched in
    every plain-text body). Only for patterns with the same flags, without back-references
    and not verbose; None (search them one by one) otherwise or when the alternation does
    not compile (a group name used twice, a global flag)."""
    if len(patterns) < 2:
        return None
    flags = patterns[0].flags
    if flags & re.VERBOSE or any(
        p.flags != flags or _NOT_JOINABLE.search(p.pattern) for p in patterns
    ):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags)
    except (re.error, OverflowError, RecursionError):
        return None


# The end of an attribution wrapped inside the sender's address, its closing bracket first
# on the next line, where it reads as a quoted line: Gmail's "<x@y.org" / ">:", a client
# wrapping at a fixed width "… <x@y.org" / "> wrote:", "> a écrit :", "> escribió:", Gmail's
# Spanish address in parentheses "… (<x@y.org" / ">) escribió:".
# Chinese Gmail's date sits between the address and the verb: "… <x@y.org" / "> 于2026年5月5日周二
# 09:12写道：", zh-TW "> 於 2026年5月5日 週二 上午9:12寫道：" (a year with 年, then the verb).
# Every glued end is read only below an address left open ("<x@y.org", "(<x@y.org"): a
# quote that opens with "> wrote:" or "> 于…写道：" below a customer's line ("Bob Smith",
# "我们昨天重启了打印机") is their quote; clients wrap inside the address only.
_GLUED_END = re.compile(rf"^>\)?\s*(?:(?:{_WROTE})\s*)?[:：]$", re.IGNORECASE)
_GLUED_DATED_END = re.compile(r"^>\s*[于於]\s*\d{4}\s*年.{0,24}?(?:写道|寫道)\s*[:：]$")
# (or the address alone on its line, its bracket opened at the end of the line above it:
# Gmail wraps after the "<" of a long address, "… Bob Smith <" / "bob@x.org" / "> wrote:")
_OPEN_ADDRESS = re.compile(r"<[^<>\s]{0,64}@[^<>\s]{0,255}$|^\s*[^<>\s]{1,64}@[^<>\s]{1,255}$")


def _glued_end(stripped: str, above: str | None = None) -> bool:
    """``stripped`` (a stripped line) is the end of an attribution wrapped in its address;
    ``above``: the line it was wrapped from, which must leave the address open (None: a
    link's pieces the caller has read as such)."""
    if len(stripped) > 40 or stripped[-1:] not in (":", "："):
        return False
    if not (_GLUED_END.match(stripped) or _GLUED_DATED_END.match(stripped)):
        return False
    if above is None or _OPEN_ADDRESS.search(above.rstrip()) is not None:
        return True
    return len(above) <= MAX_LINE_LEN and _LINK_PIECE.match(above) is not None  # "mailto:bob@x"


def _drop_trailing_intro(lines: list[str], intro: list[re.Pattern], glued: str = "") -> list[str]:
    """Remove a dangling attribution line (and blank lines) at the end of the new part.

    ``glued``: the attribution's end was wrapped onto the quote (Gmail's "<x@y.org\n>:", "…
    <x@y.org\n> wrote:"), so the last line is tested as if it ended with it."""
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    probe = [*lines[:-1], lines[-1] + glued] if glued and lines else lines
    # Only the last lines can hold it: read them alone (a copy of a long text per call
    # was most of this function's time).
    first = max(len(lines) - HEADER_SPAN, 0)
    context = max(first - _ABOVE_LOOK - 1, 0)  # (and the line above them: an answer's quote)
    tail = [*probe[context:], ">"]
    # (first: its last pieces may read as an attribution by themselves)
    spread = _spread_attribution(lines, glued) if lines else -1
    if spread >= 0:
        del lines[spread:]
    for start in range(first, len(lines) if spread < 0 else 0):
        if _attribution_at(tail, start - context) == len(lines) - start:
            del lines[start:]
            break
        if start == len(lines) - 1 and any(regex.search(lines[start].strip()) for regex in intro):
            del lines[start:]
            break
    while lines and (not lines[-1].strip() or _RULE_LINE.match(lines[-1])):
        lines.pop()
    return lines


# A link's pieces as a client's HTML-to-text step writes a sender's mailto link: "<" alone,
# "mailto:…" on a line of its own.
_LINK_PIECE = re.compile(r"^\s*(?:[<(]{1,2}|\(?<?mailto:\S.{0,200})\s*$", re.IGNORECASE)


def _spread_attribution(lines: list[str], glued: str = "") -> int:
    """Start of an attribution at the end of ``lines`` whose pieces blank lines part (the
    sender's mailto link set on lines of its own: "On … Bob" / "" / "<" / "mailto:bob@x"),
    or -1. ``lines`` ends with a non-blank line."""
    pieces: list[int] = []
    blanks = 0
    at = len(lines) - 1
    while at >= 0 and len(pieces) < HEADER_SPAN:
        if lines[at].strip():
            if len(lines[at]) > MAX_LINE_LEN:
                return -1
            pieces.append(at)
            blanks = 0
        else:
            blanks += 1
            if blanks > _ABOVE_LOOK:
                break
        at -= 1
    pieces.reverse()
    if len(pieces) < 2 or not any(_LINK_PIECE.match(lines[i]) for i in pieces[1:]):
        return -1
    chunk = [lines[i] for i in pieces]
    if glued:
        chunk[-1] += glued
    chunk.append(">")
    for span in range(len(pieces), 1, -1):
        start = len(pieces) - span
        spread = pieces[-1] - pieces[start] + 1 > span  # a blank line among them
        if spread and _attribution_at(chunk, start) == span:
            return pieces[start]
    return -1


def _spread_span(lines: list[str], index: int) -> int:
    """Number of lines (0: none) of an attribution starting on ``lines[index]`` whose
    sender's mailto link a client set on lines of its own below blank lines ("On … Bob" /
    "" / "<" / "mailto:bob@x" / "> wrote:")."""
    at, blanks, pieces = index + 1, 0, []
    while at < len(lines) and len(pieces) < HEADER_SPAN:
        line = lines[at]
        if not line.strip():
            if pieces or blanks >= _ABOVE_LOOK:
                break  # (the link's pieces follow each other)
            blanks += 1
        elif len(line) <= MAX_LINE_LEN and _LINK_PIECE.match(line):
            pieces.append(line)
        else:
            break
        at += 1
    if not pieces or not blanks:
        return 0
    link = _joined(pieces)
    end = lines[at].strip() if at < len(lines) and len(lines[at]) <= MAX_LINE_LEN else ""
    if _glued_end(end):  # (below the link's pieces)
        chunk, span = [lines[index], link + end], at + 1 - index  # "<mailto:bob@x" + "> wrote:"
    else:
        chunk, span = [lines[index], link], at - index
    following = lines[index + span : index + span + _QUOTE_LOOKAHEAD]
    return span if _attribution_at([*chunk, *following], 0) == 2 else 0


WRAP_WIDTH = 30  # quoted text at least this long may have been wrapped by the sender
_QUOTE_MARKS = re.compile(r"^[\s>]*")


def _continues_quote(lines: list[str], index: int) -> bool:
    """An unquoted line glued to a quoted line that is the quote's own text, lazily wrapped:
    the quoted line was long enough to wrap, or the line does not open a sentence."""
    previous = lines[index - 1] if index else ""
    if not _QUOTE_LINE.match(previous):
        return False
    quoted = _QUOTE_MARKS.sub("", previous).rstrip()
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if _answers_question(quoted, lines[index].lstrip()) and not _QUOTE_LINE.match(following):
        return False  # (quoted text glued below again: the paragraph goes on, wrapped)
    return (
        len(quoted) >= WRAP_WIDTH
        or len(previous.rstrip()) >= 2 * WRAP_WIDTH - 10  # deep quotes wrap their text short
        or not lines[index].lstrip()[:1].isupper()
    )


# A quoted line ending a question ("…and the delivery address?", "…ですか？") or a CJK
# sentence ("…教えてください。") and an unquoted line opening a sentence below it: the
# answer, glued to what it answers (the rest of a wrapped line seldom follows a question
# mark; a Latin full stop is left to the length rule: a wrap falls after one often).
_QUESTION_END = re.compile(r"[?？。！]\s*[\"'”’»)）」]*$")


def _answers_question(quoted: str, line: str) -> bool:
    first = line[:1]
    opens = (
        first.isupper() or first.isdigit() or (first.isalpha() and first.lower() == first.upper())
    )
    return opens and _QUESTION_END.search(quoted) is not None


_WORDY = re.compile(r"\w")

# A client's or an archive's list of the files a message carried, below its text: Lotus
# Notes' " - name.ext", Outlook's "<<name.ext>>", "(See attached file: name.ext)". Below a
# trailing quote it lists the quoted message's files (or the reply's): no answer. A dashed
# name of several words starts with a capital or a digit ("- see notes.txt" is a bullet).
_FILE_EXT = (
    r"\.(?:docx?|xlsx?|pptx?|pdf|txt|rtf|csv|vcf|zip|msg|eml|wpd|html?|xml|jpe?g|gif|png|"
    r"tiff?|bmp|mpp|vsd|ics)"
)
_FILE_LISTING = re.compile(
    rf"^\s*(?:-\s+(?:[^\s<>()]{{1,80}}|(?-i:[A-Z0-9])[^<>()\n]{{0,80}}?){_FILE_EXT}"
    rf"|<<[^<>\n]{{1,120}}?{_FILE_EXT}>>"
    rf"|\(See attached file:[^()\n]{{1,120}}?{_FILE_EXT}\))\s*$",
    re.IGNORECASE,
)


def _listing_to_end(lines: list[str], index: int, stop: int, first_quote: int) -> bool:
    """From ``index`` to ``stop`` only file listing lines and blank lines, and no answer: a
    list of names right below a quoted question ("> Which files did you change?") in a reply
    written between the quoted lines (nothing but a greeting above the first quote) is the
    customer's answer; below a reply written above the quote, the client's listing."""
    if not all(
        not line.strip() or (len(line) <= MAX_LINE_LEN and _FILE_LISTING.match(line))
        for line in _from(lines, index, stop)
    ):
        return False
    above = index - 1
    while above >= 0 and not _QUOTE_LINE.match(lines[above]):
        above -= 1
    if above < 0 or not _QUESTION_END.search(_QUOTE_MARKS.sub("", lines[above]).rstrip()):
        return True
    return any(line.strip() and not _GREETING.match(line) for line in islice(lines, first_quote))


def _has_inline_answers(lines: list[str], start: int, stop: int) -> bool:
    """Text written between quoted lines (an inline or bottom-posted answer).

    An answer is a block of unquoted lines after a quote, separated from it by a blank line
    or following a short quoted line (a line glued to a long quote is the quote's own wrapped
    text); the signature after ``-- `` and attribution lines of deeper quotes do not count."""
    seen_quote = False
    previous_blank = False
    padded = None  # lines[:stop] and a quote mark, made once (a copy per line was quadratic)
    for index in range(start, stop):
        line = lines[index]
        if _SIG_DELIMITER.match(line):
            return False
        if _QUOTE_LINE.match(line):
            seen_quote, previous_blank = True, False
            continue
        if not _WORDY.search(line):  # blank, or a rule / decoration: never an answer
            previous_blank = previous_blank or not line.strip()
            continue
        after_quote = bool(index) and bool(_QUOTE_LINE.match(lines[index - 1]))
        answer = previous_blank or (after_quote and not _continues_quote(lines, index))
        if seen_quote and answer and _listing_to_end(lines, index, stop, start):
            return False
        if seen_quote and answer:
            if padded is None:
                padded = [*lines[:stop], ">"]
            if not _attribution_at(padded, index):
                return True
        previous_blank = False
    return False


def _bottom_posted(lines: list[str], first_quote: int, stop: int) -> int:
    """Start of a bottom-posted answer, or -1.

    Bottom posting: nothing but an attribution before one quoted block, then the answer with
    no further quote. The quote is old content then, not context for inline answers."""
    before = [line for line in lines[:first_quote] if line.strip()]
    if len(before) > HEADER_SPAN or (
        before and not _attribution_at([*before, ">"], 0) == len(before)
    ):
        return -1
    if len(before) > 1 and not _wrap_tail(before[-1]) and not _dated_head(before[0]):
        # a whole attribution ("Bob Smith <bob@x> wrote:") below a line of the customer's
        # that reads as its head with it: that line is an answer above the quote
        if _attribution_at([before[-1], ">"], 0) == 1:
            return -1
    index = first_quote
    while index < stop and (
        _QUOTE_LINE.match(lines[index]) or not lines[index].strip() or _quoted_footer(lines, index)
    ):
        index += 1
    if index >= stop or any(_QUOTE_LINE.match(line) for line in lines[index:stop]):
        return -1
    return index


def _quoted_footer(lines: list[str], index: int) -> bool:
    """A device's footer glued below a quoted line ("> …" / "Sent from my iPhone"): the
    quoted message's, which the replying client left unquoted."""
    return (
        index > 0
        and _QUOTE_LINE.match(lines[index - 1]) is not None
        and len(lines[index]) <= MAX_LINE_LEN
        and _is_device_footer(lines[index])
    )


_BLANKS_BELOW_ATTRIBUTION = 2


def _unglued(lines: list[str], first_quote: int, stop: int) -> tuple[list[str], int]:
    """``lines`` and its first quote, read with the end of an attribution Gmail wrapped onto
    the quote ("… Bob <bob@x" / "> wrote:", ">:") joined to the line above it, and that line
    blank; the lines as they are when the first quote is none."""
    end = lines[first_quote].strip()
    if not first_quote or not lines[first_quote - 1].strip():
        return lines, first_quote
    if not _glued_end(end, lines[first_quote - 1]):
        return lines, first_quote
    quote = next((i for i in range(first_quote + 1, stop) if _QUOTE_LINE.match(lines[i])), -1)
    joined = lines[first_quote - 1].rstrip() + end
    return [*lines[: first_quote - 1], joined, "", *lines[first_quote + 1 :]], quote


def _wrap_tail(line: str) -> bool:
    """``line`` starts as the rest of an attribution a client wrapped, not as a whole one:
    a word in lower case ("wrote:", "a écrit :") or a piece of an address ("bob@x> wrote:",
    "support.example>:")."""
    words = line.split()
    if not words:
        return False
    first = words[0]
    return "@" in first or ">" in first or first[:1] != first[:1].upper()


def _dated_head(line: str) -> bool:
    """``line`` opens an attribution with its date ("On Mon, Aug 26, 2019 at 4:37 PM")."""
    return bool(_ON_START.match(line)) and _DATEISH.search(line) is not None


def _drop_attribution_above(kept: list[str], lines: list[str], first_quote: int) -> list[str]:
    """Inline answers: the client's attribution right above the first quote is not the
    customer's (the quotes between the answers stay, as context). Apple Mail and mobile
    clients set it off from the quote by a blank line."""
    end = first_quote
    while end > 0 and first_quote - end < _BLANKS_BELOW_ATTRIBUTION and not lines[end - 1].strip():
        end -= 1
    found = 0
    for span in range(1, HEADER_SPAN + 1):
        start = end - span
        if start < 0 or len(lines[start]) > MAX_LINE_LEN:
            break
        if _attribution_at(lines, start) == span:
            # the longest one: a wrapped attribution's second line ("bob@x> wrote:",
            # "wrote:") reads as one by itself, its first line would be left behind; but
            # not over a whole one ("Bob Smith <bob@x> wrote:") but for a dated head above
            # it ("On Mon, Aug 26, 2019 at 4:37 PM"): else the line is the customer's
            if found and not _wrap_tail(lines[end - found]) and not _dated_head(lines[start]):
                break
            found = span
    start = end - found
    spread = _spread_attribution(lines[:end]) if end else -1
    if 0 <= spread < start:
        start, found = spread, end - spread  # its pieces set apart by blank lines (a link)
    if not found:
        return kept
    if not _names_sender(lines[start:end]):
        return kept  # "As discussed, your colleague wrote:": the customer's
    return kept[:start] + kept[first_quote:]


def _strip_quoted_tail(lines: list[str]) -> list[str]:
    """Inline mode: keep answers and the quotes between them, drop the trailing quote."""
    lines = list(lines)
    while lines and (not lines[-1].strip() or _QUOTE_LINE.match(lines[-1])):
        lines.pop()
    return lines


def strip_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split ``lines`` into (body, signature) where a signature is reliably detected."""
    try:
        return _strip_signature(lines)
    except Exception:  # never raise from cleanup
        _logger.warning("signature detection failed", exc_info=True)
        return lines, []


def _gateway_footer(lines: list[str], index: int) -> bool:
    """The lines below the "-- " at ``index`` are a list or forum gateway's footer."""
    first = next((line for line in _from(lines, index + 1) if line.strip()), "")
    return bool(_GATEWAY_FOOTER.match(first))


def _strip_signature(lines: list[str], below_footer: bool = False) -> tuple[list[str], list[str]]:
    # "-- " delimiter: everything after it, if the rest is short (a signature, not a thread).
    for index in range(len(lines) - 1, max(len(lines) - 16, 0), -1):
        # Above a gateway's footer only the standard "-- " (RFC 3676) opens a signature:
        # a bare "--" there may be the author's own rule.
        if lines[index] == "-- " if below_footer else _SIG_DELIMITER.match(lines[index]):
            if not below_footer and _gateway_footer(lines, index):
                # Not the author's: keep it, and look for the author's signature above.
                body, signature = _strip_signature(lines[:index], below_footer=True)
                return body + lines[index:], signature
            return lines[:index], lines[index:]
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return lines, []
    last = content[-1]
    # Mobile signatures on the last line.
    if len(content) > 1 and _is_device_footer(lines[last]):
        return lines[:last], lines[last:]
    if _sign_off(lines, content):
        return lines[:last], lines[last:]
    framed = _framed_signature(lines, content)
    if framed >= 0:
        return lines[:framed], lines[framed:]
    contact = _spread_signature(lines, content)
    if contact >= 0 and _people_listed(lines, contact):
        contact = -1
    if contact < 0:
        contact = _contact_block(lines, content)
        if contact >= 0 and _people_listed(lines, contact):
            contact = -1
    if contact >= 0:
        # A closing the rules cut, in a paragraph of its own above the block, goes with it.
        above = [i for i in content if i < contact]
        closing = _valediction_start(lines[:contact], above) if len(above) > 1 else -1
        start = closing if closing >= 0 else contact
        return lines[:start], lines[start:]
    closing = _valediction_start(lines, content)
    if closing >= 0:
        return lines[:closing], lines[closing:]
    return lines, []


def _valediction_start(lines: list[str], content: list[int]) -> int:
    """The line of a closing ("Regards,") followed by at most 4 short lines (name, title,
    company) at the very end, or -1. ``content``: the indexes of the non-blank lines.
    A closing word below a line ending with a colon is what that line introduces (the
    addressee "Ciao" / "Bella GmbH" below "send the invoice to:"), not a closing; one right
    below the greeting closes nothing written when text that is no name follows it: that
    text is the message ("Hi" / "Bye" / "printer jams"). Greeting, closing and name alone
    are the body of a mail carrying an attachment: the closing opens the signature."""
    for position in range(len(content) - 1, max(len(content) - 5, 1) - 1, -1):
        index = content[position]
        if (
            _VALEDICTION.match(lines[index])
            and not _ENDS_COLON.search(lines[content[position - 1]])
            and not (
                all(_GREETING.match(lines[at]) for at in content[:position])
                and position + 1 < len(content)
                and not _signed_name(lines[content[position + 1]])
            )
        ):
            tail = [line for line in lines[index + 1 :] if line.strip()]
            if (
                len(tail) <= 4
                and all(len(line.strip()) < 60 for line in tail)
                and not any(_is_content_after_closing(line) for line in tail)
            ):
                return index
    return -1


# A name as signed below a closing: one to four words, the first and the last capitalised,
# particles between them in lower case ("Tom", "Karl Heinz Müller", "María de la Cruz").
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’.-])*"
_SIGNED_NAME = re.compile(rf"^\s*{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}\s*$")


def _signed_name(line: str) -> bool:
    if not _SIGNED_NAME.match(line):
        return False
    words = line.split()
    return words[0][:1].isupper() and words[-1][:1].isupper()


# A postscript ("P.S.", "PS:", "P.P.S."), in every language the writer's own words: below a
# closing and a name it ends the mail, no signature holds one.
_POSTSCRIPT = re.compile(r"^\s*(?:p\.\s?){1,2}s\.|^\s*p{1,2}s\s*[:.]", re.IGNORECASE)


# A reference to what the mail is about: an order, a ticket, a case, an invoice and its
# number ("Order #4455", "Ticket: 55120", "Bestellnummer: 778812", "Commande n° 88412"):
# the customer's words below the name; a signature's numbers are a phone, a fax, a street,
# a company's registration, never an order's.
_REFERENCE_LINE = re.compile(
    r"^\s*(?:order|ticket|case|invoice|po|rma|booking|reservation|tracking|serial|s/n|"
    r"contract|customer|licen[cs]e|kundennummer|vertrag|seriennummer|"
    r"bestellung|bestellnummer|auftrag|auftragsnummer|rechnung|rechnungsnummer|"
    r"commande|facture|dossier|pedido|factura|ordine|fattura|bestelling|factuur)"
    r"(?:\s*(?:#|no\.?|nr\.?|n[°º.]|number|nummer|numéro|número|numero))?\s*[:#]?\s*"
    r"[A-Z]{0,4}[-/]?\d[\w/-]*(?:\s.*)?$"
    # ... or where the customer wants the goods ("Ship to", "Delivery address:")
    r"|^\s*(?:please\s+)?(?:deliver|ship|send)\s+(?:it\s+|them\s+)?to\b|"
    r"^\s*(?:delivery|shipping)\s+address|^\s*liefer(?:adresse|anschrift)|"
    r"^\s*adresse\s+de\s+livraison|^\s*direcci[oó]n\s+de\s+entrega|"
    r"^\s*indirizzo\s+di\s+consegna|^\s*afleveradres",
    re.IGNORECASE,
)


def _is_content_after_closing(line: str) -> bool:
    """A line below a closing the writer wrote, not a signature's: a sentence, a postscript,
    a question (no name, title or company line asks one), a line introducing what follows
    ("Attachments:"), a clause or the writer speaking of themself (as in a contact block),
    a reference (an order's number), a pasted prompt's line."""
    return (
        _is_sentence(line)
        or _contact_prose(line.strip())
        or _POSTSCRIPT.match(line) is not None
        or _REFERENCE_LINE.match(line) is not None
        or _SUPERCITE.match(line) is not None  # a prompt's or a label's line ("PS> dir")
        or line.rstrip()[-1:] in ("?", "？", ":", "：")
    )


def _is_sentence(line: str) -> bool:
    """A sentence of three words or more ending with a lowercase word and its stop ("Merci
    de vérifier.", "PS: a caixa estava aberta."): the content a closing word only opened
    or that follows the name, never a signature's name, title or company line."""
    words = line.split()
    if len(words) < 3 or words[-1][-1:] not in ".!?" or _CONTACT_CUE.search(line):
        return False
    last = words[-1][:-1]
    return len(last) >= 3 and last.isalpha() and last.islower()


# A rule of box-drawing or ASCII characters ("━━━━", "────", "＝＝＝＝", "====="), as
# Japanese and Chinese business mail frame the sender's signature with.
_FRAME_LINE = re.compile(r"^\s*([-=_*~#━─═＝－■◆◇☆★・])\1{5,}\s*$")
_FRAMED_MAX = 8
_CJK_CONTACT = re.compile(r"電話|电话|携帯|手机|手機|邮箱|郵箱|メール|住所|地址")


def _framed_signature(lines: list[str], content: list[int]) -> int:
    """Start of a signature framed by two rules at the end (the same character), holding a
    contact cue (an address, a web site, a phone's label: a number alone may be a date of
    a framed log), with text above it; or -1."""
    last = content[-1]
    bottom = _FRAME_LINE.match(lines[last])
    if not bottom or len(content) < 4:
        return -1
    for position in range(len(content) - 2, max(len(content) - 2 - _FRAMED_MAX, 0), -1):
        top = content[position]
        match = _FRAME_LINE.match(lines[top])
        if match:
            if match.group(1) != bottom.group(1) or position == 0:
                return -1
            inside = lines[top + 1 : last]
            cue = any(_CONTACT_CUE.search(line) or _CJK_CONTACT.search(line) for line in inside)
            return top if cue else -1
    return -1


# A file name's extension ends the signed words: one of the files Lotus Notes lists
# (_FILE_EXT: "Capacity Forum.doc", "Rechnung.pdf", "SCAN.PDF"); an initial's dot does not,
# nor a short surname glued to it ("J.R. Ewing", "- J.Lee", "-T.Ng"), nor a business's
# domain ("- Acme.com", "- Shop.de").
_FILE_NAME_END = re.compile(rf"\w{_FILE_EXT}$", re.IGNORECASE)


def _sign_off(lines: list[str], content: list[int]) -> bool:
    """The last line signs the mail with a dash and a capitalised name, in its own paragraph,
    and is not the last item of a dash list."""
    last = content[-1]
    match = _SIGN_OFF.match(lines[last])
    if not match or len(content) < 2 or lines[last - 1].strip():
        return False
    if not all(word[0].isupper() for word in match.group(1).split()):
        return False
    if _FILE_NAME_END.search(match.group(1)):
        return False  # a file listed (Lotus Notes' " - Capacity Forum.doc"), no name
    previous = lines[content[-2]].lstrip()
    return not previous.startswith(("-", "–", "—", "*", "•", "/", "~"))


def split_reply(text: str, settings) -> Split:
    """Split a plain-text body into new part / signature; never raises."""
    try:
        return _split_reply(text, settings)
    except Exception:
        _logger.warning("new-part extraction failed; using the whole body", exc_info=True)
        stripped = (text or "").strip()
        return Split(stripped, "", stripped, -1)


# Invisible characters mail tools insert (Gmail add-ons' U+1427 marker): never text.
_INVISIBLE = re.compile("[\u1427\u200b\ufeff]")


# reply7: a list server's subscription footer below the whole message (ezmlm's and the
# ASF lists' "-----" rule and "To unsubscribe, e-mail: …", LISTSERV's "####", groups.io's
# "-=-=-", Yahoo Groups' links, Google Groups' "You received this message because you are
# subscribed…" with or without "-- "): not the writer's text. Left in, its rule stayed at
# the end of the new part, and below a quote it read as an answer written under it, which
# kept the whole quote. A rule (or that Google Groups line) opens it; below it, within
# _LIST_FOOTER_LINES, a line tells how to unsubscribe or names the list's page, with an
# address or a link on it or on the next line; no line quotes, none speaks in the first
# person (the customer's "Please unsubscribe me: …").
_LIST_RULE = re.compile(
    r"^\s*(?:-{5,}|_{5,}|#{5,}|={5,}|\*{5,}|~{5,}|(?:-=){3,}-?|--|-{5,}~->)\s*$"  # Yahoo's "~->"
)
_SUBSCRIBED = re.compile(
    r"^\s*you\s+received\s+this\s+message\s+because\s+you\s+are\s+subscribed", re.IGNORECASE
)
_LIST_CUE = re.compile(
    r"unsubscribe|d[ée]sabonn|d[ée]sinscri|abmelden|austragen|abbestellen|darse\s+de\s+baja|"
    r"cancelar\s+(?:la\s+)?suscripci|disiscriv|cancellarsi|afmelden|uitschrijven|"
    r"avregistrer|avsluta\s+prenumeration|wypisa|отписаться|"
    r"groups\.io\s+links|groups\s+links|/listinfo/|/mailman/",
    re.IGNORECASE,
)
_LINK_OR_ADDRESS = re.compile(r"https?://|\bwww\.|mailto:|[\w.+=-]{1,64}@[\w-]+\.[\w.-]+")
_LINK_TOKEN = re.compile(r"(?:https?://|www\.|mailto:)\S+|\S{1,64}@\S+")
_LIST_FOOTER_LINES = 16
_YAHOO_FOOTER_LINES = 28  # Yahoo Groups' "<*>" links block is 24 lines long
# reply8: Yahoo Groups' sponsor block above its footer: an advertisement and its link between
# "---- Yahoo! Groups Sponsor ----~-->" and "----~->"; the list's, as the footer below it.
_SPONSOR_OPEN = re.compile(r"^\s*-{3,}\s*yahoo!?\s+groups\s+sponsor\s*-{3,}~-->\s*$", re.I)
_SPONSOR_CLOSE = re.compile(r"^\s*-{5,}~->\s*$")
_SPONSOR_LINES = 8
_YAHOO_ITEM = re.compile(r"^\s*<\*>")
# Yahoo Groups' later footer, plain or HTML, between its two markers ("Posted by: …",
# "Reply via web post • …", "Visit Your Group", "• Privacy • Unsubscribe • Terms of Use").
# What every line a footer starts with holds (_LIST_RULE, _SUBSCRIBED, _YAHOO_CLOSE).
_FOOTER_MARKS = ("--", "__", "##", "==", "**", "~~", "-=", "ceived", "CEIVED")


def _may_hold_footer(text: str) -> bool:
    return any(mark in text for mark in _FOOTER_MARKS)


_YAHOO_OPEN = re.compile(r"^\s*__\._,_\.___\s*$")
_YAHOO_CLOSE = re.compile(r"^\s*__,_\._,___\s*$")


def _split_list_footer(text: str) -> tuple[str, str]:
    """``text`` without a list server's subscription footer at its very end, and that
    footer ("" when there is none)."""
    pieces = text.rsplit("\n", _YAHOO_FOOTER_LINES + 2)
    yahoo = any("<*>" in piece for piece in islice(pieces, 1, None))
    window = _YAHOO_FOOTER_LINES if yahoo else _LIST_FOOTER_LINES
    # (a text of fewer lines is read whole: a footer may start on its first line)
    first = len(pieces) - window - 2 if len(pieces) > window + 2 else 0
    tail = pieces[first:]
    end = len(tail) - 1
    while end >= 0 and not tail[end].strip():
        end -= 1
    if not _may_hold_footer("\n".join(tail[: end + 1])):
        return text, ""  # nothing a footer starts with (most mail: read once, at C speed)
    marked = _yahoo_marked(tail, end)
    for start in range(end, -1, -1):
        line = tail[start]
        if len(line) > MAX_LINE_LEN:
            break
        if start == marked:
            block = None  # the markers hold the list's words (_yahoo_marked)
        elif _LIST_RULE.match(line):
            block = tail[start + 1 : end + 1]
        elif _SUBSCRIBED.match(line):
            block = tail[start : end + 1]
        else:
            continue
        if block is not None and not _list_footer(block):
            continue
        while start > 0 and _LIST_RULE.match(tail[start - 1]):
            start -= 1  # the rule above Google Groups' line ("-- ") goes with it
        start = _sponsor_above(tail, start)
        above = "\n".join(pieces[: first + start])
        if not above.strip():
            break  # nothing but the footer: the message as it is
        if above.rstrip()[-1:] in (":", "："):
            break  # the customer shows it ("every mail from you ends with:"): theirs
        return above.rstrip() + "\n", "\n".join(tail[start : end + 1]).strip()
    return text, ""


def _yahoo_marked(tail: list[str], end: int) -> int:
    """The line of Yahoo's opening marker when its closing marker ends the text and a line
    between them holds the list's words ("Unsubscribe", "Visit Your Group"), or -1."""
    if end < 1 or not _YAHOO_CLOSE.match(tail[end]):
        return -1
    cue = False
    for start in range(end - 1, -1, -1):
        line = tail[start]
        if len(line) > MAX_LINE_LEN or _QUOTE_LINE.match(line):
            return -1
        if _YAHOO_OPEN.match(line):
            return start if cue else -1
        if _speaks_of_self(line):
            return -1  # the customer's words between the markers (as _list_footer)
        cue = cue or bool(_LIST_CUE.search(line) or _YAHOO_GROUP.search(line))
    return -1


_YAHOO_GROUP = re.compile(r"\bvisit\s+your\s+group\b|\breply\s+via\s+web\s+post\b", re.I)


def _sponsor_above(tail: list[str], start: int) -> int:
    """The line of Yahoo's sponsor rule opening the block closed by the rule at ``start``,
    or ``start``."""
    if not _SPONSOR_CLOSE.match(tail[start]):
        return start
    for above in range(start - 1, max(start - _SPONSOR_LINES, 0) - 1, -1):
        if len(tail[above]) > MAX_LINE_LEN:
            break
        if _SPONSOR_OPEN.match(tail[above]):
            return above
    return start


# What a list server writes in its footer, line by line: a rule, a link or an address, the
# list's words about subscribing, a line introducing the next (": "), the list's name
# ("users mailing list"), Yahoo Groups' "<*>" items. A customer's result, error or question
# in the block ("Result: error 500.", "Es kommt Fehler 500.") is none of these: the block is
# then the customer's report about a list, never cut (attackr7).
_LIST_NAME = re.compile(
    r"\bmailing[\s-]?list|\bliste\s+de\s+diffusion|\bmailingliste|\blista\s+de\s+correo|"
    r"^\s*<\*>",
    re.IGNORECASE,
)


_LINK_END_PUNCT = ".,;:)]>"


def _ends_with_link(line: str) -> bool:
    """The line's last word is a link or an address ("… e-mail: users-unsubscribe@x.org",
    "Unsubscribe: https://… [ann@x]"): where a list's line sends the reader. A customer's
    sentence goes on after it ("https://…/u returns 404.")."""
    words = line.rsplit(None, 1) if len(line) <= MAX_LINE_LEN else []
    last = words[-1].rstrip(_LINK_END_PUNCT) if words else ""
    return bool(last) and _LINK_OR_ADDRESS.search(last) is not None


# A rule of any of the rule characters (Google Groups' old "-~----~--~---" closing one).
_FOOTER_RULE = re.compile(r"^\s*[-~=_#*]{5,}\s*$")
# After its address, a list's line may go on telling what to send ("… to sympa@x with
# subject: unsubscribe print"); a customer's goes on to what happened ("returns 404.").
_SEND_WHAT = re.compile(
    r"\W*(?:with\s+|in\s+)?(?:the\s+)?(?:subject|body|betreff|objet|asunto)\b", re.IGNORECASE
)


def _link_then_what_to_send(line: str) -> bool:
    if len(line) > MAX_LINE_LEN:
        return False
    ends = [match.end() for match in _LINK_TOKEN.finditer(line)]
    return bool(ends) and _SEND_WHAT.match(line, ends[-1]) is not None


def _footer_line(line: str) -> bool:
    return (
        not line.strip()
        or _LIST_RULE.match(line) is not None
        or _FOOTER_RULE.match(line) is not None
        or _ends_with_link(line)
        or _LIST_CUE.search(line) is not None
        or _SUBSCRIBED.match(line) is not None
        or _LIST_NAME.search(line) is not None
        or line.rstrip()[-1:] in (":", "：")
    )


def _list_footer(block: list[str]) -> bool:
    if any(_QUOTE_LINE.match(line) or _speaks_of_self(line) for line in block):
        return False
    if _report_ends(block):
        return False
    item = False  # below a Yahoo "<*>" item: its indented values ("    Individual Email")
    for line in block:
        item = bool(_YAHOO_ITEM.match(line) or (item and line[:1] in " \t" and line.strip()))
        if not (_footer_line(line) or item):
            return False
    for index, line in enumerate(block):
        # The list's words, outside the links (a customer's ".../unsubscribe?id=42" is what
        # they report); Mailman names its page only in its link.
        if _LIST_CUE.search(_LINK_TOKEN.sub(" ", line)) or "/listinfo/" in line:
            # ... with its link or address at the line's end, or on the next line below a
            # colon ("click the following link:")
            below = block[index + 1] if index + 1 < len(block) else ""
            if (
                _ends_with_link(line)
                or _link_then_what_to_send(line)
                or (line.rstrip()[-1:] in (":", "：") and _ends_with_link(below))
            ):
                return True
    return False


# attackr8: a list's footer ends on its link or address, its rule, a line introducing
# them, its name; a sentence ending the block with the list's word and no link at its end
# is the customer's report about the list ("The unsubscribe link above is broken.").
_SENTENCE_STOP = re.compile(r"[^\W\d_]{2,}[.!?]\s*$")


def _report_ends(block: list[str]) -> bool:
    last = next((line for line in reversed(block) if line.strip()), "")
    if not _SENTENCE_STOP.search(last) or _ends_with_link(last) or _SUBSCRIBED.match(last):
        return False
    return _LIST_NAME.search(last) is None and _LINK_OR_ADDRESS.search(last) is None


_LEADING_LINES = 12


def _drop_leading_attribution(text: str) -> str:
    """An attribution line with no quote below it, above the answer (the client that quoted
    was not the one that sent, or the quote was removed): it is not new text."""
    lines = text.split("\n", _LEADING_LINES)  # the last piece holds the rest of the text
    first = next((i for i, line in enumerate(lines[:-1]) if line.strip()), -1)
    if first < 0 or len(lines[first]) > MAX_LINE_LEN:
        return text
    span = _attribution_at(lines, first)
    rest = lines[first + span :]
    if not span or _quote_follows(rest) or not any(line.strip() for line in rest):
        return text
    if not _names_sender(lines[first : first + span]):
        return text
    return "\n".join(rest)


def _split_reply(text: str, settings) -> Split:
    footer = ""
    if settings.builtin_quote_detection:
        text, footer = _split_list_footer((text or "").replace("\r\n", "\n").replace("\r", "\n"))
    split = _split_originals(text, settings)
    if not footer or not _ends_alike(split.unquoted, text):
        return split  # (a footer below the quoted history goes with it)
    # The list's footer right below the writer's text is cut as a signature is.
    return Split(
        split.new_part,
        f"{split.signature}\n\n{footer}".strip(),
        f"{split.unquoted}\n\n{footer}".strip(),
        split.quote_offset,
        split.fallback,
    )


def _ends_alike(part: str, text: str) -> bool:
    """``part`` ends with the last line of ``text`` (the writer's text, not a quote, ends it)."""
    last = text.rstrip().rsplit("\n", 1)[-1].strip()
    return bool(last) and part.rstrip().endswith(last)


def _split_originals(text: str, settings) -> Split:
    originals: dict = {}
    split = _split_marked(text, settings, originals)
    if not originals:
        return split

    # A Supercite prefix is read as ">" to find the quote; a prefixed line the new part
    # keeps (an inline quote, a paste) shows as the customer wrote it, word before ">" too.
    def restore(part: str) -> str:
        return "\n".join(originals.get(line) or line for line in part.split("\n"))

    return Split(
        restore(split.new_part),
        restore(split.signature),
        restore(split.unquoted),
        split.quote_offset,
        split.fallback,
    )


def _split_marked(text: str, settings, originals: dict) -> Split:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if settings.max_body_chars and len(text) > settings.max_body_chars:
        text = text[: settings.max_body_chars]
    text = _INVISIBLE.sub("", text)
    if settings.builtin_quote_detection:
        text = _drop_leading_attribution(_supercite_to_marks(text, originals))
    work = text.replace("\xa0", " ")  # iTop replaces NBSP by a space before matching
    lines = work.split("\n")
    starts = _line_starts(lines)
    delimiters = _compile_all(settings.multiline_delimiter_patterns, "delimiter")
    intro = _compile_all(settings.introductory_patterns, "introductory")

    cut = _itop_cut(work, delimiters)
    cut_line = len(lines)
    if cut >= 0:
        # iTop's patterns start with \R: the match begins on the newline before the header.
        cut_line = _line_of(starts, cut + (1 if work[cut : cut + 1] in "\r\n" else 0))
    if settings.builtin_quote_detection and settings.line_model == "full":
        split = _model_split(text, lines, cut_line, starts, intro, settings)
        if split is not None:
            return split
    if settings.builtin_quote_detection:
        builtin = _builtin_cut(lines)
        if 0 <= builtin < cut_line:
            cut_line = builtin
    first_quote = next(
        (i for i, line in enumerate(lines[:cut_line]) if _QUOTE_LINE.match(line)), -1
    )
    orig_lines = text.split("\n")
    glued = ""  # the end of an attribution wrapped onto the quote the kept lines stop at
    if first_quote >= 0:
        # (read with an attribution's end glued onto the quote joined to the line above)
        seen, quote = _unglued(lines, first_quote, cut_line)
        if quote < 0:
            # no quote below the glued end: the line is read as it stands (a quote the
            # customer's text may answer), never as a cut above the text below it
            seen, quote = lines, first_quote
        bottom = _bottom_posted(seen, quote, cut_line)
        if bottom >= 0:
            kept = orig_lines[bottom:cut_line]
        elif _has_inline_answers(seen, quote, cut_line):
            kept = _strip_quoted_tail(orig_lines[:cut_line])
            kept = _drop_attribution_above(kept, seen, quote)
            # A signature below the trailing quote: the quote above it is old content too.
            body, signature = strip_signature(kept)
            if signature:
                # ... and so is the attribution above that quote.
                body = _drop_trailing_intro(_strip_quoted_tail(body), intro)
                kept = [*body, "", *signature]
        else:
            kept = orig_lines[:first_quote]
            cut_line = first_quote
            glued = lines[first_quote].strip()
    else:
        kept = orig_lines[:cut_line]
    above = lines[cut_line - 1] if glued and cut_line else ""
    kept = _drop_trailing_intro(kept, intro, glued if _glued_end(glued, above) else "")
    quote_offset = starts[cut_line] if cut_line < len(lines) else -1
    body, signature = (kept, []) if not settings.strip_signatures else strip_signature(kept)
    return _result(text, body, signature, kept, quote_offset)


def _result(text: str, body: list, signature: list, kept: list, quote_offset: int) -> Split:
    new_part = "\n".join(body).strip()
    unquoted = "\n".join(kept).strip()
    if not new_part:
        if unquoted:
            return Split(unquoted, "", unquoted, quote_offset)
        whole = text.strip()
        return Split(whole, "", whole, -1, fallback=True)
    return Split(new_part, "\n".join(signature).strip(), unquoted, quote_offset)


def rules_cut_line(lines: list[str], itop_line: int) -> int:
    """Where the rules start old content: the built-in detectors' cut or the iTop patterns'
    (``itop_line``), whichever is higher (``len(lines)``: none); -1 when a quote above it
    holds inline answers or a bottom-posted answer (the rules decide those)."""
    builtin = _builtin_cut(lines)
    line = builtin if 0 <= builtin < itop_line else itop_line
    first_quote = next((i for i, text in enumerate(lines[:line]) if _QUOTE_LINE.match(text)), -1)
    if first_quote >= 0 and (
        _bottom_posted(lines, first_quote, line) >= 0
        or _has_inline_answers(lines, first_quote, line)
    ):
        return -1
    return line


def itop_cut_line(text: str, settings) -> int:
    """The line where the admin's delimiter patterns cut ``text`` (``len(lines)``: none)."""
    delimiters = _compile_all(settings.multiline_delimiter_patterns, "delimiter")
    work = text.replace("\xa0", " ")
    lines = work.split("\n")
    cut = _itop_cut(work, delimiters)
    if cut < 0:
        return len(lines)
    return _line_of(_line_starts(lines), cut + (1 if work[cut : cut + 1] in "\r\n" else 0))


def _model_split(text, lines, itop_line, starts, intro, settings) -> Split | None:
    """The line classifier's split (``Settings.line_model``), or None: the rules decide.

    Old content starts at the classifier's first ``old`` line, or higher where the built-in
    detectors or the admin's iTop patterns cut (both stay an override on top); the signature
    starts at its first ``sig`` line, or at a mobile "Sent from my …" footer on the last
    line, which the core always cuts. The rules decide when there is no model, when a quote
    holds inline answers or a bottom-posted answer, or when nothing new is above the cut (a
    bare forward)."""
    from . import lineclass

    model = lineclass.load_model()
    if model is None:
        return None
    rules_line = rules_cut_line(lines, itop_line)
    if rules_line < 0:
        return None
    labels = model.label_lines(lines[: lineclass.window_end(lines, rules_line)])
    labels.extend("old" for _ in range(len(lines) - len(labels)))
    cut_line = min(rules_line, labels.index("old") if "old" in labels else len(lines))
    cut_line = next((i for i in range(cut_line) if _QUOTE_LINE.match(lines[i])), cut_line)
    if not any(line.strip() for line in lines[:cut_line]):
        return None
    kept = _drop_trailing_intro(text.split("\n")[:cut_line], intro)
    quote_offset = starts[cut_line] if cut_line < len(lines) else -1
    sig_at = labels.index("sig") if "sig" in labels[: len(kept)] else len(kept)
    last = max((i for i, line in enumerate(kept) if line.strip()), default=-1)
    if 0 < last < sig_at and _is_device_footer(kept[last]):
        sig_at = last
    above = sig_at - 1
    while above > 0 and not kept[above].strip():
        above -= 1
    if 0 < above < sig_at < len(kept) and _SIG_DELIMITER.match(kept[above]):
        sig_at = above  # the "-- " line opens the signature the classifier found below it
    if not settings.strip_signatures:
        sig_at = len(kept)
    return _result(text, kept[:sig_at], kept[sig_at:], kept, quote_offset)


def trailing_attributed_quote(lines: list[str]) -> int:
    """Start of an attribution followed by ``>`` quoted lines up to the end, or -1.

    For text read out of HTML, whose quote was typed as text (a ``<pre>`` holding the answer
    and the quoted history, a client sending its plain-text layout as HTML): quoted lines
    alone may be the customer's (a pasted log), an attribution above them is a client's.
    A quote followed by more text (inline answers) is left alone; the author's signature
    below the quote (after a ``-- `` line) is no answer: it goes with the quote."""
    end = _above_bottom_signature(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (not lines[start - 1].strip() or _QUOTE_LINE.match(lines[start - 1])):
        start -= 1
    if start in (0, end):
        return -1
    for span in range(1, HEADER_SPAN + 1):
        first = start - span
        if first < 0 or len(lines[first]) > MAX_LINE_LEN:
            break
        if _attribution_at(lines, first) == span:
            return first
    return -1


_BOTTOM_SIGNATURE_MAX = 15  # lines below "-- ", as _strip_signature reads a signature


def _above_bottom_signature(lines: list[str]) -> int:
    """Where a signature opened by a ``-- `` line at the end starts (``len(lines)``: none),
    when no quoted line is below it."""
    for index in range(len(lines) - 1, max(len(lines) - 1 - _BOTTOM_SIGNATURE_MAX, -1), -1):
        if _QUOTE_LINE.match(lines[index]):
            break
        if _SIG_DELIMITER.match(lines[index]):
            return index
    return len(lines)


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def first_fragment(text: str) -> str:
    """The text before the first quoted line or attribution (reply-parser "first fragment")."""
    lines = (text or "").split("\n")
    out = []
    for index, line in enumerate(lines):
        if _QUOTE_LINE.match(line):
            break
        joined = " ".join(part.strip() for part in lines[index : index + HEADER_SPAN])
        if line.strip() and _is_attribution(line, lines[index + 1 : index + 1 + _QUOTE_LOOKAHEAD]):
            break
        if line.strip() and _ENDS_COLON.search(joined) and _is_attribution(joined, [">"]):
            if _quote_follows(lines[index + 1 : index + 1 + _QUOTE_LOOKAHEAD]):
                break
        out.append(line)
    return "\n".join(out).strip()
