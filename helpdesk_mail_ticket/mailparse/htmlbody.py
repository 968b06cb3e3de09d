"""HTML bodies: to text (links kept), from text, and quote removal for the new part.

Nothing here sanitizes: Odoo's sanitizer runs later. ``cid:`` image sources stay intact.
Every public function logs and returns a sensible value instead of raising.
"""

import html
import logging
import re

import html2text
from lxml import etree
from lxml import html as lxml_html

_logger = logging.getLogger(__name__)

MAX_HTML2TEXT = 1_500_000  # larger HTML is converted with lxml's text_content()
# html2text reads each tag in Python (about 20 µs): HTML of more tags ("<") is converted
# with lxml as well (2 MB of "<hr><p>x</p>", read twice, took 8-10 s; issue 14)
MAX_HTML2TEXT_TAGS = 50_000
# lxml's text keeps html2text's structure (links, headings, list items, breaks) up to this
# many tags (a long newsletter or report is of tens of thousands); past it, a Python step
# per element more than doubles the conversion (2 MB of "<hr><p>x</p>": 0.7 s to 1.75 s):
# the text's words and line breaks only
MAX_STRUCTURED_TAGS = 200_000

_UNESCAPE_MD = re.compile(r"\\([-+.#!\[\]\\*_`>|])")
_AUTO_LINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_SAME_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\(((?:https?|ftp)://[^()\s]{1,2000})\)")
_MAILTO_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(mailto:([^()\s]{1,300})\)")
_TRAILING_WS = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_BLANKS = re.compile(r"\n{3,}")
_URL = re.compile(r"\b((?:https?|ftp)://[^\s<>\"']{1,2000}[^\s<>\"'.,;:!?)\]])", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _converter() -> html2text.HTML2Text:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_emphasis = True
    converter.ignore_images = True
    converter.unicode_snob = True
    converter.inline_links = True
    converter.protect_links = False
    converter.single_line_break = False
    converter.ignore_tables = True
    converter.skip_internal_links = True
    return converter


def _tidy_links(text: str) -> str:
    text = _AUTO_LINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)

    def same(match):
        label, url = match.group(1), match.group(2)
        return (
            url if label.strip() == url or label.strip() in (url.rstrip("/"),) else match.group(0)
        )

    text = _SAME_LINK.sub(same, text)
    return _MAILTO_LINK.sub(
        lambda m: m.group(2) if m.group(1).strip() == m.group(2) else m.group(0), text
    )


def html_to_text(markup: str) -> str:
    """HTML -> readable text keeping hyperlinks (``[label](url)``, bare URLs as is)."""
    if not markup or not markup.strip():
        return ""
    try:
        if len(markup) > MAX_HTML2TEXT or markup.count("<") > MAX_HTML2TEXT_TAGS:
            return _lxml_text(markup)
        text = _converter().handle(_strip_for_text(markup))
    except Exception:
        _logger.warning("html2text failed; falling back to lxml", exc_info=True)
        return _lxml_text(markup)
    text = _UNESCAPE_MD.sub(r"\1", text)
    text = _tidy_links(text)
    text = text.replace("\xa0", " ")
    text = _TRAILING_WS.sub("", text)
    return _MANY_BLANKS.sub("\n\n", text).strip()


def _strip_for_text(markup: str) -> str:
    """Remove <head>, <style>, <script> and comments before html2text sees them."""
    tree = parse_html(markup)
    if tree is None:
        return markup
    drop_hidden(tree)  # before <style> goes: a style sheet may show what a style hid
    for element in tree.xpath("//head|//style|//script|//title"):
        _drop(element)
    for comment in tree.xpath("//comment()"):
        _drop(comment)
    _space_cells(tree)
    return to_html(tree)


# A style that hides an element in every client (a template's preheader, tracking words).
# "mso-hide:all" alone hides it in Outlook only: other clients show it, so it stays.
# One \s* per run of spaces, starting at a literal: linear.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# A declaration of display or visibility, its value; the last one of each wins (CSS), and a
# comment hides nothing. A comment always matches (to its end or the text's): linear.
_VISIBILITY_DECLARATION = re.compile(
    r"/\*(?:[^*]|\*(?!/))*(?:\*/|\Z)|(?<![\w-])(display|visibility)\s*:\s*([a-z-]{1,20})",
    re.IGNORECASE,
)


def _hides(style: str) -> bool:
    """The inline style hides its element: its last display is none or its last
    visibility hidden ("display:none; display:block" shows it; "/* display:none */" is a
    comment)."""
    if not style or not _HIDDEN_STYLE.search(style):
        return False
    last = {}
    for match in _VISIBILITY_DECLARATION.finditer(style):
        if match.group(1):
            last[match.group(1).lower()] = match.group(2).lower()
    return last.get("display") == "none" or last.get("visibility") == "hidden"


# Elements whose text no mail client shows as text.
_UNSHOWN_TAGS = ("svg", "template", "noscript")


# A declaration that shows an element: display other than none, or visibility:visible.
_SHOWING = re.compile(r"display\s*:\s*(?!none)[a-z]|visibility\s*:\s*visible", re.IGNORECASE)
# ".mobile-only", "#m", and the attribute form templates use for Gmail ('td[class="m"]').
_SELECTOR_NAME = re.compile(
    r"[.#](-?[A-Za-z_][\w-]{0,100})|\[\s*(?:class|id)\s*[~*^|$]?=\s*[\"']?(-?[A-Za-z_][\w-]{0,100})"
)


def _shown_by_style_sheets(tree) -> set[str]:
    """Classes and ids a rule of the message's style sheets shows (".mobile-only {display:
    block !important}" in a media query: a responsive template's block hidden inline for
    one layout and shown in another, the only copy of its text when its twin is absent).
    Read by splitting at braces: linear."""
    names: set[str] = set()
    for style in tree.iter("style"):
        pieces = re.split(r"([{}])", style.text or "")
        for index in range(2, len(pieces) - 1):
            block = pieces[index]
            if pieces[index - 1] == "{" and pieces[index + 1] == "}" and _SHOWING.search(block):
                for match in _SELECTOR_NAME.finditer(pieces[index - 2]):
                    names.add(match.group(1) or match.group(2))
    return names


def _named_in(element, names: set[str]) -> bool:
    """The element's id or one of its classes is in ``names``."""
    if element.get("id") in names:
        return True
    return any(name in names for name in (element.get("class") or "").split())


def _unhide_shown(tree, names: set[str]) -> None:
    """An element a style sheet shows loses its inline hiding: the text of the new part,
    read again from its HTML once the style sheets are gone, keeps it too."""
    for element in tree.iter():
        if not isinstance(element.tag, str) or not _named_in(element, names):
            continue
        if element.get("hidden") is not None:
            del element.attrib["hidden"]
        style = element.get("style")
        if _hides(style):
            element.set("style", _HIDDEN_STYLE.sub("", style))


# The elements that may hide, found in C in document order (a Python step for each element
# of a 2 MB body was a good share of its parse; issue 14).
# A union of scans, not one predicate of five tests per element (twice as fast in
# libxml2 on 500,000 elements); a node-set: the same elements, in document order.
_MAY_HIDE = "//*[@hidden]|//*[@style]|" + "|".join(f"//{t}" for t in _UNSHOWN_TAGS)


def drop_hidden(tree) -> None:
    """Remove what a client does not show (``display:none``, ``visibility:hidden``, the
    ``hidden`` attribute, ``<svg>``, ``<template>``, ``<noscript>``), keeping tails, unless
    that is all the text there is (a broken template: the text is kept, not lost)."""
    shown = _shown_by_style_sheets(tree)
    if shown:
        _unhide_shown(tree, shown)
    hidden = [
        element
        for element in tree.xpath(_MAY_HIDE)
        if element.tag in _UNSHOWN_TAGS
        or element.get("hidden") is not None
        or _hides(element.get("style"))
    ]
    if not hidden:
        return
    marked = set(hidden)
    outermost = [e for e in hidden if not any(a in marked for a in e.iterancestors())]
    hidden_letters = sum(len("".join(plain_text_of(e).split())) for e in outermost)
    if hidden_letters >= len("".join(plain_text_of(tree).split())):
        return
    for element in outermost:
        _drop(element)


def _space_cells(tree) -> None:
    """A space after each table cell: html2text (tables ignored) and lxml's text_content()
    put one cell's last word against the next one's first ("3shows")."""
    for cell in tree.iter("td", "th"):
        cell.tail = " " + (cell.tail or "")


# _lxml_text's marks, left in the tree's text and made line breaks once the text is read
# (the source's own line breaks are spaces, as in html2text): a line break, a paragraph
# break, a space kept (list indents, <pre>), a line start (a list item, a table row: a new
# line unless at one already). Private-use characters, taken out of the markup.
_LINE, _PARAGRAPH, _KEPT_SPACE, _LINE_START = "\ue000", "\ue001", "\ue002", "\ue003"
# where a <blockquote> starts and ends: its lines are written "> " as html2text writes them
_QUOTE_IN, _QUOTE_OUT = "\ue004", "\ue005"
_MARK_CHARS = re.compile("[\ue000-\ue005]")
_PARAGRAPH_TAGS = (
    "p", "div", "blockquote", "table", "ul", "ol", "dl", "pre", "address", "center", "form",
    "fieldset", "section", "article", "header", "footer", "nav", "aside", "main", "figure",
)  # fmt: skip
_LINE_START_TAGS = ("tr", "dt", "dd")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
# a space beside a break mark (runs of spaces are one space by then)
_AROUND_MARKS = re.compile("(?<=[\ue000\ue001\ue003]) | (?=[\ue000\ue001\ue003])")
_MARK_RUN = re.compile("[\ue000\ue001\ue003]{2,}")


def _read_marks(text: str) -> str:
    """The marks made line breaks (spaces beside them dropped): a run of them with a
    paragraph break or two line breaks is a blank line, any other a line break. Each run
    is matched once (a single mark, the most common, by a plain replace)."""
    text = _AROUND_MARKS.sub("", text)
    text = _MARK_RUN.sub(_run_breaks, text)
    for mark, breaks in ((_PARAGRAPH, "\n\n"), (_LINE, "\n"), (_LINE_START, "\n")):
        text = text.replace(mark, breaks)
    return text.replace(_KEPT_SPACE, " ")


def _run_breaks(match) -> str:
    marks = match.group()
    return "\n\n" if _PARAGRAPH in marks or marks.count(_LINE) > 1 else "\n"


def _mark_structure(tree) -> None:
    """What html2text writes for the structure (the converter's settings: links inline,
    headings and list items marked, <hr> a rule, tables as lines), as text in the tree.
    Each element is reached once (libxml2 nests at most 256 deep: the walks up are short)."""
    for element in tree.iter(*_PARAGRAPH_TAGS, "h1", "h2", "h3", "h4", "h5", "h6", "hr"):
        tag = element.tag
        before, after = _PARAGRAPH, _PARAGRAPH
        if tag[0] == "h" and tag[1:].isdigit():
            before += "#" * int(tag[1]) + " "
        elif tag == "hr":
            before += "* * *"
        elif tag == "pre" and next(element.iterancestors("pre"), None) is None:
            _keep_spaces(element)  # its spaces and line breaks are kept
        elif tag in ("ul", "ol") and next(element.iterancestors("li"), None) is not None:
            before, after = _LINE_START, _LINE_START  # a list in a list item: its lines
        elif tag == "blockquote":
            before, after = before + _QUOTE_IN, after + _QUOTE_OUT
        element.text = before + (element.text or "")
        element.tail = after + (element.tail or "")
    for element in tree.iter("br"):
        element.tail = _LINE + (element.tail or "")
    for element in tree.iter(*_LINE_START_TAGS):
        element.tail = _LINE_START + (element.tail or "")
    _mark_list_items(tree)
    for link in tree.xpath("//a[@href]"):
        href = link.get("href").strip()
        if not href or href.startswith("#") or any(c in href for c in " \t\n"):
            continue
        link.text = "[" + (link.text or "")
        if len(link):
            link[-1].tail = (link[-1].tail or "") + f"]({href})"
        else:
            link.text += f"]({href})"


def _mark_list_items(tree) -> None:
    """ "* " or "1. " before each list item, indented two spaces for each list it is in."""
    depth: dict = {}  # list element: how many lists it is in, itself included
    for items in tree.iter("ul", "ol"):
        above = next(items.iterancestors("ul", "ol"), None)
        depth[items] = depth.get(above, 0) + 1
        indent = _KEPT_SPACE * 2 * depth[items]
        for number, item in enumerate(items.iterchildren("li"), 1):
            bullet = f"{number}. " if items.tag == "ol" else "* "
            item.text = _LINE_START + indent + bullet + (item.text or "")
            item.tail = _LINE_START + (item.tail or "")
    for item in tree.xpath("//li[not(parent::ul or parent::ol)]"):
        above = next(item.iterancestors("ul", "ol"), None)
        indent = _KEPT_SPACE * 2 * (depth.get(above, 0) + 1)
        item.text = _LINE_START + indent + "* " + (item.text or "")
        item.tail = _LINE_START + (item.tail or "")


def _keep_spaces(pre) -> None:
    for inner in pre.iter():
        inner.text = _kept(inner.text)
        if inner is not pre:
            inner.tail = _kept(inner.tail)


def _kept(text):
    if not text:
        return text
    return text.replace("\r\n", "\n").replace("\n", _LINE).replace(" ", _KEPT_SPACE)


def _lxml_text(markup: str) -> str:
    """HTML -> text in lxml's C, for HTML too large for html2text's Python: reads as
    html2text's text does (links, headings, list items, line and paragraph breaks)."""
    tree = parse_html(_MARK_CHARS.sub("", markup))
    if tree is None:
        return re.sub(r"<[^>]{0,2000}>", " ", markup)
    drop_hidden(tree)  # before <style> goes: a style sheet may show what a style hid
    for element in tree.xpath("//head|//style|//script|//title"):
        _drop(element)
    _space_cells(tree)
    if markup.count("<") > MAX_STRUCTURED_TAGS:
        for br in tree.iter("br", "p", "div", "tr", "li"):
            br.tail = "\n" + (br.tail or "")
        return _MANY_BLANKS.sub("\n\n", tree.text_content()).strip()
    _mark_structure(tree)
    text = _SPACES.sub(" ", tree.text_content())
    text = _read_marks(text).replace("\xa0", " ")
    text = _tidy_links(text)
    if _QUOTE_IN in text:
        text = _quote_lines(text)
    text = _TRAILING_WS.sub("", text)
    return _MANY_BLANKS.sub("\n\n", text).strip()


def _quote_lines(text: str) -> str:
    """Each line inside a <blockquote> (marked) written with ">" for each level and a space,
    a blank line between two quoted ones with the lesser level's ">"."""
    lines, depth = [], 0
    for line in text.split("\n"):
        depth = max(0, depth + line.count(_QUOTE_IN) - line.count(_QUOTE_OUT))
        line = line.replace(_QUOTE_IN, "").replace(_QUOTE_OUT, "").strip(" ")
        if line or (lines and lines[-1][1]):  # one blank line for a run
            lines.append((depth, line))
    out = []
    for index, (level, line) in enumerate(lines):
        if line:
            out.append(">" * level + " " + line if level else line)
            continue
        below = lines[index + 1][0] if index + 1 < len(lines) else 0  # never blank
        out.append(">" * min(level, below, lines[index - 1][0] if index else 0))
    return "\n".join(out)


def html_source(text: str) -> str:
    """What :func:`text_to_html` makes its HTML of: texts with the same source give the same
    HTML (a new part that is the whole body need not be converted again)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def text_to_html(text: str) -> str:
    """Plain text -> simple HTML: paragraphs, line breaks, linked URLs."""
    text = html_source(text)
    if not text.strip():
        return ""
    paragraphs = _PARAGRAPH_BREAK.split(text)
    out = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        escaped = html.escape(paragraph, quote=False)
        if "://" in escaped:  # most paragraphs have no link: skip the scan
            escaped = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        out.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


# The end tags that close a document, and what may stand between them unseen (blanks,
# comments: a comment cannot run past its first "-->").
# An end tag inside a comment is the comment's text; an unclosed comment runs to the end.
_DOCUMENT_END = re.compile(r"<!--(?:[\s\S]*?-->|[\s\S]*)|</(?:body|html)\s*>", re.IGNORECASE)
_NOTHING_SHOWN = re.compile(r"(?:\s|<!--(?:[^-]|-(?!->))*-->)*")


def keep_after_end(markup: str) -> str:
    """``markup`` with the ``</body>`` and ``</html>`` end tags that text follows taken out.

    A gateway appends its own HTML (a disclaimer, a second document) after the sender's
    ``</html>``: a browser shows it, but lxml (Odoo's sanitizer, the readings here) drops
    everything after ``</html>``. Without those end tags the whole markup is one document
    (a second ``<html><body>`` is merged into the first). Markup that ends at its end tags,
    comments and blanks aside, is returned as it is. Each stretch is read once."""
    ends = [end for end in _DOCUMENT_END.finditer(markup) if end.group()[1] == "/"]
    first_closing, limit = len(ends), len(markup)
    while first_closing and _NOTHING_SHOWN.fullmatch(markup, ends[first_closing - 1].end(), limit):
        first_closing -= 1
        limit = ends[first_closing].start()
    if not first_closing:
        return markup
    out, at = [], 0
    for end in ends[:first_closing]:
        out.append(markup[at : end.start()])
        at = end.end()
    out.append(markup[at:])
    return "".join(out)


def parse_html(markup: str):
    """An lxml tree of the document (or None); tolerant of XML declarations and junk."""
    try:
        markup = _XML_DECL.sub("", markup or "")
        if not markup.strip():
            return None
        return lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError, TypeError):
        try:
            return lxml_html.document_fromstring(f"<div>{html.escape(markup)}</div>")
        except Exception:
            return None


def to_html(tree) -> str:
    """Serialize the <body> content (or the whole tree) back to an HTML string."""
    body = tree.find(".//body") if tree.tag != "body" else tree
    if body is None:
        return lxml_html.tostring(tree, encoding="unicode")
    # lxml.html.tostring per child is etree.tostring and the meta tag's removal; no meta tag
    # spans two children: removed once from the whole, written in one call
    children = _children_markup(body)
    if children is None:
        children = "".join(
            etree.tostring(child, method="html", encoding="unicode") for child in body
        )
    return html.escape(body.text or "", quote=False) + _meta_content_type("", children)


def _children_markup(body) -> str | None:
    """The children of ``body`` (tails included) as etree.tostring writes each, in one
    serialization of ``body``: its start tag and text, written alone by the same
    serializer, taken off the front, its end tag off the back (None: they differ)."""
    whole = etree.tostring(body, method="html", encoding="unicode", with_tail=False)
    try:
        shell = etree.Element(body.tag, dict(body.attrib))
        shell.text = body.text
    except ValueError:
        # the HTML parser keeps on <body> what no new element may carry: "xml:lang",
        # "xmlns:o", ":class", a form feed in a value (the new part was lost: the whole
        # body kept, quote included)
        return None
    head = etree.tostring(shell, method="html", encoding="unicode")
    end = f"</{body.tag}>"
    if not head.endswith(end) or not whole.endswith(end):
        return None
    head = head[: -len(end)]
    if not whole.startswith(head):
        return None
    return whole[len(head) : -len(end)]


# lxml.html.tostring's removal of the meta tag naming the content type
_meta_content_type = re.compile(r'<meta http-equiv="Content-Type"[^>]*>').sub


def _drop(element) -> None:
    """Remove an element but keep its tail text."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def drop_from(element, limit=None) -> None:
    """Remove ``element`` and everything after it in document order, up to <body> or the
    end of ``limit`` (an ancestor)."""
    node = element
    while node is not None and node is not limit and node.tag not in ("body", "html"):
        parent = node.getparent()
        if parent is None:
            break
        following = list(node.itersiblings())
        for sibling in following:
            parent.remove(sibling)
        node.tail = None
        if node is element:
            parent.remove(node)
        node = parent


def plain_text_of(element) -> str:
    try:
        return element.text_content()
    except (ValueError, TypeError):
        return ""


# libxml2 stops reading HTML at 256 open elements (all text below and after that point was
# lost, in this module and in Odoo's sanitizer alike); forwarded-of-forwarded Outlook mail
# and generators that never close <div>/<font>/<blockquote> go deeper. Such markup is read
# with the limit lifted and written back with nothing below this depth nested any more.
MAX_HTML_DEPTH = 200
_DEPTH_ERROR = "Excessive depth"
_BLOCK_BREAKS = frozenset(
    (*_PARAGRAPH_TAGS, *_LINE_START_TAGS, "li", "h1", "h2", "h3", "h4", "h5", "h6")
)


_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr")
)  # fmt: skip


def read_deep(markup: str) -> tuple:
    """``(tree, flat)``: the tree of ``markup`` as :func:`parse_html` reads it (None when
    not read here), or ``flat``, the markup rewritten with nothing nested below
    ``MAX_HTML_DEPTH`` (its deeper text and images kept in order, a <br> where a block
    ended) when it is nested past the parser's limit. Markup of 256 tags or fewer is not
    read; other markup once, by the parse its reader needs anyway."""
    if not markup or markup.count("<") <= 256:
        return None, None
    try:
        parser = lxml_html.HTMLParser()
        source = _XML_DECL.sub("", markup)
        tree = lxml_html.document_fromstring(source, parser=parser) if source.strip() else None
    except (etree.ParserError, ValueError, TypeError):
        return None, None
    last = parser.error_log.last_error
    if last is None or _DEPTH_ERROR not in (last.message or ""):
        return tree, None
    # The tree is not walked: each element's Python proxy costs a walk to the root
    # (quadratic in depth); the parser's events write the markup instead.
    writer = _FlatWriter()
    try:
        flat = etree.fromstring(source, etree.HTMLParser(target=writer, huge_tree=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        return tree, None
    return None, flat


class _FlatWriter:
    """A parser target writing HTML back, what is below ``MAX_HTML_DEPTH`` flat."""

    def __init__(self):
        self.out: list = []
        self.depth = 0
        self.raw = 0  # inside <script>/<style> (written by the parser as it is)
        self.link = 0  # the depth of the <a> written below the cap (0: none open)

    def start(self, tag, attrib):
        self.depth += 1
        # below the cap, a link keeps its address (one <a> open at a time: nothing nests)
        deep_link = tag == "a" and self.depth > MAX_HTML_DEPTH and not self.link
        if deep_link:
            self.link = self.depth
        if self.depth <= MAX_HTML_DEPTH or tag == "img" or deep_link:
            attributes = "".join(
                f' {name}="{html.escape(value or "")}"' for name, value in attrib.items()
            )
            self.out.append(f"<{tag}{attributes}>")
        elif tag == "br":
            self.out.append("<br>")
        if tag in ("script", "style"):
            self.raw += 1

    def end(self, tag):
        if tag in ("script", "style"):
            self.raw -= 1
        if self.depth <= MAX_HTML_DEPTH:
            if tag not in _VOID:
                self.out.append(f"</{tag}>")
        elif self.depth == self.link:
            self.link = 0
            self.out.append("</a>")
        elif tag in _BLOCK_BREAKS:
            self.out.append("<br>")
        self.depth -= 1

    def data(self, text):
        self.out.append(text if self.raw else html.escape(text, quote=False))

    def comment(self, text):
        if self.depth <= MAX_HTML_DEPTH:
            self.out.append(f"<!--{text}-->")

    def close(self):
        return "".join(self.out)


# A comment, its conditional wrappers ("<!--[if mso]>", "<![endif]-->") part of it; an
# unclosed one runs to the end (as parsers read it). Linear: no nested repetition.
_COMMENT = re.compile(
    r"<!--(?:\[if[^\]<>]{0,200}\]>)?([\s\S]*?)(?:<!\[endif\])?(?:-->|\Z)", re.IGNORECASE
)
_SHOWN_AFTER_TAG = re.compile(r">[ \t\r\n]*[^\s<&]")
_TAG_OR_SPACE = re.compile(r"<[^<>]*>|&nbsp;|&#160;|\s+", re.IGNORECASE)


def show_comments(markup: str) -> str | None:
    """``markup`` with its comments' content made markup, when all its text is inside
    comments (a broken generator's "<!--" never closed, a body written for Outlook alone):
    a reader shows nothing, Odoo's sanitizer drops it all; None otherwise."""
    if "<!--" not in markup:
        return None
    # most bodies: a shown character after <body> outside any comment (no pass over all)
    shown = _SHOWN_AFTER_TAG.search(markup, max(markup.find("<body"), 0))
    if shown is not None:
        opening = markup.rfind("<!--", 0, shown.start())
        if opening < 0 or 0 <= markup.find("-->", opening, shown.start()):
            return None
    outside = _COMMENT.sub(" ", markup)
    if _TAG_OR_SPACE.sub("", outside).strip() or "<img" in outside.lower():
        return None
    # what a <style>/<script> wraps in "<!-- -->" is its raw text, no comment; Office's
    # settings (<xml><w:View>Normal</w:View>...) are no text of the sender's
    comments = _COMMENT.finditer(_RAW_TEXT.sub("", markup))
    inside = "".join(_OFFICE_XML.sub("", match.group(1)) for match in comments)
    if not _TAG_OR_SPACE.sub("", inside).strip():
        return None
    return _COMMENT.sub(lambda match: _OFFICE_XML.sub("", match.group(1)), markup)


# Each stops at its first end or at the end of the text (linear: one never closed is read
# to the end once, as nothing after it can match again).
_OFFICE_XML = re.compile(r"<xml(?:\s[^<>]*)?>[\s\S]*?(?:</xml\s*>|\Z)", re.IGNORECASE)
_RAW_TEXT = re.compile(r"<(style|script)(?:\s[^<>]*)?>[\s\S]*?(?:</\1\s*>|\Z)", re.IGNORECASE)
