"""mailparse.remote: what a mail reader would load from elsewhere when an agent opens a
ticket (tracking pixels, remote backgrounds, CSS url()) is removed; local images stay."""

import pytest
from mailparse.remote import strip_remote_content


def test_remote_images_and_backgrounds_go_local_ones_stay():
    body = (
        '<p style="color: red; background: url(https://t.example/p.gif)">Hello</p>'
        '<img src="https://t.example/pixel.gif" width="1">'
        '<img src="/web/image/42" alt="inline">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img srcset="https://t.example/a.png 2x" src="/web/image/43">'
        '<table background="http://t.example/bg.png"><tr><td>cell</td></tr></table>'
        '<video poster="https://t.example/v.png"></video>'
    )
    out = strip_remote_content(body)
    assert "t.example" not in out
    assert "Hello" in out and "cell" in out and "color: red" in out
    assert '<img src="/web/image/42" alt="inline">' in out
    assert "data:image/png" in out and 'src="/web/image/43"' in out
    assert out.count("<img") == 3  # the pixel is gone, not left as an empty <img>


@pytest.mark.parametrize("body", ["", "<p>plain text, nothing to load</p>", "just text", None])
def test_bodies_without_remote_content_are_returned_as_they_are(body):
    assert strip_remote_content(body) == body


def test_protocol_relative_url_is_remote():
    assert "t.example" not in strip_remote_content('<img src="//t.example/p.gif">x')
