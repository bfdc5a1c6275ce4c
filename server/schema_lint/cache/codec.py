"""Frozen dataclasses to plain data and back, driven by their type hints (generic, no I/O).

Plain data is what msgpack holds: None, bool, int, float, str, arrays and string-keyed maps.
Nothing in it names a class by an importable path. A value's class comes from the hint of the
field it fills; only where a field admits several classes (a union of dataclasses, or ``Any``)
does the data carry a tag, ``{"Name": [fields...]}``, and the tag must name a member of that
union in the codec's allow-list. Decoding checks every value against its hint, exactly (a bool
is not an int, a list is not a tuple) and raises :class:`Invalid` on the first mismatch, so that
the caller rejects the whole entry. Tuples, frozensets, dicts, enums, ``X | None`` and unions
whose members have distinct plain types are supported; any other hint fails when the codec is
built, not when a file is read.
"""

from __future__ import annotations

import dataclasses
import operator
import sys
import types
import typing
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

_SCALARS = (type(None), bool, int, float, str)


class Invalid(ValueError):
    """Plain data that does not fit the hint it is decoded as."""


class Unencodable(TypeError):
    """A value that does not fit the hint it is encoded as (it is then not stored)."""


class Codec:
    """Encoders and decoders for an allow-list of frozen dataclasses, built once per hint."""

    def __init__(self, classes: Iterable[type], *, any_of: Iterable[type] = ()) -> None:
        """``classes``: the allow-list; ``any_of``: those of them a field typed ``Any`` may
        hold (besides None)."""
        allowed: dict[type, None] = {}
        for cls in classes:
            params = vars(cls).get("__dataclass_params__")
            if not (dataclasses.is_dataclass(cls) and params is not None and params.frozen):
                raise TypeError(f"{cls.__qualname__} is not a frozen dataclass")
            allowed[cls] = None
        self._classes = frozenset(allowed)
        names: dict[str, list[type]] = {}
        for cls in allowed:
            names.setdefault(cls.__name__, []).append(cls)
        self._by_name = {name: found[0] for name, found in names.items() if len(found) == 1}
        """Allowed classes by name where the name is unique: what a hint names only under
        ``TYPE_CHECKING`` resolves to (a class's own module's names win)."""
        self._ordered = tuple(allowed)
        self._any_of = tuple(any_of)
        if not set(self._any_of) <= self._classes:
            raise TypeError("any_of must be allowed classes")
        self._hints: dict[type, dict[str, Any]] = {}
        self._encoders: dict[Any, Encoder] = {}
        self._decoders: dict[Any, Decoder] = {}

    @property
    def classes(self) -> tuple[type, ...]:
        return self._ordered

    def encode(self, value: Any, hint: Any) -> Any:
        """``value`` as plain data; :class:`Unencodable` when it does not fit ``hint``."""
        return self.encoder(hint)(value)

    def decode(self, data: Any, hint: Any) -> Any:
        """The value ``data`` describes; :class:`Invalid` when it does not fit ``hint``."""
        return self.decoder(hint)(data)

    # --- building ---------------------------------------------------------------------------

    def encoder(self, hint: Any) -> Encoder:
        found = self._encoders.get(hint)
        if found is None:
            found = self._build(hint, encoding=True)
            self._encoders[hint] = found
        return found

    def decoder(self, hint: Any) -> Decoder:
        found = self._decoders.get(hint)
        if found is None:
            found = self._build(hint, encoding=False)
            self._decoders[hint] = found
        return found

    def _build(self, hint: Any, *, encoding: bool) -> Callable[[Any], Any]:
        allowed = _scalar_types(hint)
        if allowed is not None:
            return _checker(allowed, encoding=encoding)
        if isinstance(hint, type) and issubclass(hint, Enum):
            return _enum_encoder(hint) if encoding else _enum_decoder(hint)
        if isinstance(hint, type) and hint in self._classes:
            return self._dataclass(hint, encoding=encoding)
        if hint is Any:
            return self._union((type(None), *self._any_of), encoding=encoding)
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            return self._union(args, encoding=encoding)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return self._sequence(args[0], tuple, encoding=encoding)
        if origin is tuple and args and Ellipsis not in args:
            return self._fixed_tuple(args, encoding=encoding)
        if origin is frozenset and len(args) == 1:
            return self._sequence(args[0], frozenset, encoding=encoding)
        if origin is dict and len(args) == 2:
            return self._dict(args[0], args[1], encoding=encoding)
        raise TypeError(f"the cache codec cannot store {hint!r}")

    def _dataclass(self, cls: type, *, encoding: bool) -> Callable[[Any], Any]:
        """Fields in declaration order, as an array; plain-typed fields are only checked."""
        hints = self._hints_of(cls)
        fields = dataclasses.fields(cls)
        if any(not f.init or f.kw_only for f in fields):
            raise TypeError(f"{cls.__qualname__} has a field that __init__ does not take in order")
        names = [f.name for f in fields]
        count = len(names)
        checked = [(i, _scalar_types(hints[n])) for i, n in enumerate(names)]
        scalars = tuple((i, allowed) for i, allowed in checked if allowed is not None)
        nested: list[tuple[int, Callable[[Any], Any]]] = []
        get = _getter(names)

        if encoding:

            def encode(value: Any) -> Any:
                if type(value) is not cls:
                    raise Unencodable(f"{type(value).__name__} is not {cls.__name__}")
                data = get(value)
                for i, allowed in scalars:
                    if type(data[i]) not in allowed and not _plain_subclass(data[i], allowed):
                        raise Unencodable(f"{cls.__name__}.{names[i]}")
                for i, convert in nested:
                    data[i] = convert(data[i])
                return data

            built: Callable[[Any], Any] = encode
            self._encoders[cls] = built
        else:

            def decode(data: Any) -> Any:
                if type(data) is not tuple or len(data) != count:
                    raise Invalid(cls.__name__)
                for i, allowed in scalars:
                    if type(data[i]) not in allowed:
                        raise Invalid(f"{cls.__name__}.{names[i]}")
                if not nested:
                    return cls(*data)
                values = list(data)
                for i, convert in nested:
                    values[i] = convert(values[i])
                return cls(*values)

            built = decode
            self._decoders[cls] = built
        for i, allowed in checked:  # after registering: a field may hold this class again
            if allowed is None:
                hint = hints[names[i]]
                nested.append((i, self.encoder(hint) if encoding else self.decoder(hint)))
        return built

    def _hints_of(self, cls: type) -> dict[str, Any]:
        hints = self._hints.get(cls)
        if hints is None:
            module = sys.modules[cls.__module__]
            hints = typing.get_type_hints(cls, localns={**self._by_name, **vars(module)})
            self._hints[cls] = hints
        return hints

    def _union(self, members: Iterable[Any], *, encoding: bool) -> Callable[[Any], Any]:
        """Members told apart by the plain type of the data; dataclasses by their tag (their
        own encoders and decoders are built when first met)."""
        by_plain: dict[type, Callable[[Any], Any]] = {}
        by_runtime: dict[type, Callable[[Any], Any]] = {}
        tagged: dict[str, type] = {}
        for member in members:
            if isinstance(member, type) and member in self._classes:
                if encoding:
                    by_runtime[member] = self._tagger(member)
                else:
                    if member.__name__ in tagged:
                        raise TypeError(f"two members of one union are named {member.__name__}")
                    tagged[member.__name__] = member
                continue
            for plain in _plain_types(member):
                if plain in by_plain or (plain is dict and tagged):
                    raise TypeError(f"ambiguous union member {member!r}")
                by_plain[plain] = self.encoder(member) if encoding else self.decoder(member)
            if encoding:
                for runtime in _runtime_types(member):
                    by_runtime[runtime] = by_plain[_plain_types(member)[0]]
        if tagged and dict in by_plain:
            raise TypeError("a union cannot hold both a dict and tagged dataclasses")

        if encoding:

            def encode(value: Any) -> Any:
                convert = by_runtime.get(type(value))
                if convert is None:
                    raise Unencodable(f"{type(value).__name__} is not allowed here")
                return convert(value)

            return encode
        if tagged:
            by_plain[dict] = self._untagger(tagged)

        def decode(data: Any) -> Any:
            convert = by_plain.get(type(data))
            if convert is None:
                raise Invalid(f"{type(data).__name__} is not allowed here")
            return convert(data)

        return decode

    def _tagger(self, cls: type) -> Encoder:
        name = cls.__name__
        encoders = self._encoders

        def tag(value: Any) -> Any:
            encode = encoders.get(cls) or self.encoder(cls)
            return {name: encode(value)}

        return tag

    def _untagger(self, classes: dict[str, type]) -> Decoder:
        decoders = self._decoders

        def untag(data: Any) -> Any:
            if len(data) != 1:
                raise Invalid("a tagged value has one key")
            ((name, fields),) = data.items()
            cls = classes.get(name) if type(name) is str else None
            if cls is None:
                raise Invalid(f"{name!r} is not allowed here")
            decode = decoders.get(cls) or self.decoder(cls)
            return decode(fields)

        return untag

    def _sequence(self, item: Any, kind: type, *, encoding: bool) -> Callable[[Any], Any]:
        allowed = _scalar_types(item)
        error = Unencodable if encoding else Invalid
        expected: Any = kind if encoding else tuple
        if allowed is not None:

            def scalars(data: Any) -> Any:
                if type(data) is not expected or not (
                    set(map(type, data)) <= allowed
                    or (encoding and all(_plain_subclass(v, allowed) for v in data))
                ):
                    raise error(f"not a {kind.__name__} of {item!r}")
                return data if kind is tuple else (tuple(data) if encoding else kind(data))

            return scalars
        convert = self.encoder(item) if encoding else self.decoder(item)

        def items(data: Any) -> Any:
            if type(data) is not expected:
                raise error(f"not a {kind.__name__}")
            converted = [convert(v) for v in data]
            return converted if encoding else kind(converted)

        return items

    def _fixed_tuple(self, items: tuple[Any, ...], *, encoding: bool) -> Callable[[Any], Any]:
        converters = [self.encoder(i) if encoding else self.decoder(i) for i in items]
        error = Unencodable if encoding else Invalid
        count = len(converters)

        def fixed(data: Any) -> Any:
            if type(data) is not tuple or len(data) != count:
                raise error(f"not a tuple of {count}")
            converted = [c(v) for c, v in zip(converters, data, strict=True)]
            return converted if encoding else tuple(converted)

        return fixed

    def _dict(self, key: Any, value: Any, *, encoding: bool) -> Callable[[Any], Any]:
        if _scalar_types(key) != frozenset({str}):
            raise TypeError("cache dicts are keyed by str")
        convert = self.encoder(value) if encoding else self.decoder(value)
        error = Unencodable if encoding else Invalid

        def mapping(data: Any) -> Any:
            if type(data) is not dict:
                raise error("not a dict")
            converted = {}
            for k, v in data.items():
                if type(k) is not str:
                    raise error("a dict key is not a str")
                converted[k] = convert(v)
            return converted

        return mapping


