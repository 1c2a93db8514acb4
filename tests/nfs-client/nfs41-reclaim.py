#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nfs41-reclaim: a minimal NFSv4.1 client, only what a client does to end a server's grace
period (RFC 8881 8.4.2.1, 18.51): EXCHANGE_ID with its client owner, CREATE_SESSION (the
server then records it in its recovery database), SEQUENCE + RECLAIM_COMPLETE, then
SEQUENCE every second to keep its lease for --hold seconds.  libnfs 4.0, which the C test
client uses, has no NFSv4.1 (no EXCHANGE_ID/CREATE_SESSION/SEQUENCE/RECLAIM_COMPLETE in its
XDR), and Ganesha 4.3 lifts grace early only once every known client sent RECLAIM_COMPLETE:
test-grace-reclaim.sh uses this to show and measure that early end.

Prints one line "reclaim_complete=<status> clientid=<hex> t=<s>" and exits 0 when
RECLAIM_COMPLETE succeeded (or was already done), 1 otherwise, 2 on usage errors.
"""
import argparse
import socket
import struct
import sys
import time

NFS_PROGRAM, NFS_V4, COMPOUND = 100003, 4, 1
OP_EXCHANGE_ID, OP_CREATE_SESSION, OP_SEQUENCE, OP_RECLAIM_COMPLETE = 42, 43, 53, 58
EXCHGID4_FLAG_USE_NON_PNFS = 0x00010000
NFS4_OK, NFS4ERR_COMPLETE_ALREADY = 0, 10054
NAMES = {0: "NFS4_OK", 10013: "NFS4ERR_GRACE", 10022: "NFS4ERR_STALE_CLIENTID",
         10033: "NFS4ERR_NO_GRACE", 10052: "NFS4ERR_BADSESSION",
         10054: "NFS4ERR_COMPLETE_ALREADY", 10071: "NFS4ERR_OP_NOT_IN_SESSION"}


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def opaque(b):
    pad = (4 - len(b) % 4) % 4
    return u32(len(b)) + b + b"\0" * pad


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
        self.pos += (n + 3) // 4 * 4
        return b

    def opaque(self):
        return self.fixed(self.u32())


class Client:
    def __init__(self, server, timeout):
        self.sock = socket.create_connection((server, 2049), timeout=timeout)
        self.xid = int(time.time()) & 0xFFFFFF

    def compound(self, ops):
        """Sends COMPOUND (minor version 1) and returns (status, Reader at the results)."""
        self.xid += 1
        stamp = int(time.time()) & 0xFFFFFFFF
        cred = u32(stamp) + opaque(b"nfs41-reclaim") + u32(0) + u32(0) + u32(0)
        call = (u32(self.xid) + u32(0) + u32(2) + u32(NFS_PROGRAM) + u32(NFS_V4) +
                u32(COMPOUND) + u32(1) + opaque(cred) + u32(0) + u32(0))
        args = opaque(b"") + u32(1) + u32(len(ops)) + b"".join(ops)
        msg = call + args
        self.sock.sendall(u32(0x80000000 | len(msg)) + msg)
        reply = b""
        last = False
        while not last:
            (mark,) = struct.unpack(">I", self.recv(4))
            last = bool(mark & 0x80000000)
            reply += self.recv(mark & 0x7FFFFFFF)
        r = Reader(reply)
        if r.u32() != self.xid or r.u32() != 1 or r.u32() != 0:
            raise RuntimeError("RPC reply rejected")
        r.u32()  # verifier flavor
        r.opaque()
        if r.u32() != 0:
            raise RuntimeError("RPC call not accepted")
        status = r.u32()
        r.opaque()  # tag
        r.u32()  # number of results
        return status, r

    def recv(self, n):
        b = b""
        while len(b) < n:
            chunk = self.sock.recv(n - len(b))
            if not chunk:
                raise RuntimeError("connection closed")
            b += chunk
        return b


def channel_attrs():
    # headerpadsize, maxrequestsize, maxresponsesize, maxresponsesize_cached, maxoperations,
    # maxrequests, rdma_ird<1> (none)
    return u32(0) + u32(1049620) + u32(1049480) + u32(3428) + u32(8) + u32(1) + u32(0)


def seq_op(sessionid, seqid):
    return u32(OP_SEQUENCE) + sessionid + u32(seqid) + u32(0) + u32(0) + u32(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--id", required=True, help="client owner id (the recovery record name)")
    ap.add_argument("--hold", type=float, default=0, help="keep the lease S seconds")
    ap.add_argument("--connect-timeout", type=float, default=20,
                    help="retry connecting this long (the server may be restarting)")
    args = ap.parse_args()
    t0 = time.monotonic()
    deadline = t0 + args.connect_timeout
    while True:
        try:
            c = Client(args.server, 3)
            break
        except OSError:
            if time.monotonic() > deadline:
                print("reclaim_complete=no-connection", flush=True)
                return 1
            time.sleep(0.1)
    owner = args.id.encode()
    verifier = (owner + b"\0" * 8)[:8]  # fixed: the same client, not rebooted
    status, r = c.compound([u32(OP_EXCHANGE_ID) + verifier + opaque(owner) +
                            u32(EXCHGID4_FLAG_USE_NON_PNFS) + u32(0) + u32(0)])
    if status != NFS4_OK:
        print("reclaim_complete=exchange_id:%s" % NAMES.get(status, status), flush=True)
        return 1
    r.u32(), r.u32()  # opnum, status
    clientid, sequence = r.u64(), r.u32()
    status, r = c.compound([u32(OP_CREATE_SESSION) + u64(clientid) + u32(sequence) + u32(0) +
                            channel_attrs() + channel_attrs() + u32(0x40000000) + u32(1) +
                            u32(0)])
    if status != NFS4_OK:
        print("reclaim_complete=create_session:%s" % NAMES.get(status, status), flush=True)
        return 1
    r.u32(), r.u32()
    sessionid = r.fixed(16)
    seqid = 1
    status, _ = c.compound([seq_op(sessionid, seqid),
                            u32(OP_RECLAIM_COMPLETE) + u32(0)])
    print("reclaim_complete=%s clientid=%x t=%.3f" %
          (NAMES.get(status, status), clientid, time.monotonic() - t0), flush=True)
    rc = 0 if status in (NFS4_OK, NFS4ERR_COMPLETE_ALREADY) else 1
    end = time.monotonic() + args.hold
    while time.monotonic() < end:
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
        seqid += 1
        try:
            c.compound([seq_op(sessionid, seqid)])
        except (OSError, RuntimeError):
            break  # the server went away while we held the lease: that is the test's doing
    return rc


if __name__ == "__main__":
    sys.exit(main())
