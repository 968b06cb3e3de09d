"""The new part of an HTML reply: quote markup and old content removed, ``cid:`` kept.

1. Client markers that start the old message are cut with everything after them: Outlook's
   ``divRplyFwdMsg`` / ``appendonsend`` / border-top header ``div``, Windows Live's
   ``hr#stopSpelling``, Yahoo's ``yahoo_quoted``, Zimbra's ``hr#zwchr``, AOL, mobile clients.
2. Quote containers are removed in place, so inline answers between them stay: ``blockquote``
   (except Gmail's indent), ``div.gmail_quote``, ``div.moz-cite-prefix``, with the
   "On … wrote:" line just before a removed quote. Signatures: ``.moz-signature``,
   ``.gmail_signature``.
3. The remaining text runs through the plain-text detectors (iTop's patterns, multilingual
   headers, signatures); a hit is mapped back to the DOM and cut there.
An empty result falls back to the whole body.
"""

import logging
import re

from lxml import etree

from . import newpart
from .htmlbody import drop_from, drop_hidden, parse_html, plain_text_of, to_html

_logger = logging.getLogger(__name__)

BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd div dl dt fieldset figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead tfoot tr ul".split()
)
_CUT_XPATH = " | ".join(
    [
        "//*[@id='divRplyFwdMsg' or starts-with(@id, 'x_divRplyFwdMsg')]",
        "//*[@id='appendonsend' or @id='x_appendonsend']",
        "//hr[@id='stopSpelling' or @id='zwchr' or @id='x_stopSpelling']",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' yahoo_quoted ')]",
        "//*[contains(@id, 'yahoo_quoted')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' OutlookMessageHeader ')]",
        "//*[contains(@class, 'AOLMsgPart') or contains(@id, 'AOLMsgPart')]",
        "//*[@id='reply-intro' or @id='mail-app-auto-quote' or @name='quote']",
        "//div[contains(concat(' ', @class, ' '), ' quote ') and @id='android']",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' protonmail_quote ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' zmail_extra ')]",
    ]
)
_REMOVE_XPATH = " | ".join(
    [
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')"
        " and not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '),"
        " ' gmail_quote ')])]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote_container ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' moz-cite-prefix ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' moz-signature ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_signature ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_extra ')]",
    ]
)
# A literal each expression of _CUT_XPATH / _REMOVE_XPATH compares with: without one in the
# markup, the expression (a scan of every element in C, a second of a 2 MB body) is skipped
_CUT_TOKENS = (
    "divRplyFwdMsg", "appendonsend", "stopSpelling", "zwchr", "yahoo_quoted",
    "OutlookMessageHeader", "AOLMsgPart", "reply-intro", "mail-app-auto-quote", "quote",
    "zmail_extra",
)  # fmt: skip
_REMOVE_TOKENS = (
    "gmail_quote",
    "moz-cite-prefix",
    "moz-signature",
    "gmail_signature",
    "gmail_extra",
)
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid", re.IGNORECASE)
# The div and p elements whose style may hold _BORDER_TOP, found in C in document order
_BORDERED = (
    "//*[(self::div or self::p) and contains(translate(@style, 'BORDETP', 'bordetp'),"
    " 'border-top')]"
)
_GMAIL_INDENT = re.compile(r"border\s*:\s*none", re.IGNORECASE)
_HEADER_START = re.compile(r"^\s*(?:from|von|de|da|van|od|fra|från|от|发件人|差出人)\s*:", re.I)


def new_part_html(markup: str, settings) -> str:
    """The new part of an HTML reply (HTML string); never raises."""
    return new_part_html_ex(markup, settings)[0]


def new_part_html_ex(markup: str, settings, tree=None) -> tuple[str, bool]:
    """(new part, fallback): ``fallback`` is True when nothing new was found; ``tree``,
    when given, is ``parse_html(markup)``'s (changed here)."""
    try:
        result = _new_part_html(markup, settings, tree)
    except Exception:
        _logger.warning("HTML new-part extraction failed; using the whole body", exc_info=True)
        return markup, False
    return (result, False) if result is not None else (markup, True)


