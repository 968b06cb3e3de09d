"""Property: parse_message never raises, on arbitrary bytes and on mutated real messages."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mailparse import Settings, parse_message

DATA = Path(__file__).parent / "data"
SEEDS = [p.read_bytes() for p in sorted(DATA.glob("*/*.eml"))]
FAST = Settings(images_maximum_size=(200, 200))


def _check(raw: bytes) -> None:
    parsed = parse_message(raw, FAST)
    assert isinstance(parsed.error, str)
    assert isinstance(parsed.new_part_text, str)
    assert parsed.stable_id
    assert parsed.size == len(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(raw):
    _check(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=40)), max_size=6),
    st.floats(0, 1),
)
def test_mutated_real_messages(seed, edits, cut):
    data = bytearray(seed)
    for where, chunk in edits:
        position = int(where * len(data))
        data[position : position + len(chunk) // 2] = chunk  # overwrite / insert bytes
    _check(bytes(data[: max(1, int(len(data) * (0.5 + cut / 2)))]))
