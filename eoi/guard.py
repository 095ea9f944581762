"""The privacy guard on every text the service keeps, at the one place no form or operation
can go round: the flush.

Before the session writes anything, every text column (String, Text, and the text inside
JSON) of every new object, and every such column that changed on a dirty one, is read by
`eoi.returns.privacy`. Anything that looks like it could identify a young person (an email
address, a phone number, a postcode, a date of birth, an NHS or National Insurance number)
refuses the whole flush with a `PersonalDataRefused`: nothing is written, and the one write
path (eoi.writes) puts each message beside its form field.

Each text column says what the guard does with it in its `info`:

- nothing: guarded strictly. Person-typed text is guarded, so this is the default.
- `guarded(contact_details=True)`: an organisation's own phone numbers, email addresses and
  postcodes are allowed (service descriptions only); dates of birth, NHS and National
  Insurance numbers are still refused.
- `guarded(field=..., label=..., keys=...)`: the form field the message goes beside, when it
  is not the column's key (a format string of the object's attributes, such as
  "comment_{criterion_id}"); the words the message names it by; for a JSON column, the only
  top-level keys that hold typed text (the rest being the service's own).
- `unguarded("why …")`: not read, with the reason in a sentence (an email address needed to
  sign in, a hash, a code the service makes). A test lists every text column and fails on
  one with neither a guard nor a reason.

A JSON column's message goes beside the field named by the top-level key its text is under
(an EOI section's answers are keyed by question), and a model may name its fields in words
with `guard_label(field)`. Bulk `update()` and `insert()` statements do not flush objects
and are not read: the service writes typed text only through objects.
"""

import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Enum, String, Text, event, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.types import TypeDecorator

from eoi.refusals import PersonalDataRefused
from eoi.returns.privacy import MAX_TEXT_LENGTH, TooMuchText, explain, find_personal_data

STRICT, CONTACT, UNGUARDED = "strict", "contact", "unguarded"


def guarded(*, contact_details: bool = False, field: str | None = None,
            label: str | None = None, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """A column's `info`: read by the guard (see the module's notes)."""
    info: dict[str, Any] = {"guard": CONTACT if contact_details else STRICT}
    if field is not None:
        info["field"] = field
    if label is not None:
        info["label"] = label
    if keys is not None:
        info["keys"] = tuple(keys)
    return info


def unguarded(why: str) -> dict[str, str]:
    """A column's `info`: not read by the guard, for the reason given in a sentence."""
    return {"unguarded": why}


@dataclass(frozen=True)
class Policy:
    key: str  # the mapped attribute
    mode: str  # STRICT, CONTACT or UNGUARDED
    is_json: bool
    field: str | None  # the form field, when it is not the key (or a JSON top-level key)
    label: str | None
    keys: tuple[str, ...] | None  # a JSON column's keys that hold typed text; None: all


def is_text(column_type) -> bool:
    """Whether a column holds text a person could have typed: String, Text or JSON, and not
    an Enum, whose values are only its members."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl
    return isinstance(column_type, String | Text | JSON) and not isinstance(column_type, Enum)


def policy_of(key: str, column) -> Policy:
    info = column.info
    if "unguarded" in info:
        mode = UNGUARDED
    elif info.get("guard", STRICT) in (STRICT, CONTACT):
        mode = info.get("guard", STRICT)
    else:
        raise ValueError(f"{column}: unknown guard {info['guard']!r}")
    column_type = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return Policy(key, mode, isinstance(column_type, JSON), info.get("field"),
                  info.get("label"), info.get("keys"))


@cache
def policies(mapper: Mapper) -> tuple[Policy, ...]:
    """The guarded text columns of a mapped class (its own table's and its parents')."""
    found = []
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        if is_text(column.type):
            policy = policy_of(attribute.key, column)
            if policy.mode != UNGUARDED:
                found.append(policy)
    return tuple(found)


def problems(obj, *, changed_only: bool) -> dict[str, str]:
    """{form field: message} for each guarded text of `obj` that holds personal data. With
    `changed_only`, only the columns changed since it was loaded are read."""
    state = inspect(obj)
    found: dict[str, str] = {}
    for policy in policies(state.mapper):
        if changed_only and not state.attrs[policy.key].history.has_changes():
            continue
        value = state.dict.get(policy.key)  # a column never set or loaded holds no new text
        if value is None:
            continue
        for field, texts in _texts(obj, policy, value):
            if field in found:
                continue
            message = _check(obj, policy, field, texts)
            if message:
                found[field] = message
    return found


def _texts(obj, policy: Policy, value) -> Iterator[tuple[str, list[str]]]:
    """(field, its texts) for a column's value."""
    if not policy.is_json:
        if isinstance(value, str) and value:
            yield _field_name(obj, policy.field or policy.key), [value]
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            if policy.keys is not None and key not in policy.keys:
                continue
            texts = list(_strings(inner))
            if texts:
                yield _field_name(obj, policy.field or str(key)), texts
    elif policy.keys is None and (texts := list(_strings(value))):
        yield _field_name(obj, policy.field or policy.key), texts


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


def _field_name(obj, field: str) -> str:
    if "{" not in field:
        return field
    return field.format_map({name: getattr(obj, name) for name in _placeholders(field)})


@cache
def _placeholders(field: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(field) if name)


def _label(obj, policy: Policy, field: str) -> str:
    if policy.label is not None:
        return policy.label
    named = getattr(obj, "guard_label", None)
    label = named(field) if callable(named) else None
    return label or field.replace("_", " ")


def _check(obj, policy: Policy, field: str, texts: list[str]) -> str | None:
    allow = policy.mode == CONTACT
    findings = []
    try:
        for text in texts:
            findings += find_personal_data(text, allow_contact_details=allow)
    except TooMuchText:
        label = _label(obj, policy, field)
        return f"{label[:1].upper()}{label[1:]} must be {MAX_TEXT_LENGTH:,} characters or fewer"
    return explain(findings, _label(obj, policy, field)) or None


def check_session(session: Session, flush_context=None, instances=None) -> None:
    """The before_flush listener: refuse the flush if any new or changed text holds what
    looks like personal data. Unchanged columns are not read again."""
    found: dict[str, str] = {}
    for obj, changed_only in [*((o, False) for o in session.new),
                              *((o, True) for o in session.dirty)]:
        for field, message in problems(obj, changed_only=changed_only).items():
            found.setdefault(field, message)
    if found:
        raise PersonalDataRefused(found)


def register() -> None:
    """Listen to every session's flushes, once however often it is called."""
    if not event.contains(Session, "before_flush", check_session):
        event.listen(Session, "before_flush", check_session)


register()