def _new_part_html(markup: str, settings, tree=None) -> str | None:
    tree = parse_html(markup) if tree is None else tree
    if tree is None:
        return None
    drop_hidden(tree)
    if any(mark in markup for mark in _MARKS):
        _drop_invisible_marks(tree)
    if settings.builtin_quote_detection:
        _cut_client_markers(tree, _may_hold(markup, _CUT_TOKENS))
        _remove_quotes(tree, _may_hold(markup, _REMOVE_TOKENS))
    _cut_by_text(tree, settings)
    _trim_trailing(tree)
    if not _has_content(tree):
        return None
    return to_html(tree).strip()


_MARKS = ("\u1427", "\u200b", "\ufeff", "&#")  # the characters, or written as references
_MARK_ONLY = re.compile("^\\s*[\u1427\u200b\ufeff]+\\s*$")


def _drop_invisible_marks(tree) -> None:
    """A text made only of invisible marks (Gmail add-ons' U+1427 "ᐧ" in its own element,
    zero-width spaces) is no text: emptied, as the plain-text reading drops them."""
    for element in tree.iter():
        if element.text and _MARK_ONLY.match(element.text):
            element.text = None
        if element.tail and _MARK_ONLY.match(element.tail):
            element.tail = None


def _has_content(tree) -> bool:
    if plain_text_of(tree).strip():
        return True
    return bool(tree.xpath("//img"))


def _trim_trailing(tree) -> None:
    """Drop rules, breaks and empty blocks left at the end of the body by the cuts."""
    body = tree.find(".//body")
    if body is None:
        return
    last = _last_in_order(body)
    for _ in range(200):
        if last is body or (last.tail or "").strip():
            return
        if last.tag in ("img", "table", "td", "tr", "iframe", "object", "video", "input"):
            return
        if last.tag not in ("hr", "br") and (plain_text_of(last).strip() or last.xpath(".//img")):
            return
        # the next last element: the one before it in order, found from it (walking the
        # whole body again for each was 200 walks of a long body ending in empty elements)
        parent, previous = last.getparent(), last.getprevious()
        _remove_keep_tail(last)
        last = _last_in_order(previous) if previous is not None else parent


def _last_in_order(element):
    """The last node of ``element``'s subtree in document order (itself when it is empty)."""
    while len(element):
        element = element[-1]
    return element


def _first_in_order(tree, elements):
    if len(elements) < 2:  # nothing to order: no map of the whole body
        return elements[0] if elements else None
    order = {el: index for index, el in enumerate(tree.iter())}
    return min(elements, key=lambda el: order.get(el, 1 << 30))


def _may_hold(markup: str, tokens: tuple) -> bool:
    """Whether an XPath's attribute values (compared as written, case and all) may match:
    one of its ``tokens`` is in the markup, or a character reference may spell one."""
    return "&#" in markup or any(token in markup for token in tokens)


def _cut_client_markers(tree, may_hold: bool = True) -> None:
    marks = list(tree.xpath(_CUT_XPATH)) if may_hold else []
    for div in tree.xpath(_BORDERED):
        style = div.get("style") or ""
        if _BORDER_TOP.search(style) and _HEADER_START.search(plain_text_of(div)[:200]):
            marks.append(div)
            break
    first = _first_in_order(tree, marks)
    if first is not None and first.getparent() is not None:
        drop_from(first)


def _remove_quotes(tree, may_hold: bool = True) -> None:
    targets = list(tree.xpath(_REMOVE_XPATH)) if may_hold else []
    # lxml hands out the same proxy for an element while a reference to it lives (here in
    # ``targets``): a set finds a quote or its ancestors among them in one step each,
    # where comparing with every target found so far was quadratic in sibling quotes
    removed = set(targets)
    for quote in tree.iter("blockquote"):
        style = quote.get("style") or ""
        if (
            quote.get("type") != "cite"
            and _GMAIL_INDENT.search(style)
            and "gmail" not in (quote.get("class") or "")
        ):
            continue  # Gmail's "indent" button, not a quote
        if quote in removed or any(above in removed for above in quote.iterancestors()):
            continue
        targets.append(quote)
        removed.add(quote)
    for element in targets:
        if element.getparent() is None:
            continue
        if element.tag == "blockquote":
            _remove_attribution_before(element)
        _remove_keep_tail(element)


