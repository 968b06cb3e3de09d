"""Point the inline images of an HTML body at their stored copies.

An HTML email shows its embedded images through ``cid:`` URLs, which mean nothing
outside the email. Once the images are stored, each ``cid:`` source is replaced by
the stored image's URL, shown at a reduced width and wrapped in a link that opens it
full size (iTop's inline_image_max_width and click-to-zoom). A ``cid:`` that matches
no stored image is left as it is: a browser shows nothing for it.
"""

import logging
import re
from urllib.parse import unquote

from lxml import etree, html

_logger = logging.getLogger(__name__)

DEFAULT_MAX_WIDTH = 500
_CID_SRC = re.compile(r"""src\s*=\s*["']?\s*cid:""", re.IGNORECASE)


def _url_for(cid, urls):
    """The URL of a cid: source's id: as written, %-decoded (RFC 2392 encodes cid URLs),
    without <> (some clients keep them), in any case."""
    cid = cid.strip().strip("<>")
    if cid in urls:
        return urls[cid]
    decoded = unquote(cid).strip().strip("<>")
    if decoded in urls:
        return urls[decoded]
    lowered = {key.lower(): url for key, url in urls.items()}
    return lowered.get(decoded.lower())


def replace_cids(body, urls, max_width=DEFAULT_MAX_WIDTH):
    """Return ``body`` with each ``<img src="cid:X">`` whose X is in ``urls`` pointing
    at ``urls[X]``. Never raises: on a body lxml cannot read, the input is returned."""
    if not body or not urls or not _CID_SRC.search(body):
        return body
    try:
        root = html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        _logger.warning("Inline images left as cid: the HTML body could not be parsed")
        return body
    changed = False
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src.lower().startswith("cid:"):
            continue
        url = _url_for(src[4:], urls)
        if not url:
            continue
        img.set("src", url)
        img.set("style", f"max-width: min({max_width}px, 100%); height: auto;")
        img.set("class", ((img.get("class") or "") + " o_hmt_inline_image").strip())
        parent = img.getparent()
        if parent is not None and parent.tag != "a":
            link = etree.Element("a", href=url, target="_blank")
            link.tail, img.tail = img.tail, None
            parent.replace(img, link)
            link.append(img)
        changed = True
    if not changed:
        return body
    inner = (root.text or "") + "".join(html.tostring(child, encoding="unicode") for child in root)
    return inner
