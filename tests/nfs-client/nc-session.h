/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nc-session: one NFSv4 session (libnfs context) to the server, and the few operations the
 * test client needs.  The high-level sync API does the work; the raw NFSv4 API is used where
 * the high-level one hides what we must see: the file handle itself. */
#pragma once

#include <glib.h>

/* How an operation failed; decides what the client counts and whether it reconnects. */
typedef enum {
  NC_ERR_STALE,    /* NFS4ERR_STALE/FHEXPIRED/BADHANDLE or ESTALE: the file handle is gone */
  NC_ERR_GRACE,    /* NFS4ERR_GRACE: the server is up but only takes reclaims */
  NC_ERR_STATE,    /* NFS4ERR_STALE_CLIENTID/STALE_STATEID/EXPIRED/BAD_STATEID...: lost state */
  NC_ERR_OTHER,    /* timeouts, connection reset/refused, anything else */
  NC_ERR_NO_GRACE, /* NFS4ERR_NO_GRACE/RECLAIM_BAD/RECLAIM_CONFLICT: nothing to reclaim here */
} NcErrKind;

#define NC_SESSION_ERROR (nc_session_error_quark())
GQuark nc_session_error_quark(void);

/* Classifies a libnfs failure from its (negative) errno and error string. */
NcErrKind nc_session_classify(int err, const char *message);

typedef struct NcSession NcSession;

typedef struct {
  const char *server;
  const char *export_path; /* e.g. "/data" (NFSv4 pseudo path) */
  const char *client_id;   /* NFSv4 client owner: the same on every reconnect */
  const char *verifier;    /* 8 bytes: the same on every reconnect (we did not reboot) */
  /* Sequence number of our own NFSv4.0 open-owner (used by reclaim), kept by the caller
   * across sessions: a server that still knows the owner expects the next one. */
  guint32 *owner_seqid;
  int timeout_ms;         /* RPC timeout; libnfs wants whole seconds */
  int connect_timeout_ms; /* the whole connect + mount */
} NcSessionConfig;

/* Connects and mounts; errors are in NC_SESSION_ERROR with an NcErrKind code. */
NcSession *nc_session_connect(const NcSessionConfig *config, GError **error);
/* Closes what is open without waiting for a (possibly dead) server, and frees. */
void nc_session_free(NcSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcSession, nc_session_free)

/* Opens (creating if needed) @name in the export, read-write; @truncate empties it (the first
 * open of a run, so records of an earlier run cannot pass for ours). */
gboolean nc_session_open(NcSession *session, const char *name, gboolean truncate, GError **error);
/* Writes @len bytes at @offset and commits them (fsync = NFSv4 COMMIT): only then is the
 * data on stable storage. */
gboolean nc_session_write_stable(NcSession *session, guint64 offset, const void *data, gsize len,
                                 GError **error);
/* Reads up to @len bytes at @offset; *got < len only at end of file. */
gboolean nc_session_read(NcSession *session, guint64 offset, void *buf, gsize len, gsize *got,
                         GError **error);
gsize nc_session_read_max(NcSession *session);

/* NFSv4.0 reclaim after the server lost our state (restart, or takeover of the VIP by
 * another node), as the Linux client does it (RFC 7530 9.6.2, 16.16): SETCLIENTID +
 * SETCLIENTID_CONFIRM with our unchanged client id string and verifier (the raw pair learns
 * the client id libnfs's mount established), then PUTFH(@fh) + OPEN(CLAIM_PREVIOUS) with our
 * own open-owner, and OPEN_CONFIRM if the server asks for it.  On success the session does
 * its I/O with the reclaimed open stateid (raw WRITE/COMMIT/READ): stateful I/O is allowed
 * during grace, where a new OPEN is refused with NFS4ERR_GRACE.  NC_ERR_NO_GRACE: the server
 * is not in grace or does not know us (caller opens normally). */
gboolean nc_session_reclaim(NcSession *session, GBytes *fh, GError **error);

/* Raw NFSv4: PUTROOTFH, LOOKUP each component of export/@name, GETFH.  The handle as the
 * server gave it. */
GBytes *nc_session_lookup_fh(NcSession *session, const char *name, GError **error);
/* Raw NFSv4: PUTFH(@fh) + GETATTR(type, size).  TRUE if the server still accepts the handle;
 * FALSE with NC_ERR_STALE if it is stale, or another kind if the check itself failed. */
gboolean nc_session_check_fh(NcSession *session, GBytes *fh, GError **error);
