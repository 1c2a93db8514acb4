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
import sys
import time

import nfs4wire as w


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
            conn = w.Conn(args.server, timeout=3, connect_timeout=3)
            break
        except w.ConnectionLost:
            if time.monotonic() > deadline:
                print("reclaim_complete=no-connection", flush=True)
                return 1
            time.sleep(0.1)
    # The verifier is derived from the id: the same client, not rebooted.
    c = w.Client(conn, 1, args.id)
    try:
        st, step = c.establish()
        if st != "NFS4_OK":
            print("reclaim_complete=%s:%s" % (step, st), flush=True)
            return 1
        st = c.reclaim_complete()
    except w.ConnectionLost as e:
        print("reclaim_complete=connection-lost:%s" % e, flush=True)
        return 1
    print("reclaim_complete=%s clientid=%x t=%.3f" % (st, c.clientid, time.monotonic() - t0),
          flush=True)
    rc = 0 if st in ("NFS4_OK", "NFS4ERR_COMPLETE_ALREADY") else 1
    end = time.monotonic() + args.hold
    while time.monotonic() < end:
        time.sleep(min(1.0, max(0.0, end - time.monotonic())))
        try:
            c.renew()
        except w.ConnectionLost:
            break  # the server went away while we held the lease: that is the test's doing
    return rc


if __name__ == "__main__":
    sys.exit(main())
