# SPDX-License-Identifier: LGPL-2.1-or-later
"""nfs4wire: just enough of NFSv4.0 (RFC 7530) and NFSv4.1 (RFC 8881) on the wire to check
what a server answers a client after a cluster event: client ids, sessions, OPEN (CLAIM_NULL
and CLAIM_PREVIOUS), OPEN_CONFIRM, LOCK/LOCKT/LOCKU with reclaim, WRITE, CLOSE, RENEW,
SEQUENCE and RECLAIM_COMPLETE, over RPC on TCP with AUTH_SYS.

libnfs 4.0 (the C test client) hides client ids and seqids and speaks no NFSv4.1, and the
checks here are about exactly those: the status of every operation is returned to the caller
as the server sent it, never retried or mapped.
"""
import socket
import struct
import threading
import time

NFS_PROGRAM, NFS_V4, COMPOUND = 100003, 4, 1

OP = dict(ACCESS=3, CLOSE=4, COMMIT=5, GETATTR=9, GETFH=10, LOCK=12, LOCKT=13, LOCKU=14,
          LOOKUP=15, OPEN=18, OPEN_CONFIRM=20, PUTFH=22, PUTROOTFH=24, READ=25, RENEW=30,
          SETCLIENTID=35, SETCLIENTID_CONFIRM=36, WRITE=38, RELEASE_LOCKOWNER=39,
          EXCHANGE_ID=42, CREATE_SESSION=43, DESTROY_SESSION=44, DESTROY_CLIENTID=57,
          RECLAIM_COMPLETE=58, SEQUENCE=53)

STATUS = {0: "NFS4_OK", 1: "NFS4ERR_PERM", 2: "NFS4ERR_NOENT", 5: "NFS4ERR_IO",
          13: "NFS4ERR_ACCESS", 17: "NFS4ERR_EXIST", 22: "NFS4ERR_INVAL",
          10001: "NFS4ERR_BADHANDLE", 10008: "NFS4ERR_DELAY", 10010: "NFS4ERR_DENIED",
          10011: "NFS4ERR_EXPIRED", 10012: "NFS4ERR_LOCKED", 10013: "NFS4ERR_GRACE",
          10014: "NFS4ERR_FHEXPIRED", 10015: "NFS4ERR_SHARE_DENIED", 10017: "NFS4ERR_CLID_INUSE",
          10020: "NFS4ERR_NOFILEHANDLE", 10021: "NFS4ERR_MINOR_VERS_MISMATCH",
          10022: "NFS4ERR_STALE_CLIENTID", 10023: "NFS4ERR_STALE_STATEID",
          10024: "NFS4ERR_OLD_STATEID", 10025: "NFS4ERR_BAD_STATEID", 10026: "NFS4ERR_BAD_SEQID",
          10027: "NFS4ERR_NOT_SAME", 10028: "NFS4ERR_LOCK_RANGE", 10031: "NFS4ERR_RESTOREFH",
          10033: "NFS4ERR_NO_GRACE", 10034: "NFS4ERR_RECLAIM_BAD",
          10035: "NFS4ERR_RECLAIM_CONFLICT", 10036: "NFS4ERR_BADXDR",
          10037: "NFS4ERR_LOCKS_HELD", 10038: "NFS4ERR_OPENMODE", 10044: "NFS4ERR_OP_ILLEGAL",
          10045: "NFS4ERR_DEADLOCK", 10052: "NFS4ERR_BADSESSION", 10053: "NFS4ERR_BADSLOT",
          10054: "NFS4ERR_COMPLETE_ALREADY", 10063: "NFS4ERR_SEQ_MISORDERED",
          10068: "NFS4ERR_SEQUENCE_POS", 10071: "NFS4ERR_OP_NOT_IN_SESSION",
          10077: "NFS4ERR_DEADSESSION"}
NAME = {v: k for k, v in STATUS.items()}

# RFC 7530 9.1.7: a seqid-mutating operation moves the owner's seqid on, except after these.
SEQID_KEPT = {"NFS4ERR_STALE_CLIENTID", "NFS4ERR_STALE_STATEID", "NFS4ERR_BAD_STATEID",
              "NFS4ERR_BAD_SEQID", "NFS4ERR_BADXDR", "NFS4ERR_RESOURCE",
              "NFS4ERR_NOFILEHANDLE", "NFS4ERR_MOVED"}

