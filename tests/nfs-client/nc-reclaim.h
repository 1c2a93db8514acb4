/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nc-reclaim: when the test client reclaims its open state and what it does with the answer.
 * The Linux NFSv4 client's rule (RFC 7530 9.6.2): after the server lost our state (it
 * restarted, or another node took its address over) a client that held opens reclaims them
 * with OPEN(CLAIM_PREVIOUS) during the server's grace period, instead of waiting for grace to
 * end and opening anew.  Pure decisions, kept apart from the I/O so they can be unit-tested. */
#pragma once

#include <glib.h>

#include "nc-session.h"

typedef enum {
  NC_OPEN_NORMAL,  /* OPEN(CLAIM_NULL): first open, reclaim off, or refused in this session */
  NC_OPEN_RECLAIM, /* OPEN(CLAIM_PREVIOUS) on the handle we held */
} NcOpenHow;

/* How a new session opens the file.  @held_open: we had the file open before (so there is
 * state to reclaim); @refused: this session's server already said there is nothing to
 * reclaim (NFS4ERR_NO_GRACE: not in grace, or we are not among its known clients). */
NcOpenHow nc_reclaim_open_how(gboolean enabled, gboolean held_open, gboolean refused);

typedef enum {
  NC_RECLAIM_USE,       /* reclaimed: write with the reclaimed state */
  NC_RECLAIM_OPEN,      /* nothing to reclaim here: open normally in this same session */
  NC_RECLAIM_RECONNECT, /* the session is unusable (lost state, no answer): start over */
} NcReclaimNext;

/* What to do after a reclaim attempt: @ok, else the kind of error it failed with. */
NcReclaimNext nc_reclaim_next(gboolean ok, NcErrKind kind);
const char *nc_reclaim_next_to_string(NcReclaimNext next);
