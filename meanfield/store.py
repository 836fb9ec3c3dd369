"""A resumable store of the samples of one ensemble: one file per sample, and a manifest that owns the folder.

Rules (the same for every ensemble of the theory, the simulator and the
validation cache, which all use :class:`ResultStore`):

* **One ensemble per folder.** The manifest names the ensemble: its kind,
  parameters, root seed and the package version that computed it, and a key
  (a digest of all four). It is claimed atomically (written under a temporary
  name, then hard-linked into place, which fails if another run got there
  first), so two runs started at once on one empty folder cannot both own it.
  Opening a folder whose manifest names another ensemble raises.
* **Every item proves what it is.** Each sample's file carries the store key,
  its sample index and its seed; an item whose key, index or seed disagrees
  (a file from another ensemble, files swapped on disk, items left after the
  manifest was deleted) is not used: it is removed and recomputed, with a
  warning naming the file.
* **A package version change starts a new ensemble.** The version is part of
  the key: a store written by another version is refused with a message, so
  numbers computed by two versions are never mixed silently. Delete the folder
  (or choose another) to recompute.
* **Damage costs a recomputation, never the run.** An unreadable item (truncated,
  empty, random bytes) is treated as missing and recomputed, with a warning
  naming the file; an unreadable manifest raises with its path and what to
  do. Files are written under a temporary name and renamed, so an interruption
  or a full disk leaves at most a temporary file, which a later run removes
  once the process that wrote it is gone.
* Files get the permissions of the user's umask, like any file the user writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Mapping

import numpy as np

from .arguments import writable_directory
from .jsonable import to_jsonable
from .results import package_version

MANIFEST = "manifest.json"
_META = ("__store_key__", "__index__", "__seed__")
_TMP = re.compile(r"^\.tmp-(\d+)-.*\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class StoreWarning(UserWarning):
    """An item of a store was unusable and will be recomputed."""


class ResultStore:
    """A folder holding one ``.npz`` per sample of one ensemble, and its ``manifest.json`` (module docstring).

    Parameters
    ----------
    directory : path
        The folder (created if absent; refused if it is a file or cannot be written).
    params : mapping
        JSON-able parameters that determine every sample.
    seed_root : mapping
        Seed record ``{"entropy", "spawn_key"}`` of the root: sample i uses its i-th child.
    kind : str
        What the ensemble is (e.g. the public function that computes it).

    Raises
    ------
    ValueError
        If the folder cannot be used, or holds another ensemble (other kind,
        parameters, seed or package version), or its manifest is unreadable.
    """

    def __init__(self, directory, params: Mapping, seed_root: Mapping, kind: str):
        self.directory = writable_directory("store directory", directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create the store directory {self.directory}: {exc.strerror or exc}") from None
        self._seed_root = {"entropy": int(seed_root["entropy"]),
                           "spawn_key": [int(k) for k in seed_root["spawn_key"]]}
        identity = {"kind": kind, "params": to_jsonable(dict(params)), "seed": self._seed_root,
                    "package_version": package_version()}
        self.key = hashlib.sha1(json.dumps(identity, sort_keys=True).encode()).hexdigest()
        self.manifest = {**identity, "key": self.key}
        self._mode = 0o666 & ~_umask()
        self._remove_stale_temporaries()
        self._claim()

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.directory / MANIFEST

    def _claim(self) -> None:
        """Own the folder: create the manifest exclusively, or check the one that is there."""
        payload = json.dumps(self.manifest, indent=2, sort_keys=True).encode()
        tmp = self._write_temporary(payload)
        try:
            os.link(tmp, self.manifest_path)  # atomic, whole, and fails if a manifest exists
            return
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system: an exclusive create, then the content
            if self._create_exclusive(payload):
                return
        finally:
            os.unlink(tmp)
        old = self._read_manifest()
        if old.get("key") == self.key:
            return
        differs = [k for k in ("kind", "params", "seed", "package_version") if old.get(k) != self.manifest[k]]
        if differs == ["package_version"]:
            raise ValueError(
                f"{self.directory} was computed by meanfield {old.get('package_version')}, this is "
                f"{self.manifest['package_version']}: results of two versions are never mixed; "
                "delete the folder to recompute, or choose another"
            )
        raise ValueError(
            f"{self.directory} holds a different ensemble ({', '.join(differs) or 'format'} differs); "
            "choose another directory or delete it"
        )

    def _create_exclusive(self, payload: bytes) -> bool:
        try:
            fd = os.open(self.manifest_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self._mode)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        return True

    def _read_manifest(self) -> dict:
        try:
            old = json.loads(self.manifest_path.read_text())
            if not isinstance(old, dict):
                raise ValueError("not a JSON object")
            return old
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"the store manifest {self.manifest_path} is unreadable ({exc}); delete the folder "
                f"{self.directory} to recompute its ensemble, or choose another"
            ) from None

    # ------------------------------------------------------------------ files
    def _write_temporary(self, payload: bytes) -> str:
        """Write ``payload`` to a new temporary file in the folder (user's umask); returns its path."""
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".tmp-{os.getpid()}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.chmod(tmp, self._mode)
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp

    def _remove_stale_temporaries(self) -> None:
        """Remove temporary files whose writing process is gone (an interruption or a full disk)."""
        for path in self.directory.iterdir():
            m = _TMP.match(path.name)
            if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
                path.unlink(missing_ok=True)

    def _item_path(self, i: int) -> Path:
        return self.directory / f"item_{i:06d}.npz"

    def _item_seed(self, i: int) -> str:
        return json.dumps({"entropy": self._seed_root["entropy"], "spawn_key": self._seed_root["spawn_key"] + [i]})

    def has(self, i: int) -> bool:
        """Whether a file for sample i exists (it is verified only by :meth:`load`)."""
        return self._item_path(i).exists()

    def save(self, i: int, arrays: Mapping[str, np.ndarray]) -> None:
        """Store sample i, with the store key, its index and its seed (atomically)."""
        import io

        buf = io.BytesIO()
        np.savez(buf, **arrays, __store_key__=np.array(self.key), __index__=np.int64(i),
                 __seed__=np.array(self._item_seed(i)))
        tmp = self._write_temporary(buf.getvalue())
        os.replace(tmp, self._item_path(i))

    def load(self, i: int) -> dict[str, np.ndarray] | None:
        """Sample i, or None if it is absent or unusable (then removed, with a :class:`StoreWarning`)."""
        path = self._item_path(i)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except Exception as exc:  # noqa: BLE001 - any damage to the file means: recompute it
            return self._discard(path, f"unreadable ({type(exc).__name__}: {exc})")
        meta = [str(arrays.get(k, "")) for k in _META]
        if meta != [self.key, str(i), self._item_seed(i)]:
            return self._discard(path, "it does not belong to this ensemble and sample (key, index or seed differ)")
        return {k: v for k, v in arrays.items() if k not in _META}

    def _discard(self, path: Path, why: str) -> None:
        warnings.warn(f"{path}: {why}; it will be recomputed", StoreWarning, stacklevel=3)
        path.unlink(missing_ok=True)
        return None