READ_LT, WRITE_LT = 1, 2
OPEN4_SHARE_ACCESS_BOTH, OPEN4_SHARE_DENY_NONE = 3, 0
OPEN4_RESULT_CONFIRM = 2
CLAIM_NULL, CLAIM_PREVIOUS = 0, 1
EXCHGID4_FLAG_USE_NON_PNFS = 0x00010000


def status_name(code):
    return STATUS.get(code, "NFS4ERR_%d" % code)


class ConnectionLost(Exception):
    """The TCP connection failed or closed, or a reply did not come in time."""


# ---- XDR ------------------------------------------------------------------------------------

def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack(">Q", v)


def opaque(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)


def stateid(sid):
    seq, other = sid
    return u32(seq) + other


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u32(self):
        (v,) = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return v

    def u64(self):
        (v,) = struct.unpack_from(">Q", self.data, self.pos)
        self.pos += 8
        return v

    def fixed(self, n):
        b = self.data[self.pos:self.pos + n]
        if len(b) != n:
            raise ConnectionLost("short reply")
        self.pos += (n + 3) // 4 * 4
        return b

    def opaque(self):
        return self.fixed(self.u32())

    def stateid(self):
        return (self.u32(), self.fixed(12))

    def bitmap(self):
        return [self.u32() for _ in range(self.u32())]


# ---- results --------------------------------------------------------------------------------

def _lock_denied(r):
    return dict(offset=r.u64(), length=r.u64(), type=r.u32(), clientid=r.u64(), owner=r.opaque())


def _open_ok(r):
    res = dict(stateid=r.stateid())
    r.u32(), r.u64(), r.u64()  # change_info4
    res["rflags"] = r.u32()
    r.bitmap()  # attrset
    dtype = r.u32()
    res["delegation"] = dtype
    if dtype in (1, 2):  # READ / WRITE: stateid, recall, [space limit], nfsace4
        r.stateid()
        r.u32()
        if dtype == 2:
            if r.u32() == 1:
                r.u64()
            else:
                r.u32(), r.u32()
        r.u32(), r.u32(), r.u32(), r.opaque()
    elif dtype == 3:  # NONE_EXT (4.1)
        if r.u32() in (1, 2):
            r.u32()
    return res


def _channel_attrs(r):
    vals = [r.u32() for _ in range(6)]
    [r.u32() for _ in range(r.u32())]
    return vals


def _exchange_id_ok(r):
    res = dict(clientid=r.u64(), sequenceid=r.u32(), flags=r.u32())
    if r.u32() != 0:  # state protection: only SP4_NONE is asked for
        raise ConnectionLost("unexpected state protection")
    r.u64(), r.opaque()  # server owner
    r.opaque()  # scope
    for _ in range(r.u32()):  # implementation id
        r.opaque(), r.opaque(), r.u64(), r.u32()
    return res


# What follows a result's status, per operation: OK bodies, and the error bodies of the few
# operations that have one.
_OK = {
    OP["SETCLIENTID"]: lambda r: dict(clientid=r.u64(), confirm=r.fixed(8)),
    OP["GETFH"]: lambda r: dict(fh=r.opaque()),
    OP["OPEN"]: _open_ok,
    OP["OPEN_CONFIRM"]: lambda r: dict(stateid=r.stateid()),
    OP["LOCK"]: lambda r: dict(stateid=r.stateid()),
    OP["LOCKU"]: lambda r: dict(stateid=r.stateid()),
    OP["CLOSE"]: lambda r: dict(stateid=r.stateid()),
    OP["WRITE"]: lambda r: dict(count=r.u32(), committed=r.u32(), verifier=r.fixed(8)),
    OP["EXCHANGE_ID"]: _exchange_id_ok,
    OP["CREATE_SESSION"]: lambda r: dict(sessionid=r.fixed(16), sequence=r.u32(),
                                         flags=r.u32(), fore=_channel_attrs(r),
                                         back=_channel_attrs(r)),
    OP["SEQUENCE"]: lambda r: dict(sessionid=r.fixed(16), sequenceid=r.u32(), slotid=r.u32(),
                                   highest=r.u32(), target=r.u32(), flags=r.u32()),
}
_ERR = {
    (OP["LOCK"], 10010): _lock_denied,
    (OP["LOCKT"], 10010): _lock_denied,
    (OP["SETCLIENTID"], 10017): lambda r: dict(netid=r.opaque(), addr=r.opaque()),
}


