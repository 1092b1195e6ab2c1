"""Identifiers shaped like the source systems': Salesforce record ids and SFMC numeric ids."""

from __future__ import annotations

import numpy as np

_BASE62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

# Salesforce key prefixes of the objects we mirror.
KEY_PREFIX = {
    "account": "001",
    "contact": "003",
    "lead": "00Q",
    "campaign": "701",
    "campaign_member": "00v",
}


def salesforce_id_suffix(id15: str) -> str:
    """The 3-character case-safe suffix that turns a 15-character Salesforce id into 18."""
    suffix = []
    for chunk_start in range(0, 15, 5):
        bits = 0
        for position, char in enumerate(id15[chunk_start : chunk_start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX[bits])
    return "".join(suffix)


def salesforce_ids(kind: str, count: int, rng: np.random.Generator) -> list[str]:
    """`count` distinct, sorted 18-character Salesforce ids of an object kind."""
    prefix = KEY_PREFIX[kind]
    # Real org ids: the pod and instance characters after the key prefix are shared.
    body = rng.integers(0, 62, size=(count * 2, 10))
    ids: set[str] = set()
    result: list[str] = []
    for row in body:
        id15 = f"{prefix}5g00" + "".join(_BASE62[row][:8])
        if id15 not in ids:
            ids.add(id15)
            result.append(id15 + salesforce_id_suffix(id15))
        if len(result) == count:
            break
    return sorted(result)
