"""Tests for wparchive.phpserialize: PHP serialize() decoding for WXR meta values."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wparchive import phpserialize
from wparchive.phpserialize import (
    CLASS_KEY,
    CUSTOM_KEY,
    DEFAULT_MAX_DEPTH,
    ENUM_KEY,
    REF_KEY,
    PhpSerializeError,
    is_serialized,
    maybe_unserialize,
    unserialize,
)

# ---------------------------------------------------------------- helpers

_CANONICAL_INT = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


def _php_serialize(value: Any) -> str:
    """Serialize like PHP's serialize() for the JSON-ish subset of values.

    Written independently of the decoder so round trips test it, not mirror
    it. Lists become 0..n-1 keyed arrays; dict keys are written as i: when
    int, s: otherwise; string lengths are UTF-8 byte counts, as in PHP.
    """
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        if math.isnan(value):
            return "d:NAN;"
        if math.isinf(value):
            return "d:INF;" if value > 0 else "d:-INF;"
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, list):
        pairs = list(enumerate(value))
    elif isinstance(value, dict):
        pairs = list(value.items())
    else:
        raise TypeError(type(value))
    body = "".join(_php_serialize(k) + _php_serialize(v) for k, v in pairs)
    return f"a:{len(pairs)}:{{{body}}}"


def _as_decoded(value: Any) -> Any:
    """What the decoder returns for a value: an empty PHP array is a list."""
    if isinstance(value, dict):
        return {k: _as_decoded(v) for k, v in value.items()} if value else []
    if isinstance(value, list):
        return [_as_decoded(v) for v in value]
    return value


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return value


def _strip_cr(serialized: str) -> str:
    """What an XML parser does to a serialized string inside a WXR file."""
    return serialized.replace("\r\n", "\n")


def _assert_json_safe(value: Any) -> None:
    json.dumps(value, allow_nan=False)


# Tricky texts: quotes, the string terminator, serialized-looking content,
# non-ASCII (multi-byte lengths), NUL, line breaks.
_TRICKY = st.sampled_from(
    [
        '";',
        '";}',
        'a";s:1:"',
        '"',
        's:1:"a";',
        "ünïcödé ✓ 𝄞",
        "\x00",
        "\r\n",
        "line\nbreak",
        "i:0;",
        "}",
    ]
)
_TEXT = st.text() | _TRICKY | st.lists(_TRICKY | st.text(max_size=5)).map("".join)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
# Keys that PHP would turn into ints are covered by their own tests.
_KEYS = _TEXT.filter(lambda k: not _CANONICAL_INT.match(k))
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_KEYS, children, max_size=5),
    max_leaves=25,
)


# ------------------------------------------------------ real WordPress data

# Produced by PHP 8.2 serialize() from wp_generate_attachment_metadata()-shaped data.
ATTACHMENT_METADATA = (
    'a:6:{s:5:"width";i:1200;s:6:"height";i:800;s:4:"file";s:22:"2023/05/hero-image.jpg";'
    's:8:"filesize";i:245871;s:5:"sizes";a:2:{s:6:"medium";a:5:{s:4:"file";'
    's:22:"hero-image-300x200.jpg";s:5:"width";i:300;s:6:"height";i:200;s:9:"mime-type";'
    's:10:"image/jpeg";s:8:"filesize";i:14562;}s:9:"thumbnail";a:5:{s:4:"file";'
    's:22:"hero-image-150x150.jpg";s:5:"width";i:150;s:6:"height";i:150;s:9:"mime-type";'
    's:10:"image/jpeg";s:8:"filesize";i:6189;}}s:10:"image_meta";a:12:{s:8:"aperture";'
    's:3:"2.8";s:6:"credit";s:0:"";s:6:"camera";s:20:"Canon EOS 5D Mark IV";s:7:"caption";'
    's:0:"";s:17:"created_timestamp";s:10:"1683898532";s:9:"copyright";s:16:"© Jörg Müller";'
    's:12:"focal_length";s:2:"50";s:3:"iso";s:3:"400";s:13:"shutter_speed";s:5:"0.004";'
    's:5:"title";s:21:"Café „Zur Sonne“";s:11:"orientation";s:1:"1";s:8:"keywords";a:0:{}}}'
)

# The widget_text option: numbered instances plus "_multiwidget". The first
# text has CRLF line breaks and a '";' of its own.
WIDGET_TEXT = (
    'a:3:{i:2;a:4:{s:5:"title";s:10:"About "us"";s:4:"text";'
    's:66:"We are a small team.\r\nSince 2009;\r\n<a href="/contact">Say hi";</a>";'
    's:6:"filter";b:1;s:6:"visual";b:1;}i:3;a:4:{s:5:"title";s:0:"";s:4:"text";'
    's:15:"Ünïcödé ✓";s:6:"filter";b:0;s:6:"visual";b:0;}s:12:"_multiwidget";i:1;}'
)
WIDGET_TEXT_DECODED = {
    "2": {
        "title": 'About "us"',
        "text": 'We are a small team.\r\nSince 2009;\r\n<a href="/contact">Say hi";</a>',
        "filter": True,
        "visual": True,
    },
    "3": {"title": "", "text": "Ünïcödé ✓", "filter": False, "visual": False},
    "_multiwidget": 1,
}

# Two akismet_history comment meta entries, as Akismet stores them.
AKISMET_HISTORY = [
    (
        'a:4:{s:4:"time";d:1700000000.123456;s:5:"event";s:9:"check-ham";s:4:"user";s:0:"";'
        's:4:"meta";a:1:{s:8:"response";s:5:"false";}}',
        {
            "time": 1700000000.123456,
            "event": "check-ham",
            "user": "",
            "meta": {"response": "false"},
        },
    ),
    (
        'a:4:{s:4:"time";d:1700000123.5;s:7:"message";s:44:"admin changed the comment status to '
        'approved";s:5:"event";s:15:"status-approved";s:4:"user";s:5:"admin";}',
        {
            "time": 1700000123.5,
            "message": "admin changed the comment status to approved",
            "event": "status-approved",
            "user": "admin",
        },
    ),
]


def test_attachment_metadata() -> None:
    meta = unserialize(ATTACHMENT_METADATA)
    assert meta["width"] == 1200
    assert meta["height"] == 800
    assert meta["file"] == "2023/05/hero-image.jpg"
    assert meta["sizes"]["medium"] == {
        "file": "hero-image-300x200.jpg",
        "width": 300,
        "height": 200,
        "mime-type": "image/jpeg",
        "filesize": 14562,
    }
    assert meta["sizes"]["thumbnail"]["width"] == 150
    image_meta = meta["image_meta"]
    assert image_meta["copyright"] == "© Jörg Müller"
    assert image_meta["title"] == "Café „Zur Sonne“"
    assert image_meta["keywords"] == []
    assert image_meta["created_timestamp"] == "1683898532"  # a string in WordPress, kept so
    _assert_json_safe(meta)


def test_widget_option() -> None:
    assert unserialize(WIDGET_TEXT) == WIDGET_TEXT_DECODED


@pytest.mark.parametrize(("raw", "expected"), AKISMET_HISTORY)
def test_akismet_history(raw: str, expected: dict[str, Any]) -> None:
    assert unserialize(raw) == expected


def test_stdclass_object() -> None:
    raw = (
        'O:8:"stdClass":3:{s:2:"ID";i:42;s:10:"post_title";s:5:"Hello";'
        's:4:"tags";a:2:{i:0;s:1:"a";i:1;s:1:"b";}}'
    )
    assert unserialize(raw) == {
        CLASS_KEY: "stdClass",
        "ID": 42,
        "post_title": "Hello",
        "tags": ["a", "b"],
    }


def test_protected_and_private_properties_lose_their_prefix() -> None:
    raw = 'O:3:"Foo":3:{s:6:"\0*\0bar";i:1;s:8:"\0Foo\0baz";i:2;s:1:"q";s:4:"a\r\nb";}'
    assert unserialize(raw) == {CLASS_KEY: "Foo", "bar": 1, "baz": 2, "q": "a\r\nb"}


def test_same_property_name_in_two_scopes_keeps_both() -> None:
    # PHP 8.2: class Base { private $secret; protected $shared; }
    #          class Child extends Base { private $secret; public $name; }
    raw = (
        'O:5:"Child":4:{s:12:"\0Base\0secret";s:4:"base";s:9:"\0*\0shared";i:1;'
        's:13:"\0Child\0secret";s:5:"child";s:4:"name";s:1:"n";}'
    )
    assert unserialize(raw) == {
        CLASS_KEY: "Child",
        "Base::secret": "base",
        "shared": 1,
        "Child::secret": "child",
        "name": "n",
    }


def test_object_edge_cases() -> None:
    # (object) ['a', 'b'] serializes numeric property names as strings.
    assert unserialize('O:8:"stdClass":2:{s:1:"0";s:1:"a";s:1:"1";s:1:"b";}') == {
        CLASS_KEY: "stdClass",
        "0": "a",
        "1": "b",
    }
    assert unserialize('O:8:"stdClass":1:{i:5;i:1;}') == {CLASS_KEY: "stdClass", "5": 1}
    # A property named like the marker cannot overwrite the class name.
    assert unserialize('O:1:"A":1:{s:13:"__php_class__";s:1:"x";}') == {
        CLASS_KEY: "A",
        "::__php_class__": "x",
    }
    # Duplicate public names: the last wins, as in PHP.
    assert unserialize('O:8:"stdClass":2:{s:1:"a";i:1;s:1:"a";i:2;}') == {
        CLASS_KEY: "stdClass",
        "a": 2,
    }
    assert unserialize('O:16:"WP_Block\\Example":0:{}') == {CLASS_KEY: "WP_Block\\Example"}


def test_custom_serialized_object_keeps_payload_as_text() -> None:
    assert unserialize('C:2:"Cu":8:{raw;data}') == {CLASS_KEY: "Cu", CUSTOM_KEY: "raw;data"}
    assert unserialize('a:1:{i:0;C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}}') == [
        {CLASS_KEY: "ArrayObject", CUSTOM_KEY: "x:i:0;a:0:{};m:a:0:{}"}
    ]


def test_enum() -> None:
    assert unserialize('E:11:"Suit:Hearts";') == {ENUM_KEY: "Suit:Hearts"}


# ------------------------------------------------------------ scalar types


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N;", None),
        ("b:0;", False),
        ("b:1;", True),
        ("i:0;", 0),
        ("i:-42;", -42),
        ("i:+5;", 5),
        ("i:-0;", 0),
        ("i:9223372036854775807;", 2**63 - 1),
        # PHP would clamp to PHP_INT_MAX; the exact written value is kept.
        ("i:99999999999999999999;", 99999999999999999999),
        ('s:0:"";', ""),
        ('s:5:"hello";', "hello"),
        ('s:2:"é";', "é"),
        ('s:4:"𝄞";', "𝄞"),
        ('s:8:"a";b";c;";', 'a";b";c;'),
    ],
)
def test_scalars(raw: str, expected: Any) -> None:
    result = unserialize(raw)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("d:1;", 1.0),  # PHP 7.1+ writes whole floats without a point
        ("d:0.1;", 0.1),
        ("d:1.0E+25;", 1e25),
        ("d:1.5E-7;", 1.5e-7),
        ("d:-0;", -0.0),
        ("d:.5;", 0.5),
        ("d:5.;", 5.0),
        ("d:1700000000.123456;", 1700000000.123456),
        # Not representable in JSON: PHP's own spelling, as strings.
        ("d:INF;", "INF"),
        ("d:-INF;", "-INF"),
        ("d:NAN;", "NAN"),
        ("d:1e999;", "INF"),
        ("d:-1e999;", "-INF"),
    ],
)
def test_floats(raw: str, expected: float | str) -> None:
    result = unserialize(raw)
    assert result == expected
    assert type(result) is type(expected)
    _assert_json_safe(result)


# ------------------------------------------------------------------- arrays


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a:0:{}", []),
        ('a:2:{i:0;s:1:"a";i:1;s:1:"b";}', ["a", "b"]),
        ('a:2:{i:1;s:1:"a";i:0;s:1:"b";}', {"1": "a", "0": "b"}),  # order matters
        ('a:2:{i:0;s:1:"a";i:2;s:1:"b";}', {"0": "a", "2": "b"}),
        ('a:1:{i:-1;s:1:"a";}', {"-1": "a"}),
        # PHP turns canonical numeric string keys into ints ...
        ('a:2:{s:1:"0";s:1:"x";s:1:"1";s:1:"y";}', ["x", "y"]),
        # ... but not these.
        ('a:1:{s:2:"05";i:1;}', {"05": 1}),
        ('a:1:{s:2:"-0";i:1;}', {"-0": 1}),
        ('a:1:{s:20:"99999999999999999999";i:1;}', {"99999999999999999999": 1}),
        # A repeated key overwrites in place, as in PHP.
        ('a:2:{i:0;s:1:"a";i:0;s:1:"b";}', ["b"]),
        ('a:3:{i:0;i:1;s:1:"k";i:2;i:0;i:3;}', {"0": 3, "k": 2}),
        ("a:1:{i:0;a:1:{i:0;a:0:{}}}", [[[]]]),
    ],
)
def test_arrays(raw: str, expected: Any) -> None:
    assert unserialize(raw) == expected


# --------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # $x = 'hi'; serialize([&$x, &$x])
        ('a:2:{i:0;s:2:"hi";i:1;R:2;}', ["hi", "hi"]),
        # $o = new stdClass; serialize([$o, $o])
        (
            'a:2:{i:0;O:8:"stdClass":0:{}i:1;r:2;}',
            [{CLASS_KEY: "stdClass"}, {CLASS_KEY: "stdClass"}],
        ),
        # $o->self = $o: a cycle, left as a marker
        ('O:8:"stdClass":1:{s:4:"self";r:1;}', {CLASS_KEY: "stdClass", "self": {REF_KEY: 1}}),
        # $a = [1]; $a[] = &$a;
        ("a:2:{i:0;i:1;i:1;a:2:{i:0;i:1;i:1;R:3;}}", [1, [1, {REF_KEY: 3}]]),
        # enum cases are referenced with r:
        ('a:2:{i:0;E:11:"Suit:Hearts";i:1;r:2;}', [{ENUM_KEY: "Suit:Hearts"}] * 2),
        # r: takes a number of its own, R: does not; keys never do.
        ('a:4:{s:1:"k";i:7;i:1;r:2;i:2;R:2;i:3;r:3;}', {"k": 7, "1": 7, "2": 7, "3": 7}),
    ],
)
def test_references(raw: str, expected: Any) -> None:
    result = unserialize(raw)
    assert result == expected
    _assert_json_safe(result)


def test_referenced_containers_are_copies() -> None:
    result = unserialize("a:2:{i:0;a:1:{i:0;i:1;}i:1;r:2;}")
    assert result == [[1], [1]]
    result[0].append(2)
    assert result[1] == [1]


def test_reference_to_a_deep_value_does_not_recurse() -> None:
    depth = 5_000
    raw = "a:2:{i:0;" + "a:1:{i:0;" * depth + "N;" + "}" * depth + "i:1;r:2;}"
    first, second = unserialize(raw, max_depth=depth + 1)
    for _ in range(depth):
        assert second is not first
        first, second = first[0], second[0]
    assert first is None
    assert second is None


def test_reference_bomb_is_bounded() -> None:
    # Each level holds two references to the level below: 2**60 copies of the
    # 1000-byte string if expanded. Expansion stops at the budget, the rest
    # become markers.
    levels = 60
    parts = ['i:0;s:1000:"' + "x" * 1000 + '";']
    for j in range(1, levels + 1):
        below = 2 if j == 1 else 3 * (j - 1)
        parts.append(f"i:{j};a:2:{{i:0;r:{below};i:1;r:{below};}}")
    raw = f"a:{levels + 1}:{{" + "".join(parts) + "}"
    started = time.perf_counter()
    result = unserialize(raw)
    encoded = json.dumps(result)
    assert time.perf_counter() - started < 30
    assert len(encoded) < 20_000_000
    assert REF_KEY in encoded
    assert result[1] == ["x" * 1000, "x" * 1000]


@pytest.mark.parametrize(
    "raw", ["r:1;", "R:1;", "a:1:{i:0;r:2;}", "a:1:{i:0;r:0;}", "a:1:{i:0;R:9;}"]
)
def test_bad_references(raw: str) -> None:
    with pytest.raises(PhpSerializeError):
        unserialize(raw)


# ----------------------------------------------------------- round trips


@given(_VALUES)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip(value: Any) -> None:
    result = unserialize(_php_serialize(value))
    assert result == _as_decoded(value)
    _assert_json_safe(result)


@given(_VALUES)
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_without_recovery(value: Any) -> None:
    assert unserialize(_php_serialize(value), recover_crlf=False) == _as_decoded(value)


# -------------------------------------------------- CRLF damage (bug #178)


def test_crlf_damaged_widget_is_recovered() -> None:
    damaged = _strip_cr(WIDGET_TEXT)
    assert damaged != WIDGET_TEXT
    with pytest.raises(PhpSerializeError):
        unserialize(damaged, recover_crlf=False)
    assert unserialize(damaged) == _map_strings(WIDGET_TEXT_DECODED, _strip_cr)


def test_crlf_damaged_post_meta_with_html() -> None:
    # A page builder's settings with a Windows-authored HTML block.
    html = (
        '<div class="intro">\r\n  <p>Hello "world";</p>\r\n'
        '  <script>var a = "x";</script>\r\n</div>'
    )
    value = {"blocks": [{"type": "html", "content": html, "id": 7}], "version": "2.1"}
    damaged = _strip_cr(_php_serialize(value))
    assert unserialize(damaged) == _map_strings(value, _strip_cr)
    decoded, ok = maybe_unserialize(damaged)
    assert ok
    assert decoded["blocks"][0]["content"] == html.replace("\r\n", "\n")


def test_crlf_damage_in_some_newlines_only() -> None:
    text = "line1\r\nline2\nline3\r\n"
    damaged = _strip_cr(_php_serialize([text, "after"]))
    assert unserialize(damaged) == ["line1\nline2\nline3\n", "after"]


def test_crlf_damage_in_object_property_and_key() -> None:
    raw = 'O:7:"WP_Post":2:{s:12:"post_content";s:7:"a\r\nb\r\nc";s:4:"k\r\ny";b:1;}'
    damaged = _strip_cr(raw)
    assert unserialize(damaged) == {CLASS_KEY: "WP_Post", "post_content": "a\nb\nc", "k\ny": True}


def test_crlf_damage_at_top_level() -> None:
    assert unserialize('s:7:"one\ntwo";') == "one\ntwo"


def test_crlf_damage_where_declared_end_hits_a_later_terminator() -> None:
    # 10 lost \r put the declared end exactly on the '";' formed by the next
    # string's opening quote and its first character. What follows that is
    # no valid key, so the decoder looks again and finds the real end.
    damaged = _strip_cr(_php_serialize(["\r\n" * 10, ";x"]))
    assert damaged == 'a:2:{i:0;s:20:"' + "\n" * 10 + '";i:1;s:2:";x";}'
    assert unserialize(damaged) == ["\n" * 10, ";x"]


@pytest.mark.parametrize(
    "raw",
    [
        's:3:"ab\ncd";',  # declared length too short: not explained by lost \r
        's:9:"ab\ncd";',  # 4 bytes missing but only one newline
        's:6:"abcd";',  # too long, but no newline at all
        'a:1:{i:0;s:5:"a\nb";}',  # 2 bytes missing, one newline
    ],
)
def test_length_errors_not_explained_by_cr_loss_still_fail(raw: str) -> None:
    with pytest.raises(PhpSerializeError):
        unserialize(raw)


_LINE = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), max_size=8
) | _TRICKY.filter(lambda s: "\r" not in s and "\n" not in s)
# Every line break in these strings is CRLF, as in Windows-authored content.
_CRLF_TEXT = st.lists(_LINE, max_size=6).map("\r\n".join)
_CRLF_KEYS = _LINE.filter(lambda k: not _CANONICAL_INT.match(k))
_CRLF_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | _CRLF_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_CRLF_KEYS, children, max_size=4)
    ),
    max_leaves=15,
)


@given(_CRLF_VALUES)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_crlf_damage_is_recovered(value: Any) -> None:
    damaged = _strip_cr(_php_serialize(value))
    assert unserialize(damaged) == _as_decoded(_map_strings(value, _strip_cr))


# ---------------------------------------------------------- malformed input

_MALFORMED = [
    "",
    " ",
    "x",
    "N",
    "N;N;",
    "b:2;",
    "b:;",
    "b:1",
    "i:;",
    "i:1.5;",
    "i:1",
    "i: 1;",
    "d:;",
    "d:1e;",
    "d:inf;",
    "d:+INF;",
    "d:1_0;",
    "d: 1;",
    "s:3:abc;",
    's:3:"abc"',
    's:3:"abc";x',
    's:-1:"";',
    's:5:"abc";',  # bad length
    's:1:"abc";',
    's:99999999999999999999:"abc";',  # huge declared length
    "a:1:{i:0;i:1;",
    "a:1:{i:0;i:1;};",
    "a:2:{i:0;i:1;}",
    "a:1:{}",
    "a:0:{i:0;i:1;}",
    "a:1:{N;i:1;}",
    "a:1:{b:1;i:1;}",
    "a:1:{d:1.5;i:1;}",
    "a:1:{a:0:{}i:1;}",
    "a:1:{i:0;}",
    "a:99999999999:{i:0;i:1;}",
    "a:1:[i:0;i:1;]",
    'O:8:"stdClass":1:{}',
    'O:9:"stdClass":0:{}',
    'O:99999999999:"stdClass":0:{}',
    'O:0:"":0:{}',
    'O:3:"a b":0:{}',
    'O:8:"stdClass":0:{',
    'O:8:"stdClass"0:{}',
    'C:2:"Cu":9:{raw;data}',
    'C:2:"Cu":99999999:{raw;data}',
    'E:4:"Suit";',
    'E:5:"Suit:";',
    'E:7:"S:1Bad";',
    'E:11:"Suit:Hearts"',
    'S:1:"\\61";',  # escaped strings: a PHP 6 relic, not supported
    "o:0:{}",
    "X:1;",
    "i:" + "9" * 5000 + ";",  # beyond Python's int-from-string limit
    "s:" + "9" * 5000 + ':"a";',
]


@pytest.mark.parametrize("raw", _MALFORMED)
def test_malformed_input_raises(raw: str) -> None:
    with pytest.raises(PhpSerializeError) as info:
        unserialize(raw)
    assert isinstance(info.value, ValueError)
    assert 0 <= info.value.position <= len(raw)


@pytest.mark.parametrize("raw", [ATTACHMENT_METADATA, WIDGET_TEXT, AKISMET_HISTORY[0][0]])
def test_every_truncation_raises(raw: str) -> None:
    for cut in range(len(raw)):
        with pytest.raises(PhpSerializeError):
            unserialize(raw[:cut])


def test_error_position_counts_characters_not_bytes() -> None:
    with pytest.raises(PhpSerializeError) as info:
        unserialize('a:1:{s:2:"é";i:1;x}')
    assert info.value.byte_offset == 18
    assert info.value.position == 17
    assert "position 17" in str(info.value)


def test_non_str_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        unserialize(b"N;")  # type: ignore[arg-type]


@given(st.text())
@settings(max_examples=500)
def test_arbitrary_text_never_raises_anything_else(data: str) -> None:
    try:
        result = unserialize(data)
    except PhpSerializeError:
        return
    _assert_json_safe(result)


_SERIAL_ALPHABET = st.sampled_from(
    [*'NbidsaOCErR:;{}"0123456789.-+EINFA\n\r\x00é', '";', "s:1:", "a:1:{", "i:0;"]
)


@given(st.lists(_SERIAL_ALPHABET, max_size=60).map("".join))
@settings(max_examples=1000)
def test_serialize_like_noise_never_raises_anything_else(data: str) -> None:
    try:
        result = unserialize(data)
    except PhpSerializeError:
        return
    _assert_json_safe(result)


@given(_VALUES, st.data())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_input_never_raises_anything_else(value: Any, data: st.DataObject) -> None:
    raw = _php_serialize(value)
    at = data.draw(st.integers(0, len(raw)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(st.text(alphabet='0123456789:;"{}\nsaiN', max_size=3))
    mutated = raw[:at] + insert + raw[at + cut :]
    try:
        result = unserialize(mutated)
    except PhpSerializeError:
        return
    _assert_json_safe(result)


def test_many_damaged_strings_do_not_take_quadratic_time() -> None:
    # Every string claims a billion bytes and holds a newline, so each would
    # scan to the end of the data looking for its terminator.
    count = 20_000
    raw = f"a:{count}:{{" + "".join(f'i:{i};s:1000000000:"\n";' for i in range(count)) + "}"
    started = time.perf_counter()
    with pytest.raises(PhpSerializeError):
        unserialize(raw)
    assert time.perf_counter() - started < 10


def test_large_input_is_fast() -> None:
    value = [
        {"file": f"image-{i}.jpg", "width": i, "ratio": i / 7, "ok": i % 2 == 0}
        for i in range(20_000)
    ]
    raw = _php_serialize(value)
    started = time.perf_counter()
    assert unserialize(raw) == value
    assert time.perf_counter() - started < 10


# ------------------------------------------------------------------- depth


def _nested(depth: int) -> str:
    return "a:1:{i:0;" * depth + "N;" + "}" * depth


def test_depth_cap() -> None:
    assert unserialize(_nested(DEFAULT_MAX_DEPTH)) is not None
    with pytest.raises(PhpSerializeError, match="nesting deeper"):
        unserialize(_nested(DEFAULT_MAX_DEPTH + 1))
    assert unserialize(_nested(3), max_depth=3) == [[[None]]]
    with pytest.raises(PhpSerializeError):
        unserialize(_nested(4), max_depth=3)


def test_objects_count_towards_depth() -> None:
    raw = 'O:8:"stdClass":1:{s:1:"a";' * 3 + "N;" + "}" * 3
    with pytest.raises(PhpSerializeError):
        unserialize(raw, max_depth=2)


def test_very_deep_input_fails_cleanly() -> None:
    # No recursion: neither RecursionError nor a slow crawl.
    with pytest.raises(PhpSerializeError):
        unserialize(_nested(200_000))
    with pytest.raises(PhpSerializeError):
        unserialize("a:1:{i:0;" * 200_000)


def test_deep_but_allowed_input_does_not_recurse() -> None:
    depth = 50_000
    result = unserialize(_nested(depth), max_depth=depth)
    for _ in range(depth):
        result = result[0]
    assert result is None


# ------------------------------------------------------ maybe_unserialize


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a:0:{}", ([], True)),
        ("  a:1:{i:0;i:1;}\n", ([1], True)),  # trimmed, as WordPress does
        ("N;", (None, True)),
        ("b:0;", (False, True)),
        ("i:5;", (5, True)),
        ("d:0.5;", (0.5, True)),
        ('s:3:"abc";', ("abc", True)),
        ('O:8:"stdClass":0:{}', ({CLASS_KEY: "stdClass"}, True)),
        ('E:11:"Suit:Hearts";', ({ENUM_KEY: "Suit:Hearts"}, True)),
        # not serialized
        ("hello", ("hello", False)),
        ("", ("", False)),
        ("a:1", ("a:1", False)),
        ("i:1", ("i:1", False)),
        ("42", ("42", False)),
        ("a string; with a semicolon;", ("a string; with a semicolon;", False)),
        # looks serialized, does not decode: stays a string
        ('s:5:"abc";', ('s:5:"abc";', False)),
        ("a:1:{i:0;}", ("a:1:{i:0;}", False)),
        ("b:3.5;", ("b:3.5;", False)),
        ("a:0:{}trailing}", ("a:0:{}trailing}", False)),
        # WordPress's is_serialized() does not know these forms
        ("d:INF;", ("d:INF;", False)),
        ("r:1;", ("r:1;", False)),
        ('C:2:"Cu":8:{raw;data}', ('C:2:"Cu":8:{raw;data}', False)),
        # lengths short by exactly the lost \r: recovered
        ('s:5:"ab\nc";', ("ab\nc", True)),
    ],
)
def test_maybe_unserialize(value: str, expected: tuple[Any, bool]) -> None:
    assert maybe_unserialize(value) == expected


def test_maybe_unserialize_decodes_one_level_only() -> None:
    inner = _php_serialize({"a": 1})
    twice = _php_serialize(inner)
    assert maybe_unserialize(twice) == (inner, True)
    assert maybe_unserialize(inner) == ({"a": 1}, True)


def test_maybe_unserialize_leaves_non_strings_alone() -> None:
    assert maybe_unserialize(5) == (5, False)  # type: ignore[arg-type]
    assert maybe_unserialize(None) == (None, False)  # type: ignore[arg-type]


def test_maybe_unserialize_recovers_crlf_damage() -> None:
    decoded, ok = maybe_unserialize(_strip_cr(WIDGET_TEXT))
    assert ok
    assert (
        decoded["2"]["text"] == 'We are a small team.\nSince 2009;\n<a href="/contact">Say hi";</a>'
    )


@pytest.mark.parametrize(
    ("data", "strict", "expected"),
    [
        ("a:0:{}", True, True),
        ('a:2:{i:0;s:1:"1";i:1;s:1:"2";}', True, True),
        ('O:8:"stdClass":0:{}', True, True),
        ('E:11:"Suit:Hearts";', True, True),
        ("b:0;", True, True),
        ("i:-1;", True, True),
        ("d:1.5E+25;", True, True),
        ("N;", True, True),
        ("  N;  ", True, True),
        ('s:3:"foo";', True, True),
        ('s:3:"foo";', False, True),
        ("s:4:test;", True, False),
        ("a string", True, False),
        ("garbage:a:0:garbage;", True, False),
        ("a:0:{} trailing", True, False),
        ("a:0:{} trailing", False, True),
        ("i:5;junk", True, False),
        ("i:5;junk", False, True),
        ("i:5", False, False),
        ("d:INF;", True, False),
        ('C:2:"Cu":8:{raw;data}', True, False),
        ("é;", True, False),
        ("a:é;", True, False),
        (42, True, False),
    ],
)
def test_is_serialized(data: Any, strict: bool, expected: bool) -> None:
    assert is_serialized(data, strict) is expected


# ------------------------------------------- differential test against PHP

_PHP_CASES: list[tuple[str, Any]] = [
    ("[1, 'two', 3.5, true, null, -7]", [1, "two", 3.5, True, None, -7]),
    ("['a' => ['b' => ['c' => 'd']], 5 => 'five']", {"a": {"b": {"c": "d"}}, "5": "five"}),
    (
        "['é' => \"Zeile 1\\r\\nZeile 2\", 'q' => 'say \"hi\";']",
        {"é": "Zeile 1\r\nZeile 2", "q": 'say "hi";'},
    ),
    ("[0.1, 1e25, -0.0, INF, -INF, NAN]", [0.1, 1e25, -0.0, "INF", "-INF", "NAN"]),
    ("(object) ['x' => 1, 'y' => [2, 3]]", {CLASS_KEY: "stdClass", "x": 1, "y": [2, 3]}),
    (
        "new ArrayObject([1, 2])",
        {CLASS_KEY: "ArrayObject", "0": 0, "1": [1, 2], "2": [], "3": None},
    ),
    ("(function () { $o = new stdClass; return [$o, $o]; })()", [{CLASS_KEY: "stdClass"}] * 2),
    ("(function () { $x = 'hi'; return [&$x, &$x]; })()", ["hi", "hi"]),
    (
        "(function () { $o = new stdClass; $o->me = $o; return $o; })()",
        {CLASS_KEY: "stdClass", "me": {REF_KEY: 1}},
    ),
    (
        "new PhpSerTestChild()",
        {CLASS_KEY: "PhpSerTestChild", "Base::secret": "b", "shared": 1, "Child::secret": "c"},
    ),
    ("[PhpSerTestSuit::Hearts, PhpSerTestSuit::Hearts]", [{ENUM_KEY: "PhpSerTestSuit:Hearts"}] * 2),
]

_PHP_PRELUDE = """
class PhpSerTestBase { private $secret = 'b'; protected $shared = 1; }
class PhpSerTestChild extends PhpSerTestBase { private $secret = 'c'; }
enum PhpSerTestSuit { case Hearts; }
"""


@pytest.mark.skipif(shutil.which("php") is None, reason="php is not installed")
def test_decodes_what_php_serializes() -> None:
    exprs = ", ".join(f"serialize({expr})" for expr, _ in _PHP_CASES)
    script = _PHP_PRELUDE + f"echo json_encode([{exprs}]);"
    try:
        done = subprocess.run(
            ["php", "-r", script], capture_output=True, text=True, timeout=60, check=True
        )
    except subprocess.CalledProcessError as exc:  # e.g. a PHP without enums
        pytest.skip(f"php failed: {exc.stderr.strip()[:200]}")
    serialized = json.loads(done.stdout)
    for raw, (expr, expected) in zip(serialized, _PHP_CASES, strict=True):
        # Private class names in mangled property names carry the real class.
        expected_json = (
            json.dumps(expected)
            .replace('"Base::', '"PhpSerTestBase::')
            .replace('"Child::', '"PhpSerTestChild::')
        )
        assert json.dumps(unserialize(raw)) == expected_json, expr


# ------------------------------------------------------------ the fast path

# Small ints and numeric strings decide whether an array is a list: make them common.
_PLAIN_KEYS = (
    st.integers(-1, 5)
    | st.sampled_from(["0", "1", "2", "05", "-0", "-1", "9223372036854775808"])
    | _TEXT
    | st.integers(-(2**70), 2**70)
)
_PLAIN_SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _TEXT
_PLAIN_VALUES = st.recursive(
    _PLAIN_SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(_PLAIN_KEYS, children, max_size=5)
    ),
    max_leaves=25,
)
# What damage looks like: cut, repeated, or a piece of another token spliced in.
_SPLICES = st.sampled_from(
    ['";', "}", "{", "\n", ":", "0", "9", "a:1:{", 's:1:"', "i:", "N;", "b:2;"]
)


def _strings(value: Any) -> list[str]:
    """Every string and number in a value, keys too."""
    if isinstance(value, dict):
        return [str(k) for k in value] + [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def _decoded(raw: str, decode: Any) -> str:
    try:
        value = decode(raw)
    except Exception as exc:  # noqa: BLE001 - which exception is part of the answer
        return f"raised {type(exc).__name__}"
    # JSON with the key order, so True is not 1 and a list is not a dict with "0".
    return json.dumps(value, ensure_ascii=False)


def _full(raw: str) -> Any:
    return phpserialize._Parser(raw, DEFAULT_MAX_DEPTH, True).parse()


def _fast(raw: str) -> Any:
    return phpserialize._plain(raw.encode("utf-8", "surrogatepass"), DEFAULT_MAX_DEPTH)


@given(_PLAIN_VALUES)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_the_fast_path_decodes_plain_data_as_the_full_parser_does(value: Any) -> None:
    raw = _php_serialize(value)
    full = _decoded(raw, _full)
    fast = _decoded(raw, _fast)
    assert fast in (full, "raised _NotPlain")
    # Left to the full parser: a newline (it may be CRLF damage), numbers past 18 digits,
    # a string that holds '";' itself.
    if not any(re.search('\n|[0-9]{19}|";', text) for text in _strings(value)):
        assert fast == full


@given(_PLAIN_VALUES, st.data())
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_the_fast_path_never_answers_damaged_data_differently(value: Any, data: Any) -> None:
    raw = _php_serialize(value)
    at = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(at, min(len(raw), at + 3)))
    raw = raw[:at] + data.draw(_SPLICES | st.just("")) + raw[end:]
    fast = _decoded(raw, _fast)
    # It either gives the full parser's answer or hands the input over to it.
    assert fast in (_decoded(raw, _full), "raised _NotPlain")


def test_the_fast_path_takes_real_attachment_metadata() -> None:
    assert _fast(ATTACHMENT_METADATA) == _full(ATTACHMENT_METADATA)
    for other in ("a:1:{i:0;d:0.5;}", 'O:8:"stdClass":0:{}', "a:1:{i:0;r:1;}", 's:3:"a\nb";'):
        with pytest.raises(phpserialize._NotPlain):
            _fast(other)
