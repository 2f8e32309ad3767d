"""Files written where someone else may have put things first, and files read from outside.

A USB stick, an output path typed by an operator, the folder next to an input file: whoever
prepared them may have planted a symbolic link (``X.ack.yzb.part -> server.db``), a hard
link, a pipe or a file of the same name. :class:`NewFile` writes so that none of these can
make the program destroy something else:

* the bytes go to a temporary file made new in the destination's own folder
  (``O_CREAT | O_EXCL | O_NOFOLLOW``, a random name, mode 0600 unless told), so nothing that
  already exists is ever opened for writing, truncated, or written through a link;
* on :meth:`NewFile.commit` the file is flushed and fsynced, then put in place: as a hard
  link (which fails if the name exists, so a file planted meanwhile is never replaced), or,
  on filesystems without hard links (FAT sticks), a rename after checking the name is free;
  the folder is fsynced so the new name survives a power cut;
* an existing destination is refused (code ``exists``) unless the caller allows it:
  ``force=True`` (an explicit ``--force``), or ``replaceable(head)`` says the file there is
  the command's own earlier output (an older ack bundle, a receipt PNG). A symbolic link or
  anything not a regular file at the destination is refused even then; replacing renames
  over the name, which never writes into whatever another link to it points at.

:func:`read_limited` reads a file from outside with a size limit, refusing pipes, devices
and folders (``/dev/zero`` behind a link would otherwise be read for ever).

Every refusal is a :class:`~shared._errors.FileRefused` naming the path.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from shared._errors import FileRefused

__all__ = ["HEAD_BYTES", "NewFile", "is_png", "read_limited", "write_new"]

HEAD_BYTES = 64 * 1024  # how much of an existing destination ``replaceable`` is shown

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links need privileges
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows only: no newline translation
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer

Replaceable = Callable[[bytes], bool]


def is_png(head: bytes) -> bool:
    """Whether ``head`` starts like a PNG picture (a receipt or token QR written earlier)."""
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _os_refusal(path: Path, exc: OSError, code: str) -> FileRefused:
    return FileRefused(code, f"{path}: {exc.strerror or exc}")


class NewFile:
    """A file written to a temporary name beside ``path`` and put in place on commit.

    Use as a context manager (commits when the block ends normally, discards on an
    exception) or call :meth:`open`, :meth:`write`, :meth:`commit` / :meth:`discard`.
    Opening early checks the destination before any work is done.
    """

    def __init__(self, path: Path | str, *, mode: int = 0o600, force: bool = False,
                 replaceable: Replaceable | None = None) -> None:
        self.path = Path(path)
        self.mode = mode
        self.force = force
        self.replaceable = replaceable
        self._tmp: Path | None = None
        self._fd = -1

    def _may_replace(self) -> bool:
        """False when nothing is at ``path``; True when what is there may be replaced.

        Raises FileRefused (symlink, not_regular, exists).
        """
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise _os_refusal(self.path, exc, "unwritable") from None
        if stat.S_ISLNK(st.st_mode):
            raise FileRefused("symlink", f"{self.path} is a symbolic link; refusing to write "
                              "through it or replace it (remove it, or choose another name)")
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused("not_regular", f"{self.path} exists and is not a regular file")
        if self.force or (self.replaceable is not None and self.replaceable(self._head())):
            return True
        raise FileRefused("exists", f"{self.path} already exists; refusing to replace it "
                          "(choose another name, or pass --force)")

    def check(self) -> None:
        """Refuse now what :meth:`open` would refuse at the destination (to fail before any
        work). Raises FileRefused (symlink, not_regular, exists, unwritable)."""
        self._may_replace()

    def _head(self) -> bytes:
        try:
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY)
        except OSError:
            return b""
        try:
            return os.read(fd, HEAD_BYTES)
        except OSError:
            return b""
        finally:
            os.close(fd)

    def open(self) -> NewFile:
        """Check the destination and make the temporary file. Returns self.

        Raises FileRefused: the destination may not be replaced, or the folder is unwritable.
        """
        self._may_replace()
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        try:
            self._fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
                               | _CLOEXEC | _BINARY, self.mode)
        except OSError as exc:
            raise _os_refusal(self.path, exc, "unwritable") from None
        self._tmp = tmp
        return self

    def write(self, data: bytes) -> None:
        """Append ``data``. Raises FileRefused (unwritable) when the disk refuses."""
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            raise _os_refusal(self.path, exc, "unwritable") from None

    def flush(self) -> None:
        """Nothing is buffered here (each write goes to the file); ``commit`` fsyncs. Lets a
        NewFile stand where a writable file object is expected (gzip, tarfile)."""

    def commit(self) -> Path:
        """Flush, fsync and put the file in place. Returns the destination path.

        Raises FileRefused when the destination may not be replaced (checked again: something
        may have appeared meanwhile) or the disk refuses; the temporary file is removed then.
        """
        tmp = self._tmp
        if tmp is None:
            raise RuntimeError("NewFile.commit before open")  # our bug, not the world's
        try:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1
            if self._may_replace():
                os.replace(tmp, self.path)
            else:
                self._place_new(tmp)
        except OSError as exc:
            self.discard()
            raise _os_refusal(self.path, exc, "unwritable") from None
        except FileRefused:
            self.discard()
            raise
        self._tmp = None
        _fsync_folder(self.path.parent)
        return self.path

    def _place_new(self, tmp: Path) -> None:
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            raise FileRefused("exists", f"{self.path} appeared while it was being written; "
                              "refusing to replace it") from None
        except OSError:  # no hard links here (FAT, exFAT): check, then rename
            if os.path.lexists(self.path):
                raise FileRefused("exists", f"{self.path} appeared while it was being "
                                  "written; refusing to replace it") from None
            os.replace(tmp, self.path)
            return
        os.unlink(tmp)

    def discard(self) -> None:
        """Close and remove the temporary file (nothing at the destination changes)."""
        if self._fd != -1:
            os.close(self._fd)
            self._fd = -1
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def __enter__(self) -> NewFile:
        return self.open()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    except OSError:  # Windows cannot open folders; the rename is durable there anyway
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems (FAT via some drivers) refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def write_new(path: Path | str, data: bytes, *, mode: int = 0o600, force: bool = False,
              replaceable: Replaceable | None = None) -> Path:
    """Write ``data`` to ``path`` as a new file (see :class:`NewFile`). Returns the path.

    Raises FileRefused naming the path when it may not be written.
    """
    with NewFile(path, mode=mode, force=force, replaceable=replaceable) as out:
        out.write(data)
    return out.path


def read_limited(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, refusing more than ``limit`` bytes.

    Raises FileRefused naming the path: ``not_regular`` (a folder, device or pipe),
    ``too_large`` (naming the limit), ``unreadable`` (missing, no permission).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY)
    except OSError as exc:
        raise _os_refusal(path, exc, "unreadable") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused("not_regular", f"{path} is not a regular file")
        if st.st_size > limit:
            raise FileRefused("too_large", f"{path} is {st.st_size} bytes; the limit is "
                              f"{limit} bytes")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise _os_refusal(path, exc, "unreadable") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise FileRefused("too_large", f"{path} is over the limit of {limit} bytes")
    return data