def _scalar_types(hint: Any) -> frozenset[type] | None:
    """The exact plain types of a hint made of scalars only (``str | None``), else None."""
    if hint in _SCALARS:
        return frozenset({hint})
    if hint is None:
        return frozenset({type(None)})
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        parts = [_scalar_types(a) for a in typing.get_args(hint)]
        if all(p is not None for p in parts):
            return frozenset().union(*(p for p in parts if p is not None))
    return None


def _plain_types(hint: Any) -> tuple[type, ...]:
    """The plain types a non-dataclass member of a union is stored as."""
    allowed = _scalar_types(hint)
    if allowed is not None:
        return tuple(allowed)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return tuple({type(m.value) for m in hint})
    origin = typing.get_origin(hint)
    if origin in (tuple, frozenset):
        return (tuple,)
    if origin is dict:
        return (dict,)
    raise TypeError(f"the cache codec cannot store {hint!r} in a union")


def _runtime_types(hint: Any) -> tuple[type, ...]:
    """The Python types of values of a non-dataclass member of a union."""
    allowed = _scalar_types(hint)
    if allowed is not None:
        return tuple(allowed)
    if isinstance(hint, type):
        return (hint,)
    return (typing.get_origin(hint),)


def _checker(allowed: frozenset[type], *, encoding: bool) -> Callable[[Any], Any]:
    if encoding:

        def check_value(value: Any) -> Any:
            if type(value) not in allowed and not _plain_subclass(value, allowed):
                raise Unencodable(f"{type(value).__name__} is not allowed here")
            return value

        return check_value

    def check_data(data: Any) -> Any:
        if type(data) not in allowed:
            raise Invalid(f"{type(data).__name__} is not allowed here")
        return data

    return check_data


def _plain_subclass(value: Any, allowed: frozenset[type]) -> bool:
    """A ``str``/``int``/``float`` subclass stored as its base type (a name marker such as
    the extractor's ``FinalName``); never an enum or a bool standing for an int."""
    kind = type(value)
    if issubclass(kind, Enum) or kind is bool:
        return False
    return any(base is not bool and issubclass(kind, base) for base in allowed)


def _enum_encoder(enum: type[Enum]) -> Encoder:
    def encode(value: Any) -> Any:
        if type(value) is not enum:
            raise Unencodable(f"not a {enum.__name__}")
        return value.value

    return encode


def _enum_decoder(enum: type[Enum]) -> Decoder:
    members = {(type(m.value), m.value): m for m in enum}

    def decode(data: Any) -> Any:
        try:
            return members[type(data), data]
        except (KeyError, TypeError):
            raise Invalid(f"not a {enum.__name__}") from None

    return decode


def _getter(names: list[str]) -> Callable[[Any], list[Any]]:
    """The field values of an instance, as a new list."""
    if len(names) > 1:
        several = operator.attrgetter(*names)
        return lambda value: list(several(value))
    if names:
        one = operator.attrgetter(names[0])
        return lambda value: [one(value)]
    return lambda value: []
