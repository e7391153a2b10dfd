"""A valid quote request and a way to break one field of it: the bad inputs of the CLI and language tests."""

from __future__ import annotations

import copy

VALID = {
    "event": {"type": "death", "date": "2026-03-10"},
    "member": {"declared_income": 1_000_000, "membership_start": "2022-04-01", "paid_through": "2026-03"},
    "children": [
        {"name": "Ayu", "birth_date": "2019-01-15", "level": "SD", "grade": 1, "married": False, "working": False},
        {"name": "Wayan", "birth_date": "2005-05-01", "level": "PT", "grade": 3, "married": False, "working": True},
    ],
}


def changed(**paths):
    payload = copy.deepcopy(VALID)
    for path, value in paths.items():
        *parents, key = path.split("__")
        target = payload
        for parent in parents:
            target = target[int(parent)] if isinstance(target, list) else target[parent]
        if value is KeyError:
            del target[key]
        else:
            target[key] = value
    return payload