class Result:
    """One COMPOUND's answer: the overall status and each operation's (status, body)."""

    def __init__(self, status, ops):
        self.status, self.ops = status_name(status), ops

    def op(self, opnum):
        for num, st, body in self.ops:
            if num == opnum:
                return st, body
        return None, {}

    def last(self):
        return self.ops[-1] if self.ops else (None, self.status, {})


# ---- RPC over TCP ---------------------------------------------------------------------------

class Conn:
    """One TCP connection to the server's NFS port; COMPOUNDs are sent one at a time."""

    def __init__(self, server, timeout=3.0, connect_timeout=1.0, machine="nfs4wire"):
        try:
            self.sock = socket.create_connection((server, 2049), timeout=connect_timeout)
        except OSError as e:
            raise ConnectionLost(str(e)) from None
        self.sock.settimeout(timeout)
        self.xid = (int(time.time() * 1000) ^ id(self)) & 0x3FFFFFFF
        self.machine = machine.encode()[:255]
        self.lock = threading.Lock()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _recv(self, n):
        b = b""
        while len(b) < n:
            try:
                chunk = self.sock.recv(n - len(b))
            except OSError as e:
                raise ConnectionLost(str(e)) from None
            if not chunk:
                raise ConnectionLost("connection closed")
            b += chunk
        return b

    def compound(self, minor, ops):
        with self.lock:
            self.xid += 1
            xid = self.xid
            cred = u32(int(time.time())) + opaque(self.machine) + u32(0) + u32(0) + u32(0)
            call = (u32(xid) + u32(0) + u32(2) + u32(NFS_PROGRAM) + u32(NFS_V4) + u32(COMPOUND) +
                    u32(1) + opaque(cred) + u32(0) + u32(0))
            msg = call + opaque(b"") + u32(minor) + u32(len(ops)) + b"".join(o[1] for o in ops)
            try:
                self.sock.sendall(u32(0x80000000 | len(msg)) + msg)
            except OSError as e:
                raise ConnectionLost(str(e)) from None
            while True:
                reply, last = b"", False
                while not last:
                    (mark,) = struct.unpack(">I", self._recv(4))
                    last = bool(mark & 0x80000000)
                    reply += self._recv(mark & 0x7FFFFFFF)
                r = Reader(reply)
                if r.u32() == xid:
                    break  # a late reply to an abandoned call is skipped
        if r.u32() != 1 or r.u32() != 0:
            raise ConnectionLost("RPC reply denied")
        r.u32(), r.opaque()  # verifier
        if r.u32() != 0:
            raise ConnectionLost("RPC call not accepted")
        status = r.u32()
        r.opaque()  # tag
        results = []
        for _ in range(r.u32()):
            num, st = r.u32(), r.u32()
            body = {}
            if st == 0 and num in _OK:
                body = _OK[num](r)
            elif (num, st) in _ERR:
                body = _ERR[(num, st)](r)
            results.append((num, status_name(st), body))
            if st != 0:
                break
        return Result(status, results)


# ---- operations (each an (opnum, encoded args) pair) -----------------------------------------

def op_putrootfh():
    return (OP["PUTROOTFH"], u32(OP["PUTROOTFH"]))


def op_putfh(fh):
    return (OP["PUTFH"], u32(OP["PUTFH"]) + opaque(fh))


def op_lookup(name):
    return (OP["LOOKUP"], u32(OP["LOOKUP"]) + opaque(name))


def op_getfh():
    return (OP["GETFH"], u32(OP["GETFH"]))


def op_renew(clientid):
    return (OP["RENEW"], u32(OP["RENEW"]) + u64(clientid))


def op_setclientid(verifier, owner):
    cb = u32(0x40000000) + opaque("tcp") + opaque("0.0.0.0.0.0") + u32(1)
    return (OP["SETCLIENTID"], u32(OP["SETCLIENTID"]) + verifier + opaque(owner) + cb)


def op_setclientid_confirm(clientid, confirm):
    return (OP["SETCLIENTID_CONFIRM"], u32(OP["SETCLIENTID_CONFIRM"]) + u64(clientid) + confirm)


def op_open(seqid, clientid, owner, claim, name=None, create=False):
    args = u32(seqid) + u32(OPEN4_SHARE_ACCESS_BOTH) + u32(OPEN4_SHARE_DENY_NONE)
    args += u64(clientid) + opaque(owner)
    if create:  # UNCHECKED4, mode 0644
        args += u32(1) + u32(0) + u32(2) + u32(0) + u32(1 << (33 - 32)) + opaque(u32(0o644))
    else:
        args += u32(0)
    if claim == CLAIM_NULL:
        args += u32(CLAIM_NULL) + opaque(name)
    else:
        args += u32(CLAIM_PREVIOUS) + u32(0)  # no delegation to reclaim
    return (OP["OPEN"], u32(OP["OPEN"]) + args)


