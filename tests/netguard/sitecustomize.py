"""Network guard for test subprocesses: put this folder on PYTHONPATH and Python loads it at start-up.

Every connection or name lookup that is not loopback is refused and written, one line each, to the file named by
ILS_NETGUARD_LOG. At exit the process also writes the offline switches it ended with, so a test can check that
the program set them itself.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import socket

LOG = os.environ.get("ILS_NETGUARD_LOG", "")
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _note(line: str) -> None:
    if LOG:
        with open(LOG, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def _local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _allowed(sock, address) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    return _local(address[0] if isinstance(address, tuple) else address)


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if not _allowed(self, address):
        _note(f"connect {address!r}")
        raise OSError(101, "Network is unreachable (blocked by the test network guard)")
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(self, address):
        _note(f"connect {address!r}")
        return 101
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _note(f"lookup {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, "Name lookup blocked by the test network guard")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo


@atexit.register
def _switches() -> None:
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        _note(f"env {name}={os.environ.get(name, '')}")
