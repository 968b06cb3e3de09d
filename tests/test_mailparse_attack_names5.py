"""Attack on names5 (issue 14): raw 8-bit names and subjects without a label that names5
reads wrong though main read them right. Every text here is written for the test, none is
fetched or copied from a scored set."""

import pytest
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# Thai is written without spaces between words, as CJK text is: a Latin brand or acronym
# stands glued to the Thai words around it ("ใบเสนอราคาiPhone", "ลูกค้าVIP"). names5's
# penalty for ASCII letters glued to a non-Latin alphabet's ones in one word took such a
# subject's right reading below a CJK charset's ("禳猜考智ひiPhone").
_THAI_GLUED = ["ใบเสนอราคาiPhone 15", "ลูกค้าVIP", "สั่งซื้อNotebookด่วน", "บริษัทABCจำกัด"]


@pytest.mark.parametrize("text", _THAI_GLUED)
def test_thai_glued_to_a_latin_word_is_read(text):
    data = text.encode("cp874")
    assert_read_as(_raw_mail(data, data, data), text)