def op_open_confirm(sid, seqid):
    return (OP["OPEN_CONFIRM"], u32(OP["OPEN_CONFIRM"]) + stateid(sid) + u32(seqid))


def op_lock_new(ltype, reclaim, offset, length, open_seqid, open_sid, clientid, owner):
    args = u32(ltype) + u32(1 if reclaim else 0) + u64(offset) + u64(length) + u32(1)
    args += u32(open_seqid) + stateid(open_sid) + u32(0) + u64(clientid) + opaque(owner)
    return (OP["LOCK"], u32(OP["LOCK"]) + args)


def op_lockt(ltype, offset, length, clientid, owner):
    args = u32(ltype) + u64(offset) + u64(length) + u64(clientid) + opaque(owner)
    return (OP["LOCKT"], u32(OP["LOCKT"]) + args)


def op_write(sid, offset, data):
    return (OP["WRITE"], u32(OP["WRITE"]) + stateid(sid) + u64(offset) + u32(2) + opaque(data))


def op_close(seqid, sid):
    return (OP["CLOSE"], u32(OP["CLOSE"]) + u32(seqid) + stateid(sid))


def op_exchange_id(verifier, owner):
    args = verifier + opaque(owner) + u32(EXCHGID4_FLAG_USE_NON_PNFS) + u32(0) + u32(0)
    return (OP["EXCHANGE_ID"], u32(OP["EXCHANGE_ID"]) + args)


def _chan_attrs():
    return u32(0) + u32(1049620) + u32(1049480) + u32(3428) + u32(16) + u32(1) + u32(0)


def op_create_session(clientid, sequence):
    args = u64(clientid) + u32(sequence) + u32(0) + _chan_attrs() + _chan_attrs()
    args += u32(0x40000000) + u32(1) + u32(0)  # callback program, AUTH_NONE
    return (OP["CREATE_SESSION"], u32(OP["CREATE_SESSION"]) + args)


def op_sequence(sessionid, seqid):
    return (OP["SEQUENCE"], u32(OP["SEQUENCE"]) + sessionid + u32(seqid) + u32(0) + u32(0) +
            u32(0))


def op_reclaim_complete():
    return (OP["RECLAIM_COMPLETE"], u32(OP["RECLAIM_COMPLETE"]) + u32(0))


# ---- a client -------------------------------------------------------------------------------

