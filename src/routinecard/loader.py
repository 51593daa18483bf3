"""Safe, strict YAML loading with a source position for every value.

Why not plain ``yaml.safe_load``: it speaks YAML 1.1 (``no`` is False, ``010``
is 8, dates become ``datetime``), silently keeps the last of two duplicate
keys, expands aliases (billion-laughs), and forgets where values came from.
Here we compose once with a locked-down ``SafeLoader`` subclass, refuse
anchors, aliases and tags while composing (before anything can expand), then
walk the node tree once to build plain data plus a path -> (line, column) map,
so every later check can point at the exact spot in the user's file.

Policy decisions:
- Every explicit tag is refused, ``!!str`` included: quoting forces text just
  as well, and one rule ("no tags") is easier to explain than a whitelist.
- ``<<`` has no special meaning (there is no merge-key resolver); ``<<: *a``
  is refused because of the alias, ``<<: {...}`` is just a key named ``<<``.
- A document that is only ``---`` / comments counts as empty.
- File-level failures (missing, folder, permissions, size) carry the file but
  no line/column, since there is no meaningful position; everything about the
  content carries a 1-based line and column (columns count characters).
- Line counting follows PyYAML (``\\n``, ``\\r\\n``, lone ``\\r``, U+0085,
  U+2028, U+2029 all end a line), so our own marks agree with the parser's.

Why one long module: the refusing composer, the marks, the YAML 1.2 core resolvers and the
fast (libyaml) and slow (pure Python) paths share private state that must not leak; split, it would.
"""

from __future__ import annotations

import dataclasses
import hashlib

import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import yaml
from yaml.events import (
    AliasEvent,
    MappingStartEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, Problem, display_path

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Document",
    "FieldPath",
    "Mark",
    "format_path",
    "load_yaml_bytes",
    "load_yaml_file",
    "load_referenced_file",
    "require_mapping",
]

MAX_BYTES = 262_144  # 256 KiB: fifty times a real card; pure-Python YAML parses it in ~2 s
"""Files larger than this are refused before parsing (pure-Python YAML is slow)."""

MAX_DEPTH = 64
"""Deepest allowed nesting of lists/mappings; keeps recursion far from Python's limit."""

FieldPath = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"

# Same set PyYAML's Reader refuses; checked up front so we can say where.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_PLAIN_KEY = re.compile(r"[^\s.\[\]'\"]+\Z")


# --------------------------------------------------------------------------- marks


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based position in the source text (column counts characters)."""

    line: int
    column: int


def _from_yaml_mark(mark: yaml.Mark) -> Mark:
    """PyYAML marks are 0-based; users and editors count from 1."""
    return Mark(mark.line + 1, mark.column + 1)


def _text_mark(text: str, index: int) -> Mark:
    """Mark of ``text[index]``, counting line breaks exactly like PyYAML does."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        line_start = match.end()
    return Mark(line, index - line_start + 1)


def _byte_mark(raw: bytes, index: int) -> Mark:
    """Mark of ``raw[index]`` in a file that may not decode past that point."""
    prefix = raw[:index].decode("utf-8", errors="replace")
    if prefix.startswith("\ufeff"):
        prefix = prefix[1:]
    return _text_mark(prefix, len(prefix))


# --------------------------------------------------------------------------- paths


