"""Memory limits of helper processes: setrlimit inside the process on POSIX, a Job Object from the
parent on Windows. Each function does nothing (and says so) when the system offers no such limit;
the parse pool's wall-clock kill and the readers' size checks still hold then."""
from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)

MB = 1024 * 1024


def limit_own_memory(megabytes: int) -> bool:
    """POSIX, called in the helper process itself: cap its address space at what it uses now plus
    ``megabytes`` (the interpreter and the parsers already loaded are not counted). A parse that
    needs more gets MemoryError (or dies), never the machine's memory."""
    if sys.platform == "win32" or megabytes <= 0:
        return False
    try:
        import resource
    except ImportError:
        return False
    now = _address_space()
    limit = now + megabytes * MB
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError) as exc:       # not permitted here: the wall clock still holds
        log.warning("no memory limit for the parse helper: %s", exc)
        return False
    return True


def _address_space() -> int:
    """Bytes of address space the process uses now (0 when the system does not tell)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def peak_rss_mb(pid: int | None = None) -> float | None:
    """Peak resident memory of a process in MB (Linux /proc; None elsewhere or when gone)."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int | None = None) -> float | None:
    """Resident memory of a process now, in MB (Linux /proc; None elsewhere or when gone)."""
    return _status_mb(pid, "VmRSS:")


def _status_mb(pid: int | None, key: str) -> float | None:
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# ---------------------------------------------------------------- Windows: a Job Object per helper

def limit_process_memory(pid: int, megabytes: int):
    """Windows, called by the parent: put process ``pid`` in a Job Object that caps its committed
    memory at ``megabytes`` and kills it when the job handle closes. Returns the job handle (keep
    it as long as the process lives; close_job ends it) or None when no job could be made."""
    if sys.platform != "win32" or megabytes <= 0:
        return None
    try:
        return _windows_job(pid, megabytes * MB)
    except OSError as exc:                        # an older Windows or a nested-job refusal
        log.warning("no Job Object for the parse helper: %s", exc)
        return None


def close_job(job) -> None:
    if job is not None and sys.platform == "win32":
        import ctypes
        ctypes.WinDLL("kernel32", use_last_error=True).CloseHandle(job)


def _windows_job(pid: int, limit: int):
    import ctypes
    from ctypes import wintypes

    class IO_COUNTERS(ctypes.Structure):                         # noqa: N801 (Windows names)
        _fields_ = [(n, ctypes.c_ulonglong) for n in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class BASIC_LIMITS(ctypes.Structure):                        # noqa: N801
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_longlong), ("PerJobUserTimeLimit", ctypes.c_longlong),
                    ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD)]

    class EXTENDED_LIMITS(ctypes.Structure):                     # noqa: N801
        _fields_ = [("BasicLimitInformation", BASIC_LIMITS), ("IoInfo", IO_COUNTERS),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

    JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x100
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
    JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
    PROCESS_SET_QUOTA, PROCESS_TERMINATE = 0x0100, 0x0001

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    k32.CreateJobObjectW.restype = wintypes.HANDLE
    k32.OpenProcess.restype = wintypes.HANDLE
    job = k32.CreateJobObjectW(None, None)
    if not job:
        raise ctypes.WinError(ctypes.get_last_error())
    info = EXTENDED_LIMITS()
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    info.ProcessMemoryLimit = limit
    ok = k32.SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(info),
                                     ctypes.sizeof(info))
    process = k32.OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, False, pid) if ok else None
    if not ok or not process:
        err = ctypes.get_last_error()
        k32.CloseHandle(job)
        raise ctypes.WinError(err)
    try:
        if not k32.AssignProcessToJobObject(job, process):
            err = ctypes.get_last_error()
            k32.CloseHandle(job)
            raise ctypes.WinError(err)
    finally:
        k32.CloseHandle(process)
    return job