class Client:
    """One NFSv4 client (client owner @owner) of minor version 0 or 1 on a Conn.  It keeps what
    a real client keeps: its client id, verifier, session and slot sequence (4.1), and each open
    owner's seqid (4.0).  Methods return operation statuses as names ("NFS4_OK", ...)."""

    def __init__(self, conn, minor, owner, verifier=None):
        self.conn, self.minor, self.owner = conn, minor, owner
        self.verifier = verifier or (owner.encode() + b"\0" * 8)[:8]
        self.clientid = None
        self.sessionid = None
        self.slot_seq = 0
        self.seqids = {}  # open owner -> next seqid (4.0)

    def compound(self, ops):
        if self.minor == 1 and self.sessionid is not None:
            self.slot_seq += 1
            res = self.conn.compound(1, [op_sequence(self.sessionid, self.slot_seq)] + ops)
            st, _ = res.op(OP["SEQUENCE"])
            if st != "NFS4_OK":
                self.slot_seq -= 1  # the slot did not advance
            return res
        return self.conn.compound(self.minor, ops)

    # -- client id / session
    def establish(self):
        """SETCLIENTID+CONFIRM (4.0) or EXCHANGE_ID+CREATE_SESSION (4.1): (status, step)."""
        if self.minor == 0:
            res = self.conn.compound(0, [op_setclientid(self.verifier, self.owner)])
            st, body = res.op(OP["SETCLIENTID"])
            if st != "NFS4_OK":
                return st, "setclientid"
            res = self.conn.compound(0, [op_setclientid_confirm(body["clientid"],
                                                                body["confirm"])])
            st, _ = res.op(OP["SETCLIENTID_CONFIRM"])
            if st == "NFS4_OK":
                self.clientid = body["clientid"]
                self.seqids = {}
            return st, "setclientid_confirm"
        res = self.conn.compound(1, [op_exchange_id(self.verifier, self.owner)])
        st, body = res.op(OP["EXCHANGE_ID"])
        if st != "NFS4_OK":
            return st, "exchange_id"
        return self.create_session(body["clientid"], body["sequenceid"])

    def create_session(self, clientid, sequence):
        res = self.conn.compound(1, [op_create_session(clientid, sequence)])
        st, body = res.op(OP["CREATE_SESSION"])
        if st == "NFS4_OK":
            self.clientid, self.sessionid, self.slot_seq = clientid, body["sessionid"], 0
        return st, "create_session"

    def renew(self):
        """RENEW (4.0) or a lone SEQUENCE (4.1): the lease and, after an event, the first
        thing that tells a client its server changed."""
        if self.minor == 0:
            return self.conn.compound(0, [op_renew(self.clientid)]).last()[1]
        return self.compound([]).last()[1]

    def reclaim_complete(self):
        return self.compound([op_reclaim_complete()]).last()[1]

    # -- opens and locks
    def _seqid(self, open_owner):
        return self.seqids.get(open_owner, 0) if self.minor == 0 else 0

    def _advance(self, open_owner, status):
        if self.minor == 0 and status not in SEQID_KEPT:
            self.seqids[open_owner] = self.seqids.get(open_owner, 0) + 1

    def lookup(self, path):
        ops = [op_putrootfh()] + [op_lookup(p) for p in path.strip("/").split("/") if p]
        res = self.compound(ops + [op_getfh()])
        st, body = res.op(OP["GETFH"])
        return (st or res.last()[1]), body.get("fh")

    def open(self, open_owner, dir_fh=None, name=None, file_fh=None, create=False):
        """OPEN by name in @dir_fh (CLAIM_NULL) or, with @file_fh, reclaim (CLAIM_PREVIOUS);
        OPEN_CONFIRM when asked (4.0).  Returns (status, {"stateid", "fh"})."""
        claim = CLAIM_PREVIOUS if file_fh is not None else CLAIM_NULL
        seqid = self._seqid(open_owner)
        ops = [op_putfh(file_fh if claim == CLAIM_PREVIOUS else dir_fh),
               op_open(seqid, self.clientid, open_owner, claim, name=name, create=create),
               op_getfh()]
        res = self.compound(ops)
        st, body = res.op(OP["OPEN"])
        if st is None:
            return res.last()[1], {}
        self._advance(open_owner, st)
        if st != "NFS4_OK":
            return st, {}
        out = dict(stateid=body["stateid"], fh=res.op(OP["GETFH"])[1].get("fh", file_fh))
        if self.minor == 0 and body["rflags"] & OPEN4_RESULT_CONFIRM:
            res = self.compound([op_putfh(out["fh"]),
                                 op_open_confirm(out["stateid"], self._seqid(open_owner))])
            st, cbody = res.op(OP["OPEN_CONFIRM"])
            self._advance(open_owner, st)
            if st != "NFS4_OK":
                return "OPEN_CONFIRM:" + st, {}
            out["stateid"] = cbody["stateid"]
        return "NFS4_OK", out

    def lock(self, open_owner, lock_owner, fh, open_sid, offset, length, reclaim=False):
        res = self.compound([op_putfh(fh),
                             op_lock_new(WRITE_LT, reclaim, offset, length,
                                         self._seqid(open_owner), open_sid, self.clientid,
                                         lock_owner)])
        st, body = res.op(OP["LOCK"])
        if st is None:
            return res.last()[1], {}
        self._advance(open_owner, st)
        return st, body

    def lockt(self, lock_owner, fh, offset, length):
        res = self.compound([op_putfh(fh), op_lockt(WRITE_LT, offset, length, self.clientid,
                                                    lock_owner)])
        st, body = res.op(OP["LOCKT"])
        return (st or res.last()[1]), body

    def write(self, fh, sid, offset, data):
        res = self.compound([op_putfh(fh), op_write(sid, offset, data)])
        st, _ = res.op(OP["WRITE"])
        return st or res.last()[1]

    def close(self, open_owner, fh, sid):
        res = self.compound([op_putfh(fh), op_close(self._seqid(open_owner), sid)])
        st, _ = res.op(OP["CLOSE"])
        if st is not None:
            self._advance(open_owner, st)
        return st or res.last()[1]
