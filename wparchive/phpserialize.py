"""Safe decoding of PHP ``serialize()`` output into JSON-compatible values.

WordPress stores arrays and objects in the database PHP-serialized
(``a:2:{s:5:"width";i:1200;...}``) and WXR exports carry those bytes verbatim
as text. wparchive decodes them so the archive holds real JSON next to the raw
string, but it never trusts them: nothing is instantiated, no class is looked
up, and the decoder is an explicit-stack loop, so hostile input can cost time
and memory only in proportion to its size.

Mapping (PHP → Python):

=====================================  =====================================
``N;``                                 ``None``
``b:0;`` / ``b:1;``                    ``False`` / ``True``
``i:42;``                              ``int`` (exact; PHP would clamp values
                                       beyond 64 bits, we keep what is written)
``d:0.5;``                             ``float``
``d:INF;`` ``d:-INF;`` ``d:NAN;``      the strings ``"INF"``, ``"-INF"``,
                                       ``"NAN"`` (JSON has no such numbers;
                                       the strings are PHP's own spelling).
                                       A finite literal that overflows a
                                       double (``d:1e999;``) becomes ``"INF"``
                                       too, as it does in PHP.
``s:5:"hello";``                       ``str`` (the length counts UTF-8 bytes)
``a:N:{...}``                          ``list`` when the keys are exactly
                                       0..N-1 in order, else ``dict`` with
                                       ``str`` keys (``a:0:{}`` is ``[]``)
``O:8:"stdClass":N:{...}``             ``{"__php_class__": "stdClass", ...}``
``C:11:"ArrayObject":N:{...}``         ``{"__php_class__": ...,
                                       "__php_custom__": "<payload>"}`` — the
                                       payload of a ``Serializable`` class is in
                                       a format of the class's choosing, so it
                                       is kept as text, not decoded
``E:11:"Suit:Hearts";``                ``{"__php_enum__": "Suit:Hearts"}``
``r:N;`` / ``R:N;``                    a copy of the value they point at, or
                                       ``{"__php_ref__": N}`` (see below)
=====================================  =====================================

Object properties: PHP mangles protected names as ``\\0*\\0name`` and private
ones as ``\\0Class\\0name``; the prefix is stripped to the bare ``name``. Only if
the same bare name occurs under more than one scope in one object (a private
``$x`` in a parent class and a public ``$x`` in the child) do the scoped ones
keep a ``"Class::x"`` / ``"*::x"`` key, so no value is silently lost. A
property literally named ``__php_class__`` becomes ``"::__php_class__"``.

References: PHP numbers every value it decodes (1 = the outermost one, keys
and ``R:`` tokens are not counted) and ``r:``/``R:`` point back at such a
number. The decoded value is a deep copy of the value pointed at, so callers
may mutate the result freely. A reference to a value that is still being
decoded (PHP's recursive structures, e.g. ``$o->self = $o``) cannot be copied
without building a cycle, which JSON cannot represent, so it becomes the marker
``{"__php_ref__": N}``. The same marker is used once the copies made for one
input would exceed a budget proportional to its size — otherwise a few hundred
bytes of nested references could describe gigabytes of output.

CRLF damage (importer bug #178): XML parsers turn ``\\r\\n`` into ``\\n``, so a
string that held Windows line breaks is shorter than its declared byte length
after a round trip through WXR. When a declared length does not land on the
closing ``";`` (or lands there, but what follows cannot continue the data),
:func:`unserialize` looks for another ``";`` that (a) lies before the declared
end, (b) leaves a shortfall no larger than the number of ``\\n`` in the string
(each lost ``\\r`` sits before one), and (c) is followed by a token that may
come next at that point (a key, a value, ``}`` or the end). The nearest such
``";`` wins, which also is the one whose shortfall matches the newline count
most closely. Well-formed data is never re-interpreted: a string whose declared
length fits and is followed by a valid continuation is taken as declared.
Only ``s:`` strings are repaired, not ``C:`` payloads or class names. Recovery
can be switched off with ``recover_crlf=False``; decoding once with and once
without it tells whether a value needed repair.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "CLASS_KEY",
    "CUSTOM_KEY",
    "DEFAULT_MAX_DEPTH",
    "ENUM_KEY",
    "REF_KEY",
    "PhpSerializeError",
    "is_serialized",
    "maybe_unserialize",
    "unserialize",
]

#: Key naming the PHP class of a decoded ``O:`` or ``C:`` object.
CLASS_KEY: Final = "__php_class__"
#: Key holding the raw payload of a ``C:`` (``Serializable``) object.
CUSTOM_KEY: Final = "__php_custom__"
#: Key of the one-entry dict an ``E:`` enum case decodes to.
ENUM_KEY: Final = "__php_enum__"
#: Key of the marker left for a reference that is not expanded.
REF_KEY: Final = "__php_ref__"

#: Arrays/objects nested deeper than this are refused. PHP's own default
#: (``unserialize_max_depth``) is 4096; real WordPress data rarely goes past 10.
DEFAULT_MAX_DEPTH: Final = 512

# What PHP's trim() strips; str.strip() without arguments would also strip
# Unicode spaces that WordPress keeps, and so decide differently.
_PHP_TRIM: Final = " \t\n\r\0\x0b"

# Expanding references may add at most this much "weight" (nodes plus string
# bytes), or four times the input size if that is larger, per decoded input.
_MIN_REF_BUDGET: Final = 1_000_000

# PHP's float syntax (iv | nv | nvexp in var_unserializer.re) plus its three
# special values. Checked by regex because Python's float() accepts more
# ("inf", "1_0", " 1 ") than PHP writes.
_FLOAT_BODY: Final = rb"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NAN|-?INF"

_INT_TOKEN: Final = re.compile(rb"i:([+-]?[0-9]+);")
_FLOAT_TOKEN: Final = re.compile(rb"d:(" + _FLOAT_BODY + rb");")
_STRING_HEAD: Final = re.compile(rb's:([0-9]+):"')
_ARRAY_HEAD: Final = re.compile(rb"a:([0-9]+):\{")
_NAMED_HEAD: Final = re.compile(rb'[OCE]:([0-9]+):"')
_COUNT_BRACE: Final = re.compile(rb"([0-9]+):\{")
_REF_TOKEN: Final = re.compile(rb"[rR]:([0-9]+);")
# zend_is_valid_class_name(): letters, digits, "_", "\" and any high byte.
_CLASS_NAME: Final = re.compile(rb"[A-Za-z0-9_\x80-\xff\\]+")
_IDENTIFIER: Final = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*")

# Tokens that may legally start at a given point; used only to judge CRLF
# recovery candidates, so they check a token's head, not the whole token.
_VALUE_START: Final = re.compile(
    rb"N;|b:[01];|i:[+-]?[0-9]+;|d:(?:" + _FLOAT_BODY + rb");"
    rb'|[sOCE]:[0-9]+:"|a:[0-9]+:\{|[rR]:[0-9]+;'
)
_KEY_START: Final = re.compile(rb'i:[+-]?[0-9]+;|s:[0-9]+:"')

# PHP turns a string key that is a canonical decimal integer into an int key
# ("5" -> 5, but not "05" or "-0"), which decides whether an array is a list.
_CANONICAL_INT: Final = re.compile(r"(?:0|-?[1-9][0-9]{0,18})\Z")
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1

# is_serialized() patterns, as in wp-includes/functions.php.
_WP_HEAD: Final = re.compile(r"[saOE]:[0-9]+:")
_WP_SCALAR_STRICT: Final = re.compile(r"[bid]:[0-9.E+-]+;\Z")
_WP_SCALAR_LOOSE: Final = re.compile(r"[bid]:[0-9.E+-]+;")

# UTF-8 continuation bytes; deleting them from a prefix leaves one byte per
# character, which turns a byte offset into a character offset in C speed.
_CONTINUATION_BYTES: Final = bytes(range(0x80, 0xC0))

# Where a string token sits decides what may follow its closing '";'.
_CTX_TOP: Final = 0  # the whole input: the end of the data
_CTX_KEY: Final = 1  # an array key / property name: a value
_CTX_MORE: Final = 2  # a value with more entries to come: a key
_CTX_LAST: Final = 3  # the last value of an array/object: "}"

_PENDING: Final = object()  # slot of a container still being decoded


class PhpSerializeError(ValueError):
    """Raised for input that is not valid PHP serialize() output.

    ``position`` is the character offset into the decoded ``str``,
    ``byte_offset`` the offset into its UTF-8 encoding (the unit PHP's own
    "Error at offset N" messages and the declared string lengths use).
    """

    def __init__(self, message: str, *, position: int, byte_offset: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.reason = message
        self.position = position
        self.byte_offset = byte_offset


class _Frame:
    """An array or object whose entries are still being read."""

    __slots__ = ("entries", "has_key", "is_list", "is_object", "key", "remaining", "slot", "weight")

    def __init__(self, slot: int, count: int, is_object: bool, class_name: str = "") -> None:
        self.slot = slot
        self.remaining = count
        self.key: Any = None
        self.has_key = False
        self.is_object = is_object
        # Arrays: key -> value, PHP semantics (a repeated key overwrites in
        # place). Objects: (scope, name, value) triples, resolved in finish().
        self.entries: Any = [(None, CLASS_KEY, class_name)] if is_object else {}
        self.is_list = not is_object
        self.weight = 1

    def add(self, value: Any, weight: int) -> None:
        key = self.key
        if self.is_object:
            self.entries.append((*_unmangle(key), value))
        else:
            entries = self.entries
            # Still 0..n-1 in order if the key appends the next index or
            # overwrites an existing one (which keeps its position).
            if self.is_list and not (type(key) is int and 0 <= key <= len(entries)):
                self.is_list = False
            entries[key] = value
        self.weight += weight + 1  # +1 for the key
        self.has_key = False
        self.remaining -= 1

    def finish(self) -> Any:
        if not self.is_object:
            if self.is_list:
                return list(self.entries.values())
            return {str(k): v for k, v in self.entries.items()}
        # A bare name is used unless it occurs under two different scopes;
        # then the scoped ones are qualified so none overwrites another.
        scopes: dict[str, set[str | None]] = {}
        for scope, name, _ in self.entries[1:]:
            scopes.setdefault(name, set()).add(scope)
        result: dict[str, Any] = {}
        for i, (scope, name, value) in enumerate(self.entries):
            if i and name == CLASS_KEY:
                key = f"{scope or ''}::{name}"
            elif scope is not None and len(scopes[name]) > 1:
                key = f"{scope}::{name}"
            else:
                key = name
            result[key] = value
        return result


def _copy_tree(value: Any) -> Any:
    """Deep-copy decoded lists and dicts; scalars are immutable and shared.

    Iterative on purpose: copy.deepcopy() recurses, and a referenced value
    may be nested as deep as ``max_depth`` allows, far past Python's
    recursion limit.
    """
    if not isinstance(value, (dict, list)):
        return value
    top: Any = {} if isinstance(value, dict) else []
    pending = [(value, top)]
    while pending:
        source, target = pending.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, child in pairs:
            if isinstance(child, (dict, list)):
                copied: Any = {} if isinstance(child, dict) else []
                pending.append((child, copied))
            else:
                copied = child
            if isinstance(target, dict):
                target[key] = copied
            else:
                target.append(copied)
    return top


def _unmangle(key: int | str) -> tuple[str | None, str]:
    """Split a PHP property name into (scope, bare name).

    Scope is ``None`` for public, ``"*"`` for protected and the declaring
    class for private properties (``\\0*\\0name`` / ``\\0Class\\0name``).
    """
    if type(key) is int:
        return None, str(key)
    if key.startswith("\0"):
        end = key.find("\0", 1)
        if end > 0:
            return key[1:end], key[end + 1 :]
    return None, key


class _Parser:
    """One decode of one input; holds the state references need."""

    def __init__(self, data: str | bytes, max_depth: int, recover_crlf: bool) -> None:
        # Work on bytes: declared lengths count UTF-8 bytes, and indexing
        # bytes avoids re-encoding or slicing the text per token.
        # "surrogatepass" keeps lone surrogates (legal in a Python str) from
        # raising UnicodeEncodeError; they round-trip unchanged. Bytes are that
        # encoding already (`unserialize` made it for the fast path).
        self.buf = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        self.n = len(self.buf)
        self.max_depth = max_depth
        self.recover = recover_crlf
        # PHP's value numbering for r:/R:, 0-based here; weights measure how
        # much output a copy of each value would add.
        self.slots: list[Any] = []
        self.weights: list[int] = []
        self.ref_budget = max(_MIN_REF_BUDGET, 4 * self.n)
        # Recovery scans forward for '";'; bounding the bytes it may scan in
        # total keeps many damaged strings from costing quadratic time.
        self.scan_budget = 2 * self.n + 4096

    # -- errors -------------------------------------------------------------

    def error(self, message: str, byte_offset: int) -> PhpSerializeError:
        byte_offset = min(byte_offset, self.n)
        position = len(self.buf[:byte_offset].translate(None, _CONTINUATION_BYTES))
        return PhpSerializeError(message, position=position, byte_offset=byte_offset)

    def number(self, digits: bytes, at: int) -> int:
        try:
            return int(digits)
        except ValueError:  # beyond Python's int-from-string digit limit
            raise self.error("number too long", at) from None

    def text(self, start: int, end: int, at: int) -> str:
        try:
            return self.buf[start:end].decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise self.error("string is not valid UTF-8", at) from None

    # -- main loop ----------------------------------------------------------

    def parse(self) -> Any:
        buf = self.buf
        n = self.n
        stack: list[_Frame] = []
        pos = 0
        while True:
            frame = stack[-1] if stack else None
            if frame is not None and not frame.has_key:
                if frame.remaining:
                    pos = self.read_key(pos, frame)
                    continue
                if pos >= n or buf[pos] != 0x7D:  # "}"
                    raise self.error("expected '}' after the last entry", pos)
                pos += 1
                stack.pop()
                value = frame.finish()
                weight = frame.weight
                self.slots[frame.slot] = value
                self.weights[frame.slot] = weight
            else:
                if pos >= n:
                    raise self.error("unexpected end of data, expected a value", pos)
                tag = buf[pos]
                if tag == 0x61 or tag == 0x4F:  # "a", "O": containers
                    if len(stack) >= self.max_depth:
                        raise self.error(f"nesting deeper than {self.max_depth} levels", pos)
                    new, pos = self.open_array(pos) if tag == 0x61 else self.open_object(pos)
                    stack.append(new)
                    continue
                if frame is None:
                    ctx = _CTX_TOP
                else:
                    ctx = _CTX_LAST if frame.remaining == 1 else _CTX_MORE
                value, weight, pos = self.read_scalar(pos, tag, ctx)
            # Hand the finished value to its container, or return it.
            if not stack:
                if pos != n:
                    raise self.error("unexpected data after the value", pos)
                return value
            stack[-1].add(value, weight)

    def new_slot(self) -> int:
        self.slots.append(_PENDING)
        self.weights.append(1)
        return len(self.slots) - 1

    def finish_slot(self, slot: int, value: Any, weight: int) -> None:
        self.slots[slot] = value
        self.weights[slot] = weight

    # -- tokens -------------------------------------------------------------

    def read_key(self, pos: int, frame: _Frame) -> int:
        buf = self.buf
        tag = buf[pos] if pos < self.n else -1
        if tag == 0x69:  # "i"
            m = _INT_TOKEN.match(buf, pos)
            if m is None:
                raise self.error("malformed integer key", pos)
            key: int | str = self.number(m.group(1), pos)
            pos = m.end()
        elif tag == 0x73:  # "s"
            key, pos = self.read_string(pos, _CTX_KEY)
            if not frame.is_object and _CANONICAL_INT.match(key):
                as_int = int(key)
                if _INT64_MIN <= as_int <= _INT64_MAX:
                    key = as_int
        elif tag == -1:
            raise self.error("unexpected end of data, expected a key", pos)
        else:
            raise self.error("a key must be an integer (i:) or a string (s:)", pos)
        frame.key = key
        frame.has_key = True
        return pos

    def open_array(self, pos: int) -> tuple[_Frame, int]:
        m = _ARRAY_HEAD.match(self.buf, pos)
        if m is None:
            raise self.error("malformed array header, expected a:<count>:{", pos)
        count = self.number(m.group(1), pos)
        return _Frame(self.new_slot(), count, is_object=False), m.end()

    def read_class_name(self, pos: int) -> tuple[str, int]:
        """Read the ``X:<len>:"<name>"`` head shared by O:, C: and E:."""
        buf = self.buf
        m = _NAMED_HEAD.match(buf, pos)
        if m is None:
            raise self.error("malformed class name header", pos)
        start = m.end()
        end = start + self.number(m.group(1), pos)
        if end >= self.n or buf[end] != 0x22:  # '"'
            raise self.error("class name length does not match", pos)
        return self.text(start, end, pos), end + 1

    def open_object(self, pos: int) -> tuple[_Frame, int]:
        name, after = self.read_class_name(pos)
        if not _CLASS_NAME.fullmatch(name.encode("utf-8", "surrogatepass")):
            raise self.error(f"invalid class name {name!r}", pos)
        m = _COUNT_BRACE.match(self.buf, after + 1) if self.buf[after : after + 1] == b":" else None
        if m is None:
            raise self.error("malformed object header, expected :<count>:{", after)
        count = self.number(m.group(1), after)
        return _Frame(self.new_slot(), count, is_object=True, class_name=name), m.end()

    def read_scalar(self, pos: int, tag: int, ctx: int) -> tuple[Any, int, int]:
        """Decode a non-container token; return (value, weight, next pos)."""
        buf = self.buf
        if tag == 0x52:  # "R": a PHP reference takes no number of its own
            return self.read_reference(pos, own_slot=False)
        slot = self.new_slot()
        weight = 1
        if tag == 0x73:  # "s"
            value, end = self.read_string(pos, ctx)
            weight += end - pos
        elif tag == 0x69:  # "i"
            m = _INT_TOKEN.match(buf, pos)
            if m is None:
                raise self.error("malformed integer, expected i:<digits>;", pos)
            value, end = self.number(m.group(1), pos), m.end()
        elif tag == 0x4E:  # "N"
            if buf[pos + 1 : pos + 2] != b";":
                raise self.error("malformed null, expected N;", pos)
            value, end = None, pos + 2
        elif tag == 0x62:  # "b"
            token = buf[pos : pos + 4]
            if token not in (b"b:0;", b"b:1;"):
                raise self.error("malformed boolean, expected b:0; or b:1;", pos)
            value, end = token == b"b:1;", pos + 4
        elif tag == 0x64:  # "d"
            value, end = self.read_float(pos)
        elif tag == 0x72:  # "r"
            value, weight, end = self.read_reference(pos, own_slot=True)
        elif tag == 0x43:  # "C"
            value, end = self.read_custom(pos)
            weight += end - pos
        elif tag == 0x45:  # "E"
            value, end = self.read_enum(pos)
        else:
            raise self.error(f"unknown type {chr(tag)!r}", pos)
        self.finish_slot(slot, value, weight)
        return value, weight, end

    def read_float(self, pos: int) -> tuple[float | str, int]:
        m = _FLOAT_TOKEN.match(self.buf, pos)
        if m is None:
            raise self.error("malformed float, expected d:<number>;", pos)
        literal = m.group(1)
        if literal[-1:] in (b"N", b"F"):  # NAN, INF, -INF
            return literal.decode("ascii"), m.end()
        value = float(literal)
        if value in (float("inf"), float("-inf")):  # overflowed, e.g. 1e999
            return ("-INF" if value < 0 else "INF"), m.end()
        return value, m.end()

    def read_custom(self, pos: int) -> tuple[dict[str, Any], int]:
        name, after = self.read_class_name(pos)
        if not _CLASS_NAME.fullmatch(name.encode("utf-8", "surrogatepass")):
            raise self.error(f"invalid class name {name!r}", pos)
        buf = self.buf
        m = _COUNT_BRACE.match(buf, after + 1) if buf[after : after + 1] == b":" else None
        if m is None:
            raise self.error("malformed custom object header, expected :<length>:{", after)
        start = m.end()
        end = start + self.number(m.group(1), after)
        if end >= self.n or buf[end] != 0x7D:  # "}"
            raise self.error("custom object payload length does not match", after)
        return {CLASS_KEY: name, CUSTOM_KEY: self.text(start, end, after)}, end + 1

    def read_enum(self, pos: int) -> tuple[dict[str, str], int]:
        name, after = self.read_class_name(pos)
        if self.buf[after : after + 1] != b";":
            raise self.error("malformed enum, expected ; after the name", after)
        cls, sep, case = name.partition(":")
        if not (
            sep
            and _CLASS_NAME.fullmatch(cls.encode("utf-8", "surrogatepass"))
            and _IDENTIFIER.fullmatch(case.encode("utf-8", "surrogatepass"))
        ):
            raise self.error(f"invalid enum case {name!r}, expected Class:Case", pos)
        return {ENUM_KEY: name}, after + 1

    def read_reference(self, pos: int, own_slot: bool) -> tuple[Any, int, int]:
        m = _REF_TOKEN.match(self.buf, pos)
        if m is None:
            raise self.error("malformed reference, expected r:<n>; or R:<n>;", pos)
        number = self.number(m.group(1), pos)
        # r: has already been given its own number by read_scalar, but may
        # not point at itself (PHP refuses that too).
        known = len(self.slots) - 1 if own_slot else len(self.slots)
        if not 1 <= number <= known:
            raise self.error(f"reference to unknown value #{number}", pos)
        target = self.slots[number - 1]
        weight = self.weights[number - 1]
        if target is _PENDING or weight > self.ref_budget:
            return {REF_KEY: number}, 1, m.end()
        self.ref_budget -= weight
        return _copy_tree(target), weight, m.end()

    # -- strings and CRLF recovery -----------------------------------------

    def read_string(self, pos: int, ctx: int) -> tuple[str, int]:
        buf = self.buf
        m = _STRING_HEAD.match(buf, pos)
        if m is None:
            raise self.error('malformed string, expected s:<length>:"', pos)
        length = self.number(m.group(1), pos)
        start = m.end()
        end = start + length
        if end + 2 <= self.n and buf[end] == 0x22 and buf[end + 1] == 0x3B:  # '";'
            # The declared end fits. Only a string with newlines can be CRLF
            # damaged, and only then is the (rare) cross-check worth doing.
            if not self.recover or buf.find(b"\n", start, end) < 0 or self.continues(end + 2, ctx):
                return self.text(start, end, pos), end + 2
            fixed = self.recover_end(start, length, ctx, pos)
            if fixed is not None:
                end = fixed
            return self.text(start, end, pos), end + 2
        if self.recover:
            fixed = self.recover_end(start, length, ctx, pos)
            if fixed is not None:
                return self.text(start, fixed, pos), fixed + 2
        if end + 2 > self.n:
            raise self.error(f"string length {length} runs past the end of the data", pos)
        raise self.error(f"string length {length} does not end at '\";'", pos)

    def continues(self, pos: int, ctx: int) -> bool:
        """Whether the data at ``pos`` can follow a string in context ``ctx``."""
        if ctx == _CTX_TOP:
            return pos == self.n
        if ctx == _CTX_LAST:
            return pos < self.n and self.buf[pos] == 0x7D  # "}"
        pattern = _VALUE_START if ctx == _CTX_KEY else _KEY_START
        return pattern.match(self.buf, pos) is not None

    def recover_end(self, start: int, length: int, ctx: int, at: int) -> int | None:
        """Find where a string shortened by lost ``\\r`` really ends.

        Returns the offset of its closing ``"`` or ``None``. A candidate
        ``";`` at ``q`` means ``short = length - (q - start)`` bytes were
        lost; it qualifies if ``1 <= short <= newlines before q`` and the
        data after it continues validly. As ``q`` grows, ``short`` shrinks
        and the newline count grows, so the first qualifying candidate is
        also the one that best matches "one lost \\r per newline".
        """
        buf = self.buf
        limit = min(start + length + 1, self.n)  # q <= start + length - 1
        self.scan_budget -= max(0, limit - start)
        if self.scan_budget < 0:
            raise self.error("too many damaged strings to recover", at)
        newlines = 0
        counted_to = start
        q = buf.find(b'";', start, limit)
        while q >= 0:
            newlines += buf.count(b"\n", counted_to, q)
            counted_to = q
            short = length - (q - start)
            if 1 <= short <= newlines and self.continues(q + 2, ctx):
                return q
            q = buf.find(b'";', q + 1, limit)
        return None


def unserialize(
    data: str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    recover_crlf: bool = True,
) -> Any:
    """Decode one PHP-serialized value into JSON-compatible Python values.

    See the module docstring for the type mapping, references, objects and
    the CRLF recovery. The whole of ``data`` must be one value: leading or
    trailing bytes (even whitespace) are an error — unlike PHP, which ignores
    trailing data — so that garbage is not mistaken for a decoded value;
    :func:`maybe_unserialize` trims the way WordPress does first.

    Raises :class:`PhpSerializeError` (a ``ValueError``) on malformed input,
    including nesting deeper than ``max_depth`` arrays/objects.
    """
    if not isinstance(data, str):
        raise TypeError(f"unserialize() needs a str, not {type(data).__name__}")
    buf = data.encode("utf-8", "surrogatepass")
    try:
        return _plain(buf, max_depth)
    except _NotPlain:
        return _Parser(buf, max_depth, recover_crlf).parse()


# -- the fast path ---------------------------------------------------------------------
#
# What WordPress itself writes (attachment metadata, options, widget settings) is arrays of
# strings, integers, booleans and nulls. `_plain` decodes exactly that, its tokens found by
# two regex calls rather than one match each (~40% less time on real attachment
# metadata), and gives up — `_NotPlain` — on anything else: floats, objects, references, a
# string holding a newline (it may be CRLF damage, which `_Parser` judges), a length that
# does not land on '";', a count that does not match, invalid UTF-8, nesting past the
# limit. `_Parser` then decodes from the start, so every answer and every error is its.

# The tokens, and a run of nothing but tokens (checked first, so findall skips nothing). A
# string's text runs to the first '";' — if it held one itself, its length won't match.
_PLAIN_TOKENS = (
    rb's:([0-9]{1,9}):"([^"]*(?:"(?!;)[^"]*)*)";|i:([+-]?[0-9]{1,18});|a:([0-9]{1,9}):\{|(\})'
    rb"|b:([01]);|(N;)"
)
_PLAIN_RUN: Final = re.compile(b"(?:" + _PLAIN_TOKENS + b")*")
_PLAIN_TOKEN: Final = re.compile(_PLAIN_TOKENS)


class _NotPlain(Exception):
    pass


def _plain(buf: bytes, max_depth: int) -> Any:
    if b"\n" in buf or not _PLAIN_RUN.fullmatch(buf):
        raise _NotPlain
    tokens = _PLAIN_TOKEN.findall(buf)
    last = len(tokens) - 1
    # Open arrays: [entries, is_list, entries still to read, key or _PENDING]
    stack: list[list[Any]] = []
    frame: list[Any] | None = None
    value: Any
    for i, (length, text, integer, count, close, boolean, null) in enumerate(tokens):
        key_wanted = frame is not None and frame[3] is _PENDING
        if close:
            if frame is None or frame[2] or not key_wanted:
                raise _NotPlain  # (entries fewer or more than the count said: not 0)
            stack.pop()
            entries = frame[0]
            value = list(entries.values()) if frame[1] else {str(k): v for k, v in entries.items()}
        elif length:
            if len(text) != int(length):
                raise _NotPlain
            try:
                value = text.decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                raise _NotPlain from None
            if key_wanted:
                if _CANONICAL_INT.match(value) and _INT64_MIN <= int(value) <= _INT64_MAX:
                    value = int(value)
                frame[3] = value  # type: ignore[index]
                continue
        elif integer:
            value = int(integer)
            if key_wanted:
                frame[3] = value  # type: ignore[index]
                continue
        elif key_wanted:
            raise _NotPlain  # an array, a boolean or null where a key must be
        elif count:
            if len(stack) >= max_depth:
                raise _NotPlain
            frame = [{}, True, int(count), _PENDING]
            stack.append(frame)
            continue
        else:
            value = None if null else boolean == b"1"
        if not stack:
            if i != last:
                raise _NotPlain  # data after the value
            return value
        frame = stack[-1]
        key, entries = frame[3], frame[0]
        # (as _Frame.add: still a list while each key appends or overwrites an index)
        if frame[1] and not (type(key) is int and 0 <= key <= len(entries)):
            frame[1] = False
        entries[key] = value
        frame[2] -= 1
        frame[3] = _PENDING
    raise _NotPlain  # (no tokens, or arrays left open)


def is_serialized(data: object, strict: bool = True) -> bool:
    """WordPress's ``is_serialized()``: does ``data`` look PHP-serialized?

    A cheap shape test, ported from ``wp-includes/functions.php`` (6.x, which
    knows ``E:`` enums): after PHP-``trim()``, ``N;``, or ``b:``/``i:``/``d:``
    with digits ``.E+-`` and a ``;``, or ``s:``/``a:``/``O:``/``E:`` with
    ``<digits>:`` and, when ``strict``, ending in ``;`` or ``}`` (``s:`` in
    ``";``). Like WordPress it does not recognise ``C:``, ``r:``/``R:``, or
    ``d:INF;``/``d:NAN;`` as serialized.
    """
    if not isinstance(data, str):
        return False
    data = data.strip(_PHP_TRIM)
    if data == "N;":
        return True
    # strlen() counts bytes; only short strings can differ in the two counts.
    if len(data) < 4 and len(data.encode("utf-8", "surrogatepass")) < 4:
        return False
    if data[1] != ":":
        return False
    if strict:
        if data[-1] not in ";}":
            return False
    else:
        semicolon = data.find(";")
        brace = data.find("}")
        if semicolon == -1 and brace == -1:
            return False
        # Positions in bytes, as strpos() gives them.
        if semicolon != -1 and len(data[:semicolon].encode("utf-8", "surrogatepass")) < 3:
            return False
        if brace != -1 and len(data[:brace].encode("utf-8", "surrogatepass")) < 4:
            return False
    token = data[0]
    if token == "s":
        if strict:
            if data[-2] != '"':
                return False
        elif '"' not in data:
            return False
    if token in "saOE":
        return _WP_HEAD.match(data) is not None
    if token in "bid":
        pattern = _WP_SCALAR_STRICT if strict else _WP_SCALAR_LOOSE
        return pattern.match(data) is not None
    return False


def maybe_unserialize(
    value: str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    recover_crlf: bool = True,
) -> tuple[Any, bool]:
    """WordPress's ``maybe_unserialize()``, reporting whether it decoded.

    Returns ``(decoded, True)`` if :func:`is_serialized` accepts ``value``
    and it decodes (after PHP-``trim()``, as WordPress does), else
    ``(value, False)`` with ``value`` unchanged — also for a string that only
    looks serialized, e.g. ``s:5:"abc";`` (WordPress would return ``false``;
    an archive keeps the text instead). CRLF recovery applies (see the module
    docstring), and only where lost ``\\r`` explain a length shortfall.

    Like WordPress, one level is decoded: a value serialized twice comes back
    as the inner serialized string.
    """
    if not isinstance(value, str) or not is_serialized(value):
        return value, False
    try:
        decoded = unserialize(
            value.strip(_PHP_TRIM), max_depth=max_depth, recover_crlf=recover_crlf
        )
    except PhpSerializeError:
        return value, False
    return decoded, True


def serialize(value: Any) -> str:
    """PHP's ``serialize()`` of a JSON value as `unserialize` decoded it (objects carry
    ``__php_class__``): what an exported WXR file needs to give WordPress its meta back."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        text = repr(value)
        if text in ("inf", "-inf", "nan"):
            text = {"inf": "INF", "-inf": "-INF", "nan": "NAN"}[text]
        return f"d:{text};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, list):
        items = "".join(f"i:{i};{serialize(v)}" for i, v in enumerate(value))
        return f"a:{len(value)}:{{{items}}}"
    if isinstance(value, dict):
        cls = value.get("__php_class__")
        pairs = [(k, v) for k, v in value.items() if k != "__php_class__"]
        items = "".join(_php_key(k) + serialize(v) for k, v in pairs)
        if isinstance(cls, str) and cls:
            return f'O:{len(cls.encode())}:"{cls}":{len(pairs)}:{{{items}}}'
        return f"a:{len(pairs)}:{{{items}}}"
    return serialize(str(value))


def _php_key(key: Any) -> str:
    text = str(key)
    if re.fullmatch(r"-?(?:0|[1-9]\d{0,17})", text):
        return f"i:{text};"  # PHP turns numeric string keys into integers
    return serialize(text)
