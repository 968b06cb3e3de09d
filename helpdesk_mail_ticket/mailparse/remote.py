"""Remote content out of an email's HTML: what a mail reader would load from elsewhere
when an agent opens the ticket (remote images such as tracking pixels, backgrounds,
posters, CSS ``url()``). Local URLs (``/web/image/...``, the stored inline images) and
``data:image/`` URLs stay. Never raises: on a body lxml cannot read, every image goes."""

import re

from lxml import etree
from lxml import html as lxml_html

_REMOTE_ATTRIBUTES = ("src", "srcset", "background", "poster", "data", "dynsrc", "lowsrc")
_CSS_URL = re.compile(r"[^;]*url\s*\([^;]*;?", re.IGNORECASE)
_MAY_LOAD = re.compile(r"(?i)src|background|poster|url\s*\(|data\s*=")
_IMG = re.compile(r"(?is)<img\b[^>]*>")


def is_local_url(url):
    """True for a URL of this server (``/path``, not ``//host``) or an inline image."""
    url = url.strip().lower()
    return (url.startswith("/") and not url.startswith("//")) or url.startswith("data:image/")


def strip_remote_content(body):
    """``body`` (HTML text) without remote content; see the module docstring."""
    if not body or not _MAY_LOAD.search(body):
        return body
    try:
        root = lxml_html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        return _IMG.sub("", body)
    for element in root.iter(etree.Element):
        for name in _REMOTE_ATTRIBUTES:
            value = element.get(name)
            if value is not None and not (name != "srcset" and is_local_url(value)):
                del element.attrib[name]
        style = element.get("style")
        if style and "url" in style.lower():
            element.set("style", _CSS_URL.sub("", style))
    for img in list(root.iter("img")):
        if not img.get("src"):
            img.drop_tree()
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
