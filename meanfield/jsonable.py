"""Conversion to JSON, with one rule for values JSON cannot hold.

Used by every JSON writer of the project (store manifests, result
attributes, validation metrics, figure captions), so that a NaN means the
same thing everywhere: non-finite floats become ``null``, which every JSON
reader accepts (``NaN`` tokens are not JSON).
"""

from __future__ import annotations

import math
from enum import Enum

import numpy as np


def to_jsonable(obj):
    """``obj`` as plain JSON types.

    Dicts (keys become strings), lists and tuples recurse; numpy scalars and
    arrays become Python numbers and lists; non-finite floats become ``None``;
    complex numbers become ``[re, im]``; enums their value; objects with a
    ``to_dict()`` method (the model's parameter dataclasses) their dict.
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else None
    if isinstance(obj, (complex, np.complexfloating)):
        return [to_jsonable(obj.real), to_jsonable(obj.imag)]
    if isinstance(obj, Enum):
        return to_jsonable(obj.value)
    if callable(getattr(obj, "to_dict", None)):
        return to_jsonable(obj.to_dict())
    return obj