def _remove_keep_tail(element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _remove_attribution_before(quote) -> None:
    """Remove the "On … wrote:" line right before a quote (tail text or previous block)."""
    previous = quote.getprevious()
    while previous is not None and previous.tag in ("br",) and not (previous.tail or "").strip():
        previous = previous.getprevious()
    if previous is None:
        parent = quote.getparent()
        text = parent.text or ""
        if _ends_with_attribution(text):
            parent.text = _strip_last_line(text)
        return
    tail = previous.tail or ""
    if tail.strip():
        if _ends_with_attribution(tail):
            previous.tail = _strip_last_line(tail)
        return
    if previous.tag in BLOCK_TAGS or previous.tag in ("span", "font"):
        _remove_last_line_of(previous)


def _remove_last_line_of(block) -> None:
    """If the last line of ``block`` (lines split by <br> and blocks) is an attribution,
    remove it; remove the whole block when that line is all it holds."""
    out = _Lines()
    _collect(block, out)
    lines = [line.replace("\xa0", " ").strip() for line in out.lines]
    while lines and not lines[-1]:
        lines.pop()
        out.anchors.pop()
    if not lines or len(lines[-1]) > 600:
        return
    for start in range(max(len(lines) - newpart.HEADER_SPAN, 0), len(lines)):
        if newpart._attribution_at([*lines, ">"], start) == len(lines) - start:
            anchor = out.anchors[start]
            if anchor is None:
                return
            if start == 0:
                _remove_keep_tail(block)
            else:
                _cut_at(anchor, limit=block)
            return


def _ends_with_attribution(text: str) -> bool:
    lines = [line for line in text.replace("\xa0", " ").split("\n") if line.strip()]
    if not lines:
        return False
    joined = " ".join(line.strip() for line in lines[-newpart.HEADER_SPAN :])
    last = lines[-1].strip()
    return newpart._is_attribution(last, [">"]) or newpart._is_attribution(joined, [">"])


def _strip_last_line(text: str) -> str:
    lines = text.rstrip().split("\n")
    return "\n".join(lines[:-1])


# --- text-level detection mapped back to the DOM -------------------------------------------


class _Lines:
    """The document as text lines, each remembering the node where it starts."""

    def __init__(self):
        self.lines: list[str] = [""]
        self.anchors: list = [None]

    def newline(self):
        if self.lines[-1].strip():
            self.lines.append("")
            self.anchors.append(None)
        else:
            self.lines[-1] = ""
            self.anchors[-1] = None

    def add(self, text: str, anchor):
        """``anchor``: (node, "text" | "tail"); a line starting inside that text (a <pre>
        holds many) also remembers which of its lines it is."""
        if not text:
            return
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.newline()
            if piece.strip() and self.anchors[-1] is None:
                self.anchors[-1] = (*anchor, index)
            self.lines[-1] += piece


def _collect(element, out: _Lines) -> None:
    tag = element.tag
    if not isinstance(tag, str):
        return  # comments, processing instructions
    if tag in ("head", "style", "script", "title"):
        return
    block = tag in BLOCK_TAGS
    if block or tag == "br":
        out.newline()
    # (no text: nothing added, no call; hundreds of thousands of empty elements)
    text = element.text
    if text:
        out.add(text if tag == "pre" else _squash(text), (element, "text"))
    for child in element:
        _collect(child, out)
        tail = child.tail
        if tail:
            out.add(_squash(tail), (child, "tail"))
    if block:
        out.newline()


_SPACE_RUN = re.compile(r"[ \t\r\n]+")


def _squash(text: str | None) -> str:
    if not text:
        return ""
    return _SPACE_RUN.sub(" ", text)


def _cut_at(anchor, limit=None) -> None:
    """Remove the content from ``anchor`` to the end of the document (or of ``limit``)."""
    element, where, line = anchor
    if line:
        # Inside one text (a quote in the same <pre> as the answer): keep its lines above.
        end = etree.Element("span")
        if where == "tail":
            element.tail = "\n".join(element.tail.split("\n")[:line])
            element.addnext(end)
        else:
            element.text = "\n".join(element.text.split("\n")[:line])
            for child in list(element):
                element.remove(child)
            element.append(end)
        drop_from(end, limit)
        return
    if where == "tail":
        parent = element.getparent()
        if parent is None:
            return
        span = etree.Element("span")
        span.text = element.tail
        element.tail = None
        element.addnext(span)
        drop_from(span, limit)
        return
    drop_from(element, limit)


def _cut_by_text(tree, settings) -> None:
    body = tree.find(".//body")
    root = body if body is not None else tree
    lines = None  # the document's lines, read again only after a cut changed it
    if settings.builtin_quote_detection:
        out = _Lines()
        _collect(root, out)
        lines = [line.replace("\xa0", " ").strip() for line in out.lines]
        if _drop_leading_attribution(lines, out.anchors):
            lines = None
    for finder in (_quote_cut_line, _footer_cut_line, _signature_cut_line):
        if lines is None:
            out = _Lines()
            _collect(root, out)
            lines = [line.replace("\xa0", " ").strip() for line in out.lines]
        index = finder(lines, settings)
        if index is not None and out.anchors[index] is not None:
            _cut_at(out.anchors[index])
            lines = None


def _drop_leading_attribution(lines: list[str], anchors: list) -> bool:
    """An attribution above the answer with no quote below it (the quote removed, or the
    client that quoted was not the one that sent), as the plain-text reading drops it:
    removed when its lines are a block of their own or a text of their own."""
    first = next((i for i, line in enumerate(lines) if line), -1)
    if first < 0 or len(lines[first]) > newpart.MAX_LINE_LEN:
        return False
    span = newpart._attribution_at(lines, first)
    rest = lines[first + span :]
    if not span or newpart._quote_follows(rest) or not any(rest):
        return False
    if not newpart._names_sender(lines[first : first + span]):
        return False
    anchor = anchors[first]
    if anchor is None:
        return False
    element, where, _line = anchor
    wanted = " ".join(" ".join(lines[first : first + span]).split())
    if where == "text":
        # The smallest block holding the attribution, holding nothing else.
        block = element
        while block is not None and block.tag not in BLOCK_TAGS and block.tag != "body":
            block = block.getparent()
        if block is not None and block.tag != "body":
            if " ".join(plain_text_of(block).split()) == wanted:
                _remove_keep_tail(block)
                return True
    text = element.text if where == "text" else element.tail
    if text and " ".join(text.split()) == wanted:
        if where == "text":
            element.text = None
        else:
            element.tail = None
        return True
    return False


def _footer_cut_line(lines: list[str], settings) -> int | None:
    """The first line of a list server's footer at the end (reply8: as the plain-text
    reading finds it), with the writer's text above it."""
    if not settings.builtin_quote_detection:
        return None
    _above, footer = newpart._split_list_footer("\n".join(lines))
    if not footer:
        return None
    end = max(i for i, line in enumerate(lines) if line.strip())
    return end - footer.count("\n")


def _signature_cut_line(lines: list[str], settings) -> int | None:
    if not settings.strip_signatures:
        return None
    body, signature = newpart.strip_signature(lines)
    if signature and any(line.strip() for line in body):
        return len(body)
    return None


def _quote_cut_line(lines: list[str], settings) -> int | None:
    text = "\n".join(lines)
    cut = len(lines)
    if settings.builtin_quote_detection:
        builtin = newpart._builtin_cut(lines)
        if builtin >= 0:
            cut = builtin
    delimiters = newpart._compile_all(settings.multiline_delimiter_patterns, "delimiter")
    offset = newpart._itop_cut(text, delimiters)
    if offset >= 0:
        starts = newpart._line_starts(lines)
        line = newpart._line_of(starts, offset + (1 if text[offset : offset + 1] == "\n" else 0))
        cut = min(cut, line)
    if settings.builtin_quote_detection:
        attributed = newpart.trailing_attributed_quote(lines[:cut])
        if attributed >= 0:
            cut = attributed
    if cut < len(lines) and any(line.strip() for line in lines[:cut]):
        return cut
    return None