def format_path(path: FieldPath) -> str:
    """Render a path the way users read it: ``points[0].timing.hold_s``.

    Keys that are empty or contain whitespace, dots, brackets or quotes are
    quoted (``steps['my key']``) so the rendering stays unambiguous; the root
    ``()`` renders as ``''``.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{str(part)!r}]")
    return "".join(out)


def walk_strings(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string inside plain data (dicts, lists, tuples), with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from walk_strings(item, path + (index,))


# --------------------------------------------------------------------------- document


class Located(Protocol):
    """Data that knows where each of its values was written. Three kinds share this: a
    `Document` (one file), a `patients.CardSource` (a card adapted by a patient file or
    the command line) and a `layouts.MergedDocument` (a layout's `extends` chain).
    Validation and checks report problems through it without knowing which it is."""

    @property
    def data(self) -> Any: ...

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem: ...


@dataclass(frozen=True)
class Document:
    """Parsed data plus where each value (and each mapping key) came from."""

    data: Any
    file: str
    positions: dict[FieldPath, Mark]
    key_positions: dict[FieldPath, Mark]
    redact: bool = False  # a file another file named: its values are never quoted in messages

    def mark(self, path: FieldPath) -> Mark | None:
        """Best mark for a path: its own value mark, else its nearest ancestor's.

        Missing fields have no position of their own; pointing at the mapping
        that should have held them is the most useful fallback.
        """
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def problem(self, path: FieldPath, message: str, *, key: bool = False) -> Problem:
        """A Problem located at ``path``; ``key=True`` points at the key instead
        of the value (for unknown or misspelt field names)."""
        where = self.key_positions.get(tuple(path)) if key else None
        if where is None:
            where = self.mark(path)
        if self.redact:
            message = redacted(message, self.data)
        return Problem(
            message,
            file=self.file,
            line=where.line if where else None,
            column=where.column if where else None,
            field=format_path(path),
        )


def redacted(message: str, data: Any) -> str:
    """`message` with every quoted value of `data` (and each number after "found") shown
    as '…': a message about a file that someone else named says where and what was
    expected, never what the file holds."""
    texts: set[str] = set()
    numbers: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():  # keys are field names: shown in the field path anyway
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            texts.add(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers.add(repr(value))

    walk(data)
    for text in sorted(texts, key=len, reverse=True):
        for shown in (repr(text), repr(text[:37] + "...")):
            message = message.replace(shown, "'…'")
    for number in numbers:
        message = re.sub(rf"(found (the number )?){re.escape(number)}\b", r"\1…", message)
    return message


def _kind(value: Any) -> str:
    """Short human description of a value's type, for 'found ...' messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    return type(value).__name__


def require_mapping(doc: Document, what: str = "") -> dict[str, Any]:
    """The top-level mapping, or an InputError saying what was found instead.

    Callers check this before schema validation so a file that is a list or a
    bare value gets one clear sentence instead of a pile of "missing field"s.
    ``what`` names the kind of file: ``"card"`` gives "expected a mapping of
    fields at the top of the card file, found a list"; ``""`` or a phrase that
    starts with "the " (``"the file"``) is used as the place itself.
    """
    if isinstance(doc.data, dict):
        return doc.data
    what = what.strip()
    place = "the file" if not what else what if what.startswith("the ") else f"the {what} file"
    raise InputError(
        doc.problem((), f"expected a mapping of fields at the top of {place}, found {_kind(doc.data)}")
    )


# --------------------------------------------------------------------------- YAML 1.2 core loader


class _Refused(Exception):
    """Raised inside the composer for constructs we refuse; carries where."""

    def __init__(self, message: str, mark: Any, path: FieldPath) -> None:  # a PyYAML or libyaml mark
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.path = path


def _show_tag(tag: str) -> str:
    """Turn an expanded tag back into what the user typed (``!!binary``)."""
    if tag.startswith(_YAML_TAG_PREFIX):
        return "!!" + tag[len(_YAML_TAG_PREFIX):]
    return tag


class _Refusing:
    """The refusing composer step, shared by the C-backed and the pure-Python loaders.

    Mixed in before PyYAML's ``Composer``; only the scanner/parser/composer/resolver parts
    are used, the data is built by our own walk (so no constructor ever sees a tag).
    """

    _path: list[str | int]
    _depth: int

    if TYPE_CHECKING:  # provided by PyYAML's parser, the other base class

        def peek_event(self) -> Any: ...

    def _start_refusing(self) -> None:
        self._path = []
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Refuse aliases, anchors, tags and deep nesting before composing them."""
        pushed = False
        if isinstance(index, ScalarNode):
            self._path.append(index.value)
            pushed = True
        elif isinstance(index, int) and parent is not None:
            self._path.append(index)
            pushed = True
        try:
            event = self.peek_event()
            here = tuple(self._path)
            if isinstance(event, AliasEvent):
                raise _Refused(
                    f"anchors and aliases are not allowed (found alias '*{event.anchor}'); "
                    "write the value out in full",
                    event.start_mark,
                    here,
                )
            if event.anchor is not None:
                raise _Refused(
                    f"anchors and aliases are not allowed (found anchor '&{event.anchor}'); "
                    "write the value out in full",
                    event.start_mark,
                    here,
                )
            tag = getattr(event, "tag", None)
            if tag is not None:
                hint = "; put the value in quotes to make it text" if tag == _STR else ""
                raise _Refused(
                    f"tags are not allowed (found '{_show_tag(tag)}'){hint}", event.start_mark, here
                )
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                self._depth += 1
                try:
                    if self._depth > MAX_DEPTH:
                        raise _Refused(
                            f"nesting is too deep (more than {MAX_DEPTH} levels of lists/mappings)",
                            event.start_mark,
                            here,
                        )
                    return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
                finally:
                    self._depth -= 1
            return super().compose_node(parent, index)  # type: ignore[misc, no-any-return]
        finally:
            if pushed:
                self._path.pop()


class _CoreLoader(_Refusing, yaml.SafeLoader):
    """Pure-Python PyYAML with YAML 1.2 core-schema resolution and the refusing composer.

    Used for files the fast loader rejects, because PyYAML's own error messages show
    the offending line (libyaml's marks carry no snippet).
    """

    # A fresh dict: SafeLoader's own resolvers (YAML 1.1) stay untouched.
    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start_refusing()


_CParser: type[Any] | None  # None: parse with pure Python (tests switch it off too)
try:  # libyaml's C parser, when PyYAML was built with it (the wheels are)
    from yaml._yaml import CParser as _LibyamlParser

    _CParser = _LibyamlParser
except ImportError:  # pragma: no cover - a PyYAML without libyaml
    _CParser = None


if _CParser is not None:

    class _FastLoader(_Refusing, yaml.composer.Composer, _LibyamlParser, yaml.resolver.Resolver):
        """libyaml's C scanner and parser feeding the same Python composer and resolver.

        About ten times faster than the pure-Python parser for a card file, with the same
        nodes, tags and line/column marks (a test compares both on every shipped file).
        """

        def __init__(self, stream: str) -> None:
            _LibyamlParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start_refusing()
            self.saw_empty_plain = False

        def compose_scalar_node(self, anchor: Any) -> ScalarNode:
            """libyaml marks an empty plain scalar (`[?, ]`, `key:`) a column away from
            PyYAML; such files take the slow path so every position agrees."""
            node: ScalarNode = super().compose_scalar_node(anchor)
            if node.value == "" and not node.style:
                self.saw_empty_plain = True
            return node


def _core(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{pattern})\Z")


# Order matters: PyYAML tries resolvers for a first character in insertion
# order, and ints must win over floats ("10" is an int, "10.0" a float).
for _tag, _regexp, _first in (
    (_NULL, _core(r"~|null|Null|NULL|"), ["~", "n", "N", ""]),
    (_BOOL, _core(r"true|True|TRUE|false|False|FALSE"), list("tTfF")),
    (_INT, _core(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"), list("-+0123456789")),
    (
        _FLOAT,
        _core(
            r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
        ),
        list("-+.0123456789"),
    ),
):
    _CoreLoader.add_implicit_resolver(_tag, _regexp, _first)
if _CParser is not None:
    _FastLoader.yaml_implicit_resolvers = _CoreLoader.yaml_implicit_resolvers


# --------------------------------------------------------------------------- YAML errors -> Problems


def _at(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "earlier"


def _explain(err: yaml.MarkedYAMLError) -> str:
    """PyYAML's wording is parser-speak; say what the user should fix."""
    problem = err.problem or ""
    context = err.context or ""
    opened = _at(err.context_mark)
    if problem.startswith("found character '\\t'"):
        return "found a tab character where indentation is expected; use spaces"
    if "quoted scalar" in context and "end of stream" in problem:
        return f"the quoted text starting at {opened} is never closed; add the closing quote"
    if "flow sequence" in context:
        return f"the list '[' opened at {opened} is not closed with ']' (or a ',' is missing)"
    if "flow mapping" in context:
        return f"the mapping '{{' opened at {opened} is not closed with '}}' (or a ',' is missing)"
    if problem == "mapping values are not allowed here":
        return "unexpected ':' here; a value that contains ': ' must be put in quotes"
    if problem.startswith("expected <block end>, but found ':'"):
        return "found ':' with no key in front of it; write 'key: value'"
    if problem.startswith("expected <block end>, but found '?'") and "collection" in context:
        return (
            "a 'key: value' line is mixed into a list ('- ...') at the same indentation; "
            "check the indentation"
        )
    if problem.startswith("expected <block end>, but found '<scalar>'"):
        return (
            "unexpected text after the value; check the indentation, "
            "or put the whole value in quotes"
        )
    if problem.startswith("expected <block"):
        return (
            "this line does not line up with the lines above; check the indentation "
            "(and that a list and a mapping are not mixed at the same level)"
        )
    if "found unexpected end of stream" in problem or "'<stream end>'" in problem:
        return "the file ends before this value is complete"
    if "could not find expected ':'" in problem:
        return f"expected 'key: value' (the ':' is missing after the text at {opened})"
    match = re.match(r"found character '(.+)' that cannot start any token", problem)
    if match:
        return f"a value cannot start with {match.group(1)!r}; put the value in quotes"
    match = re.match(r"found unknown escape character '(.+)'", problem)
    if match:
        return (
            f"unknown escape '\\{match.group(1)}' in double-quoted text; "
            "use single quotes, or write '\\\\' for a backslash"
        )
    text = problem or context or "invalid YAML"
    if context and problem and err.context_mark is not None:
        text = f"{problem} ({context} started at {opened})"
    return f"invalid YAML: {text}"


# --------------------------------------------------------------------------- decoding


def _looks_utf16(raw: bytes) -> bool:
    """ASCII-heavy UTF-16 without a BOM: zero bytes on one parity only."""
    even, odd = raw[0::2], raw[1::2]
    if not even or not odd:
        return False
    z_even, z_odd = even.count(0), odd.count(0)
    return (z_odd * 2 >= len(odd) and z_even == 0) or (z_even * 2 >= len(even) and z_odd == 0)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"


def _mostly_control(raw: bytes) -> bool:
    """Binary files are full of control bytes; text has (almost) none."""
    sample = raw[:8192]
    if not sample:
        return False
    count = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return count >= 8 and count * 10 > len(sample)


def _decode(raw: bytes, file: str) -> str:
    """Bytes -> text, refusing anything but UTF-8 with a located, fixable message."""

    def fail(message: str, where: Mark) -> InputError:
        return InputError(Problem(message, file=file, line=where.line, column=where.column))

    start = Mark(1, 1)
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise fail("file is UTF-32 text; save it as UTF-8", start)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail("file is UTF-16 text; save it as UTF-8", start)
    nul = raw.find(b"\x00")
    if nul >= 0:
        if _looks_utf16(raw):
            raise fail("file looks like UTF-16 text (without a byte-order mark); save it as UTF-8", start)
        where = _byte_mark(raw, nul)
        raise fail(
            f"not a text file (found a NUL byte at line {where.line}, column {where.column}); "
            "expected a YAML text file",
            where,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _byte_mark(raw, exc.start)
        if _mostly_control(raw):
            raise fail("not a text file (it is full of binary data); expected a YAML text file", where) from None
        bad = raw[exc.start]
        raise fail(
            f"file is not UTF-8 text (byte 0x{bad:02x} at line {where.line}, column {where.column}); "
            "save it as UTF-8",
            where,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    found = _NON_PRINTABLE.search(text)
    if found is not None:
        where = _text_mark(text, found.start())
        if _mostly_control(raw):
            raise fail("not a text file (it is full of control characters); expected a YAML text file", where)
        raise fail(
            f"the file contains a control character (U+{ord(found.group()):04X}) that YAML does not "
            "allow; delete it",
            where,
        )
    return text


# --------------------------------------------------------------------------- building data


class _Builder:
    """One walk over the composed nodes: plain data plus value/key marks."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[FieldPath, Mark] = {}
        self.key_positions: dict[FieldPath, Mark] = {}

    def fail(self, message: str, mark: Mark, path: FieldPath) -> InputError:
        return InputError(
            Problem(message, file=self.file, line=mark.line, column=mark.column, field=format_path(path))
        )

    def build(self, node: Node, path: FieldPath) -> Any:
        mark = _from_yaml_mark(node.start_mark)
        self.positions[path] = mark
        if isinstance(node, ScalarNode):
            return self.scalar(node, mark, path)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.key(key_node, path)
                key_path = path + (key,)
                key_mark = _from_yaml_mark(key_node.start_mark)
                if key in result:
                    first = self.key_positions[key_path]
                    raise self.fail(f"duplicate key {key!r} (first at line {first.line})", key_mark, key_path)
                self.key_positions[key_path] = key_mark
                result[key] = self.build(value_node, key_path)
            return result
        raise self.fail(f"unsupported YAML node {type(node).__name__}", mark, path)  # pragma: no cover

    def key(self, node: Node, parent: FieldPath) -> str:
        """Keys must be text: field names, never numbers, booleans, nulls or lists."""
        mark = _from_yaml_mark(node.start_mark)
        if isinstance(node, ScalarNode):
            if node.tag == _STR:
                return str(node.value)
            value = self.scalar(node, mark, parent)
            shown = "an empty key" if value is None and node.value == "" else _kind(value)
            raise self.fail(
                f"mapping keys must be text, found {shown}; put the key in quotes if you mean it as text",
                mark,
                parent + (node.value,),
            )
        kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
        raise self.fail(f"mapping keys must be text, found {kind}", mark, parent)

    def scalar(self, node: ScalarNode, mark: Mark, path: FieldPath) -> Any:
        """Convert a resolved scalar; the resolver already decided its type."""
        value: str = node.value
        tag = node.tag
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            try:
                if value.startswith("0x"):
                    return int(value[2:], 16)
                if value.startswith("0o"):
                    return int(value[2:], 8)
                return int(value, 10)
            except ValueError:
                raise self.fail(f"the number has too many digits ({len(value)})", mark, path) from None
        if tag == _FLOAT:
            lowered = value.lower()
            if lowered.endswith(".inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            if lowered == ".nan":
                return float("nan")
            return float(value)
        return value  # pragma: no cover - every plain scalar resolves to one of the above


# --------------------------------------------------------------------------- entry points


def load_yaml_bytes(raw: bytes, file: str) -> Document:
    """Parse one YAML document from bytes; every failure is an InputError.

    Parsed documents are remembered by content (and display name): a long-running worker
    that builds the same card again does not parse it again. Callers must not mutate
    `Document.data` (patients.adapt deep-copies before changing anything).
    """
    if len(raw) > MAX_BYTES:
        raise InputError(
            Problem(f"file is too large ({len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes)", file=file)
        )
    return _parse_cached(hashlib.sha256(raw).digest(), raw, file)


_PARSED: dict[tuple[bytes, str], Document] = {}
# A few documents are enough for what the cache is for (the same card built again in a
# warm process: a preview, a worker's next layout); 256 kept ~25 MB of positions alive
# in every batch worker, so memory grew with the size of the library.
_PARSED_LIMIT = 16


def _parse_cached(digest: bytes, raw: bytes, file: str) -> Document:
    key = (digest, file)
    found = _PARSED.get(key)
    if found is None:
        found = _parse(raw, file)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = found
    return found


class _Events(Protocol):
    """The part of PyYAML's loader we drive by hand (its stubs leave `get_event` untyped)."""

    def get_event(self) -> Any: ...
    def check_event(self, *choices: type[Any]) -> bool: ...
    def compose_document(self) -> Node | None: ...
    def dispose(self) -> None: ...


def _compose_or_explain(text: str, located: Any, file: str) -> Node:
    """Compose with the pure-Python parser, turning every failure into a located InputError."""
    loader: _Events = _CoreLoader(text)
    try:
        loader.get_event()  # StreamStartEvent
        if loader.check_event(StreamEndEvent):
            raise located("the file is empty", None)
        composed = loader.compose_document()
        assert composed is not None  # not at the end of the stream: a document follows
        root: Node = composed
        if not loader.check_event(StreamEndEvent):
            second = loader.get_event()
            raise located(
                "found a second YAML document (a second '---'); the file must hold exactly one",
                second.start_mark,
            )
    except _Refused as exc:
        raise located(exc.message, exc.mark, exc.path) from None
    except yaml.MarkedYAMLError as exc:
        raise located(_explain(exc), exc.problem_mark or exc.context_mark) from None
    except yaml.YAMLError as exc:  # e.g. ReaderError; _decode should prevent these
        position = getattr(exc, "position", None)
        where = _text_mark(text, position) if isinstance(position, int) else Mark(1, 1)
        raise InputError(
            Problem(f"invalid YAML: {exc}", file=file, line=where.line, column=where.column)
        ) from None
    finally:
        loader.dispose()
    return root


# libyaml accepts a block scalar header run into a comment (`key: |#`), which YAML and
# PyYAML refuse; text that might hold one takes the slow path (found by test_loader_fast).
_LIBYAML_LENIENT = re.compile(r"[|>][-+0-9]*#")


def _parse(raw: bytes, file: str) -> Document:
    if len(raw) > MAX_BYTES:
        raise InputError(
            Problem(f"file is too large ({len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes)", file=file)
        )
    text = _decode(raw, file)

    def located(message: str, mark: yaml.Mark | None, path: FieldPath = ()) -> InputError:
        where = _from_yaml_mark(mark) if mark is not None else Mark(1, 1)
        return InputError(
            Problem(message, file=file, line=where.line, column=where.column, field=format_path(path))
        )

    root: Node | None = None
    if _CParser is not None and not _LIBYAML_LENIENT.search(text):
        # The fast path: libyaml. Any trouble, and the slow path below says what it is.
        fast = _FastLoader(text)
        try:
            fast.get_event()  # StreamStartEvent
            if not fast.check_event(StreamEndEvent):
                candidate = fast.compose_document()
                if fast.check_event(StreamEndEvent) and not fast.saw_empty_plain:
                    root = candidate
        except (yaml.YAMLError, _Refused):
            root = None
        finally:
            fast.dispose()
    fast_root = root is not None
    if root is None:
        root = _compose_or_explain(text, located, file)
    if isinstance(root, ScalarNode) and root.tag == _NULL and root.value == "" and not root.style:
        raise located("the file is empty", None)

    builder = _Builder(file)
    try:
        data = builder.build(root, ())
    except InputError:
        if not fast_root:
            raise
        # Messages about content come from PyYAML's marks, as on the slow path.
        builder = _Builder(file)
        data = builder.build(_compose_or_explain(text, located, file), ())
    return Document(data=data, file=file, positions=builder.positions, key_positions=builder.key_positions)


def load_yaml_file(path: Path, display: str | None = None) -> Document:
    """Read and parse a YAML file; OS trouble becomes a plain-language InputError."""
    path = Path(path)
    name = display if display is not None else display_path(path)

    from routinecard.files import Unreadable, read_regular_file

    try:
        raw = read_regular_file(
            path,
            limit=MAX_BYTES,
            noun="file",
            expected="a .yaml file",
            too_large=lambda size: f"file is too large ({size:,} bytes; the limit is {MAX_BYTES:,} bytes)",
        )
    except Unreadable as exc:
        raise InputError(Problem(exc.message, file=name)) from None
    return load_yaml_bytes(raw, name)


def load_referenced_file(path: Path, kind: str, fields: frozenset[str], *, required: frozenset[str] = frozenset(),
                         redact: bool = True) -> Document:
    """A YAML file that another file points at: a patient file's `card:`, `layout:` or
    `clinic:`, a layout's `extends:`, a clinic's `layout:`.

    Such a path may name any file on the machine, and the file pointing at it may come
    from someone else (a web form, a job queue). So until the file is known to be a
    routinecard `kind` file, no message quotes anything from it: it must end in .yaml or
    .yml, parse, be a mapping, hold the `required` keys, and every key must be one of
    `fields` (or a near misspelling of one). Otherwise the message says what was
    expected, with the line and column where that is useful, and nothing it found. With
    `redact` (the default: a file that another file named), the values of a file that
    passes are not quoted either; a file the user named themselves is quoted as usual.
    """
    import difflib

    path = Path(path)
    name = display_path(path)
    expected = f"expected a routinecard {kind} file"
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(Problem(f"is not a {kind} file: {expected} (a .yaml file)", file=name))
    from routinecard.files import Unreadable, read_regular_file

    try:
        raw = read_regular_file(
            path,
            limit=MAX_BYTES,
            noun="file",
            expected=f"a .yaml {kind} file",
            too_large=lambda size: f"file is too large ({size:,} bytes; the limit is {MAX_BYTES:,} bytes)",
        )
    except Unreadable as exc:
        raise InputError(Problem(exc.message, file=name)) from None
    try:
        doc = load_yaml_bytes(raw, name)
    except InputError as error:
        first = error.problems[0]
        raise InputError(
            Problem(f"is not valid YAML here; {expected}", file=name, line=first.line, column=first.column)
        ) from None
    if not isinstance(doc.data, dict):
        raise InputError(Problem(f"is not a {kind} file: {expected}, a mapping of fields at the top", file=name))
    doc = dataclasses.replace(doc, redact=redact)
    keys = [key for key in doc.data if isinstance(key, str)]
    missing = sorted(required - set(keys))
    strangers = [
        key for key in keys if key not in fields and not difflib.get_close_matches(key, list(fields), n=1, cutoff=0.75)
    ]
    if missing or strangers:
        known = ", ".join(sorted(fields))
        raise InputError(Problem(f"is not a {kind} file: {expected}, with fields from: {known}", file=name))
    return doc
