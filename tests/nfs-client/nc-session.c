/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

G_DEFINE_QUARK(nc - session - error - quark, nc_session_error)

struct NcSession {
  struct nfs_context *nfs;
  struct nfsfh *fh;
  char *export_path;
  int timeout_ms;
  char *client_id;
  char verifier[NFS4_VERIFIER_SIZE];
  guint32 *owner_seqid;
  /* Set by a successful reclaim: I/O then goes through raw compounds with this state. */
  GBytes *reclaim_fh;
  stateid4 stateid;
  /* Requests we gave up on (Pending*, each the first member of its call): freed after the
   * context is destroyed, because libnfs only cancels queued PDUs, not a connect in progress,
   * whose callback therefore never comes. */
  GPtrArray *abandoned;
};

NcErrKind nc_session_classify(int err, const char *message)
{
  const char *m = message != NULL ? message : "";
  /* The state errors first: "NFS4ERR_STALE_CLIENTID" contains "NFS4ERR_STALE". */
  static const char *const state_errors[] = {
      "NFS4ERR_STALE_CLIENTID", "NFS4ERR_STALE_STATEID", "NFS4ERR_EXPIRED",
      "NFS4ERR_BAD_STATEID",    "NFS4ERR_OLD_STATEID",   "NFS4ERR_ADMIN_REVOKED",
      "NFS4ERR_LEASE_MOVED",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(state_errors); i++)
    if (strstr(m, state_errors[i]) != NULL)
      return NC_ERR_STATE;
  if (strstr(m, "NFS4ERR_STALE") != NULL || strstr(m, "NFS4ERR_FHEXPIRED") != NULL ||
      strstr(m, "NFS4ERR_BADHANDLE") != NULL || err == -ESTALE)
    return NC_ERR_STALE;
  if (strstr(m, "NFS4ERR_GRACE") != NULL)
    return NC_ERR_GRACE;
  if (strstr(m, "NFS4ERR_NO_GRACE") != NULL || strstr(m, "NFS4ERR_RECLAIM_BAD") != NULL ||
      strstr(m, "NFS4ERR_RECLAIM_CONFLICT") != NULL)
    return NC_ERR_NO_GRACE;
  return NC_ERR_OTHER;
}

/* ---- waiting for one request ----------------------------------------------------------
 * libnfs's sync API is not used on purpose: when its wait loop gives up (nfs_service failed,
 * timeout) the request stays queued with a pointer to the sync call's stack frame, and the
 * cancellation when the context is destroyed writes through it (seen as random crashes after
 * a server was killed).  Our requests carry heap state instead: a request we give up on is
 * marked abandoned, its callback (if it ever runs: a connect in progress is not cancelled)
 * leaves it alone, and the session frees it after destroying the context. */

typedef struct {
  gboolean done;
  gboolean abandoned;
  GDestroyNotify free_fn; /* frees the call this Pending is the first member of */
} Pending;

typedef enum { CALL_PLAIN, CALL_OPEN, CALL_READ } CallKind;

typedef struct {
  Pending pending;
  CallKind kind;
  int status; /* >= 0 success (bytes for read/write), -errno on failure */
  char *message;
  struct nfsfh *fh; /* open */
  guint8 *buf;      /* read: where the data goes; write: a copy of the data */
  gsize len;
} Call;

static void call_free(Call *call)
{
  g_free(call->message);
  g_free(call->buf);
  g_free(call);
}

static void call_cb(int status, struct nfs_context *nfs, void *data, void *private_data)
{
  Call *call = private_data;
  if (call->pending.abandoned) {
    /* Cancellations and late answers: the session frees the call; a late-opened file is
     * freed with the context. */
    return;
  }
  call->pending.done = TRUE;
  call->status = status;
  if (status < 0)
    call->message = g_strdup(data != NULL ? (const char *)data : g_strerror(-status));
  else if (call->kind == CALL_OPEN)
    call->fh = data;
  else if (call->kind == CALL_READ && data != NULL)
    memcpy(call->buf, data, MIN((gsize)status, call->len));
}

static Call *call_new(CallKind kind)
{
  Call *call = g_new0(Call, 1);
  call->kind = kind;
  call->pending.free_fn = (GDestroyNotify)call_free;
  return call;
}

/* Services the connection until @pending is done, the connection fails or @timeout_ms runs
 * out.  FALSE with @error set if it is not done; it is then marked abandoned and must not be
 * touched again (the session frees it once the context that may still call back is gone). */
static gboolean wait_pending(NcSession *session, Pending *pending, int timeout_ms, const char *what,
                             GError **error)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  while (!pending->done) {
    struct pollfd pfd = {.fd = nfs_get_fd(session->nfs),
                         .events = (short)nfs_which_events(session->nfs)};
    int n = poll(&pfd, 1, 100);
    if (n < 0 && errno != EINTR) {
      g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "%s: poll: %s", what, g_strerror(errno));
      break;
    }
    /* revents 0 still lets libnfs expire timed-out requests. */
    if (nfs_service(session->nfs, n > 0 ? pfd.revents : 0) < 0) {
      if (!pending->done)
        g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "%s: connection failed: %s", what,
                    nfs_get_error(session->nfs));
      break;
    }
    if (!pending->done && g_get_monotonic_time() > deadline) {
      g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "%s: no answer within %d ms", what,
                  timeout_ms);
      break;
    }
  }
  if (!pending->done) {
    pending->abandoned = TRUE;
    if (session->abandoned == NULL)
      session->abandoned = g_ptr_array_new();
    g_ptr_array_add(session->abandoned, pending);
    return FALSE;
  }
  return TRUE;
}

/* Queues with @queued (0 = queued), waits, and turns a failure into a classified GError.
 * Returns the finished call (caller frees) or NULL. */
static Call *finish_call(NcSession *session, Call *call, int queued, int timeout_ms,
                         const char *what, GError **error)
{
  if (queued != 0) {
    const char *msg = nfs_get_error(session->nfs);
    g_set_error(error, NC_SESSION_ERROR, nc_session_classify(queued, msg), "%s: %s", what,
                msg != NULL && *msg != '\0' ? msg : "cannot queue the request");
    call_free(call);
    return NULL;
  }
  if (!wait_pending(session, &call->pending, timeout_ms, what, error))
    return NULL;
  if (call->status < 0) {
    g_set_error(error, NC_SESSION_ERROR, nc_session_classify(call->status, call->message), "%s: %s",
                what, call->message);
    call_free(call);
    return NULL;
  }
  return call;
}

NcSession *nc_session_connect(const NcSessionConfig *config, GError **error)
{
  g_autoptr(NcSession) session = g_new0(NcSession, 1);
  session->export_path = g_strdup(config->export_path);
  session->timeout_ms = config->timeout_ms;
  session->client_id = g_strdup(config->client_id);
  memcpy(session->verifier, config->verifier, NFS4_VERIFIER_SIZE);
  session->owner_seqid = config->owner_seqid;
  session->nfs = nfs_init_context();
  if (session->nfs == NULL) {
    g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "cannot create a libnfs context");
    return NULL;
  }
  nfs_set_version(session->nfs, NFS_V4);
  /* Same owner and verifier on every reconnect: to the server we are the same client (not
   * rebooted) coming back, as the Linux client would be, so it may reclaim its state. */
  nfs4_set_client_name(session->nfs, config->client_id);
  nfs4_set_verifier(session->nfs, config->verifier);
  nfs_set_timeout(session->nfs, config->timeout_ms);
  /* Bound connect() to a VIP nobody answers for yet (SYN + one retry, about 3 s). */
  nfs_set_tcp_syncnt(session->nfs, 1);
  /* No silent reconnect inside libnfs: it would resend requests carrying state the new
   * server instance never issued; we reconnect ourselves and count it. */
  nfs_set_autoreconnect(session->nfs, 0);
  Call *call = call_new(CALL_PLAIN);
  int queued = nfs_mount_async(session->nfs, config->server, config->export_path, call_cb, call);
  /* Mounting is several round trips after a connect() of up to ~3 s, unless the caller bounds
   * it: a SYN sent while the VIP moves (to the MAC of a node that is gone) is otherwise only
   * retransmitted after TCP's initial 1 s timeout. */
  call = finish_call(session, call, queued, config->connect_timeout_ms, "mount", error);
  if (call == NULL)
    return NULL;
  call_free(call);
  return g_steal_pointer(&session);
}

static void discard_cb(int status, struct nfs_context *nfs, void *data, void *private_data)
{
}

void nc_session_free(NcSession *session)
{
  if (session == NULL)
    return;
  if (session->nfs != NULL) {
    /* Queue the CLOSE but do not wait for it: the server may be dead.  Destroying the context
     * cancels it, and the cancelled request frees the libnfs file structure. */
    if (session->fh != NULL)
      nfs_close_async(session->nfs, session->fh, discard_cb, NULL);
    nfs_destroy_context(session->nfs);
  }
  /* No callback can run any more: what we gave up on is ours to free. */
  for (guint i = 0; session->abandoned != NULL && i < session->abandoned->len; i++) {
    Pending *pending = g_ptr_array_index(session->abandoned, i);
    pending->free_fn(pending);
  }
  g_clear_pointer(&session->abandoned, g_ptr_array_unref);
  g_free(session->export_path);
  g_free(session->client_id);
  if (session->reclaim_fh != NULL)
    g_bytes_unref(session->reclaim_fh);
  g_free(session);
}

/* The reclaimed-state I/O (defined with the other raw NFSv4 calls below). */
static gboolean raw_write_stable(NcSession *session, guint64 offset, const void *data, gsize len,
                                 GError **error);
static gboolean raw_read(NcSession *session, guint64 offset, void *buf, gsize len, gsize *got,
                         GError **error);

static Call *open_call(NcSession *session, const char *path, int flags, GError **error)
{
  Call *call = call_new(CALL_OPEN);
  int queued = nfs_open2_async(session->nfs, path, flags, 0644, call_cb, call);
  return finish_call(session, call, queued, session->timeout_ms, "open", error);
}

gboolean nc_session_open(NcSession *session, const char *name, gboolean truncate, GError **error)
{
  g_autofree char *path = g_strconcat("/", name, NULL);
  int flags = O_RDWR | (truncate ? O_TRUNC : 0);
  /* Open first, create only if missing: libnfs 4.0 creates with a GUARDED OPEN even without
   * O_EXCL, so O_CREAT on an existing file fails with NFS4ERR_EXIST. */
  g_autoptr(GError) local = NULL;
  Call *call = open_call(session, path, flags, &local);
  if (call == NULL && strstr(local->message, "NOENT") != NULL) {
    g_clear_error(&local);
    call = open_call(session, path, flags | O_CREAT, &local);
  }
  if (call == NULL) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (session->fh != NULL)
    nfs_close_async(session->nfs, session->fh, discard_cb, NULL);
  session->fh = call->fh;
  call_free(call);
  return TRUE;
}

gboolean nc_session_write_stable(NcSession *session, guint64 offset, const void *data, gsize len,
                                 GError **error)
{
  if (session->reclaim_fh != NULL)
    return raw_write_stable(session, offset, data, len, error);
  g_return_val_if_fail(session->fh != NULL, FALSE);
  Call *call = call_new(CALL_PLAIN);
  /* libnfs may still reference the data after we give up: it must outlive this frame. */
  call->buf = g_memdup2(data, len);
  int queued = nfs_pwrite_async(session->nfs, session->fh, offset, len, call->buf, call_cb, call);
  call = finish_call(session, call, queued, session->timeout_ms, "write", error);
  if (call == NULL)
    return FALSE;
  int written = call->status;
  call_free(call);
  if ((gsize)written != len) {
    g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "write: short write (%d of %zu bytes)",
                written, len);
    return FALSE;
  }
  call = call_new(CALL_PLAIN);
  queued = nfs_fsync_async(session->nfs, session->fh, call_cb, call);
  call = finish_call(session, call, queued, session->timeout_ms, "commit", error);
  if (call == NULL)
    return FALSE;
  call_free(call);
  return TRUE;
}

gboolean nc_session_read(NcSession *session, guint64 offset, void *buf, gsize len, gsize *got,
                         GError **error)
{
  if (session->reclaim_fh != NULL)
    return raw_read(session, offset, buf, len, got, error);
  g_return_val_if_fail(session->fh != NULL, FALSE);
  gsize done = 0;
  while (done < len) {
    Call *call = call_new(CALL_READ);
    call->len = len - done;
    call->buf = g_malloc(call->len);
    int queued =
        nfs_pread_async(session->nfs, session->fh, offset + done, call->len, call_cb, call);
    call = finish_call(session, call, queued, session->timeout_ms, "read", error);
    if (call == NULL)
      return FALSE;
    gsize n = MIN((gsize)call->status, call->len);
    memcpy((char *)buf + done, call->buf, n);
    call_free(call);
    if (n == 0)
      break;
    done += n;
  }
  *got = done;
  return TRUE;
}

gsize nc_session_read_max(NcSession *session)
{
  guint64 max = nfs_get_readmax(session->nfs);
  return max > 0 ? (gsize)MIN(max, 1024 * 1024) : 32768;
}

/* ---- raw NFSv4 --------------------------------------------------------------------------- */

/* Outcome of one COMPOUND, filled in by the callback (its data is only valid there). */
typedef struct {
  Pending pending;
  int rpc_status;
  nfsstat4 status;
  nfs_opnum4 failed_op;
  char *rpc_error;
  GBytes *fh; /* from GETFH, if the compound has one */
  /* What the state-changing ops returned (each op's result is only valid in the callback). */
  clientid4 clientid;
  char confirm[NFS4_VERIFIER_SIZE]; /* SETCLIENTID */
  stateid4 stateid;                 /* OPEN, OPEN_CONFIRM */
  guint32 open_rflags;
  guint32 written;  /* WRITE */
  guint8 *read_buf; /* READ: where the data goes (caller's, read_cap bytes) */
  gsize read_cap;
  gsize read_len;
  gboolean read_eof;
  guint32 *owner_seqid; /* bumped when an OPEN/OPEN_CONFIRM consumed the seqid */
} RawCall;

static void raw_call_free(RawCall *call)
{
  g_free(call->rpc_error);
  if (call->fh != NULL)
    g_bytes_unref(call->fh);
  g_free(call);
}

static void raw_cb(struct rpc_context *rpc, int status, void *data, void *private_data)
{
  RawCall *call = private_data;
  if (call->pending.abandoned)
    return; /* the session frees it */
  call->pending.done = TRUE;
  call->rpc_status = status;
  if (status != RPC_STATUS_SUCCESS) {
    call->rpc_error = g_strdup(status == RPC_STATUS_CANCEL ? "cancelled"
                               : data != NULL              ? (const char *)data
                                                           : "RPC error");
    return;
  }
  /* libnfs decodes into memory from its own allocator that is only 4-byte aligned: copy each
   * structure out before reading it (UBSan rightly flags direct member access). */
  COMPOUND4res res;
  memcpy(&res, data, sizeof(res));
  call->status = res.status;
  gboolean seqid_used = FALSE; /* the open-owner's seqid was consumed (RFC 7530 9.1.7) */
  const char *ops = (const char *)res.resarray.resarray_val;
  for (u_int i = 0; i < res.resarray.resarray_len; i++) {
    nfs_resop4 op;
    memcpy(&op, ops + (gsize)i * sizeof(op), sizeof(op));
    /* Every resop starts with its nfsstat4; the last one is the one that failed. */
    call->failed_op = op.resop;
    if (op.resop == OP_GETFH && op.nfs_resop4_u.opgetfh.status == NFS4_OK) {
      nfs_fh4 fh = op.nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
      call->fh = g_bytes_new(fh.nfs_fh4_val, fh.nfs_fh4_len);
    } else if (op.resop == OP_SETCLIENTID && op.nfs_resop4_u.opsetclientid.status == NFS4_OK) {
      SETCLIENTID4resok ok = op.nfs_resop4_u.opsetclientid.SETCLIENTID4res_u.resok4;
      call->clientid = ok.clientid;
      memcpy(call->confirm, ok.setclientid_confirm, sizeof(call->confirm));
    } else if (op.resop == OP_OPEN || op.resop == OP_OPEN_CONFIRM) {
      nfsstat4 st = op.resop == OP_OPEN ? op.nfs_resop4_u.opopen.status
                                        : op.nfs_resop4_u.opopen_confirm.status;
      /* The errors that do not consume the owner's seqid (RFC 7530 9.1.7). */
      seqid_used = st != NFS4ERR_STALE_CLIENTID && st != NFS4ERR_STALE_STATEID &&
                   st != NFS4ERR_BAD_STATEID && st != NFS4ERR_BAD_SEQID && st != NFS4ERR_BADZDR &&
                   st != NFS4ERR_RESOURCE && st != NFS4ERR_NOFILEHANDLE && st != NFS4ERR_MOVED;
      if (st == NFS4_OK && op.resop == OP_OPEN) {
        OPEN4resok ok = op.nfs_resop4_u.opopen.OPEN4res_u.resok4;
        call->stateid = ok.stateid;
        call->open_rflags = ok.rflags;
      } else if (st == NFS4_OK) {
        call->stateid = op.nfs_resop4_u.opopen_confirm.OPEN_CONFIRM4res_u.resok4.open_stateid;
      }
    } else if (op.resop == OP_WRITE && op.nfs_resop4_u.opwrite.status == NFS4_OK) {
      call->written = op.nfs_resop4_u.opwrite.WRITE4res_u.resok4.count;
    } else if (op.resop == OP_READ && op.nfs_resop4_u.opread.status == NFS4_OK) {
      READ4resok ok = op.nfs_resop4_u.opread.READ4res_u.resok4;
      call->read_len = MIN((gsize)ok.data.data_len, call->read_cap);
      if (call->read_len > 0)
        memcpy(call->read_buf, ok.data.data_val, call->read_len);
      call->read_eof = ok.eof != 0;
    }
  }
  if (seqid_used && call->owner_seqid != NULL)
    (*call->owner_seqid)++;
}

static const char *nfsstat4_name(nfsstat4 status)
{
  switch ((int)status) {
  case NFS4_OK:
    return "NFS4_OK";
  case NFS4ERR_NOENT:
    return "NFS4ERR_NOENT";
  case NFS4ERR_STALE:
    return "NFS4ERR_STALE";
  case NFS4ERR_BADHANDLE:
    return "NFS4ERR_BADHANDLE";
  case NFS4ERR_FHEXPIRED:
    return "NFS4ERR_FHEXPIRED";
  case NFS4ERR_GRACE:
    return "NFS4ERR_GRACE";
  case NFS4ERR_STALE_CLIENTID:
    return "NFS4ERR_STALE_CLIENTID";
  case NFS4ERR_EXPIRED:
    return "NFS4ERR_EXPIRED";
  case NFS4ERR_MOVED:
    return "NFS4ERR_MOVED";
  case NFS4ERR_WRONGSEC:
    return "NFS4ERR_WRONGSEC";
  case NFS4ERR_DELAY:
    return "NFS4ERR_DELAY";
  case NFS4ERR_NO_GRACE:
    return "NFS4ERR_NO_GRACE";
  case NFS4ERR_RECLAIM_BAD:
    return "NFS4ERR_RECLAIM_BAD";
  case NFS4ERR_RECLAIM_CONFLICT:
    return "NFS4ERR_RECLAIM_CONFLICT";
  case NFS4ERR_STALE_STATEID:
    return "NFS4ERR_STALE_STATEID";
  case NFS4ERR_BAD_STATEID:
    return "NFS4ERR_BAD_STATEID";
  case NFS4ERR_OLD_STATEID:
    return "NFS4ERR_OLD_STATEID";
  case NFS4ERR_BAD_SEQID:
    return "NFS4ERR_BAD_SEQID";
  case NFS4ERR_CLID_INUSE:
    return "NFS4ERR_CLID_INUSE";
  case NFS4ERR_ADMIN_REVOKED:
    return "NFS4ERR_ADMIN_REVOKED";
  default:
    return "NFS4ERR_(other)";
  }
}

/* Runs one COMPOUND on the session's connection and waits for it (single threaded: nothing
 * else is waiting on the connection meanwhile). */
static RawCall *raw_compound_into(NcSession *session, RawCall *call, nfs_argop4 *ops, u_int n_ops,
                                  GError **error)
{
  struct rpc_context *rpc = nfs_get_rpc_context(session->nfs);
  call->pending.free_fn = (GDestroyNotify)raw_call_free;
  COMPOUND4args args = {0};
  args.argarray.argarray_len = n_ops;
  args.argarray.argarray_val = ops;
  if (rpc_nfs4_compound_async(rpc, raw_cb, &args, call) != 0) {
    g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "cannot send COMPOUND: %s",
                rpc_get_error(rpc));
    raw_call_free(call);
    return NULL;
  }
  if (!wait_pending(session, &call->pending, session->timeout_ms, "COMPOUND", error))
    return NULL;
  if (call->rpc_status != RPC_STATUS_SUCCESS) {
    g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "COMPOUND: %s", call->rpc_error);
    raw_call_free(call);
    return NULL;
  }
  if (call->status != NFS4_OK) {
    const char *name = nfsstat4_name(call->status);
    int err = call->status == NFS4ERR_STALE ? -ESTALE : -EIO;
    g_set_error(error, NC_SESSION_ERROR, nc_session_classify(err, name),
                "COMPOUND op %d failed with %s (%d)", (int)call->failed_op, name,
                (int)call->status);
    raw_call_free(call);
    return NULL;
  }
  return call;
}

static RawCall *raw_compound(NcSession *session, nfs_argop4 *ops, u_int n_ops, GError **error)
{
  return raw_compound_into(session, g_new0(RawCall, 1), ops, n_ops, error);
}

GBytes *nc_session_lookup_fh(NcSession *session, const char *name, GError **error)
{
  g_auto(GStrv) parts = g_strsplit(session->export_path, "/", -1);
  g_autoptr(GArray) ops = g_array_new(FALSE, TRUE, sizeof(nfs_argop4));
  nfs_argop4 op = {0};
  op.argop = OP_PUTROOTFH;
  g_array_append_val(ops, op);
  g_autoptr(GPtrArray) comps = g_ptr_array_new();
  for (char **p = parts; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add(comps, *p);
  g_ptr_array_add(comps, (gpointer)name);
  for (guint i = 0; i < comps->len; i++) {
    char *comp = g_ptr_array_index(comps, i);
    memset(&op, 0, sizeof(op));
    op.argop = OP_LOOKUP;
    op.nfs_argop4_u.oplookup.objname.utf8string_len = (u_int)strlen(comp);
    op.nfs_argop4_u.oplookup.objname.utf8string_val = comp;
    g_array_append_val(ops, op);
  }
  memset(&op, 0, sizeof(op));
  op.argop = OP_GETFH;
  g_array_append_val(ops, op);
  RawCall *call = raw_compound(session, (nfs_argop4 *)(void *)ops->data, ops->len, error);
  if (call == NULL)
    return NULL;
  GBytes *fh = g_steal_pointer(&call->fh);
  raw_call_free(call);
  if (fh == NULL)
    g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "GETFH returned no handle");
  return fh;
}

static void put_fh(nfs_argop4 *op, GBytes *fh)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(fh, &len);
  op->argop = OP_PUTFH;
  op->nfs_argop4_u.opputfh.object.nfs_fh4_len = (u_int)len;
  op->nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)data;
}

gboolean nc_session_check_fh(NcSession *session, GBytes *fh, GError **error)
{
  uint32_t mask[2] = {(1u << FATTR4_TYPE) | (1u << FATTR4_SIZE), 0};
  nfs_argop4 ops[2];
  memset(ops, 0, sizeof(ops));
  put_fh(&ops[0], fh);
  ops[1].argop = OP_GETATTR;
  ops[1].nfs_argop4_u.opgetattr.attr_request.bitmap4_len = 1;
  ops[1].nfs_argop4_u.opgetattr.attr_request.bitmap4_val = mask;
  RawCall *call = raw_compound(session, ops, G_N_ELEMENTS(ops), error);
  if (call == NULL)
    return FALSE;
  raw_call_free(call);
  return TRUE;
}

/* ---- reclaim (NFSv4.0) ------------------------------------------------------------------- */

/* SETCLIENTID + SETCLIENTID_CONFIRM with the id string and verifier libnfs's mount used: the
 * server sees the same, confirmed client (only its callback "changes"), keeps its state and
 * its client id, and tells us that id, which libnfs keeps to itself. */
static gboolean establish_clientid(NcSession *session, clientid4 *clientid, GError **error)
{
  nfs_argop4 op;
  memset(&op, 0, sizeof(op));
  op.argop = OP_SETCLIENTID;
  SETCLIENTID4args *sc = &op.nfs_argop4_u.opsetclientid;
  memcpy(sc->client.verifier, session->verifier, NFS4_VERIFIER_SIZE);
  sc->client.id.id_len = (u_int)strlen(session->client_id);
  sc->client.id.id_val = session->client_id;
  /* No callback service: we take no delegations. */
  sc->callback.cb_program = 0;
  sc->callback.cb_location.r_netid = (char *)"tcp";
  sc->callback.cb_location.r_addr = (char *)"0.0.0.0.0.0";
  RawCall *call = raw_compound(session, &op, 1, error);
  if (call == NULL) {
    g_prefix_error(error, "reclaim: SETCLIENTID: ");
    return FALSE;
  }
  *clientid = call->clientid;
  memset(&op, 0, sizeof(op));
  op.argop = OP_SETCLIENTID_CONFIRM;
  op.nfs_argop4_u.opsetclientid_confirm.clientid = call->clientid;
  memcpy(op.nfs_argop4_u.opsetclientid_confirm.setclientid_confirm, call->confirm,
         NFS4_VERIFIER_SIZE);
  raw_call_free(call);
  call = raw_compound(session, &op, 1, error);
  if (call == NULL) {
    g_prefix_error(error, "reclaim: SETCLIENTID_CONFIRM: ");
    return FALSE;
  }
  raw_call_free(call);
  return TRUE;
}

gboolean nc_session_reclaim(NcSession *session, GBytes *fh, GError **error)
{
  g_return_val_if_fail(session->owner_seqid != NULL, FALSE);
  clientid4 clientid = 0;
  if (!establish_clientid(session, &clientid, error))
    return FALSE;

  /* Our own open-owner, the same in every session: the state we reclaim is the one we held. */
  g_autofree char *owner = g_strconcat("nc-open:", session->client_id, NULL);
  nfs_argop4 ops[2];
  memset(ops, 0, sizeof(ops));
  put_fh(&ops[0], fh);
  ops[1].argop = OP_OPEN;
  OPEN4args *open = &ops[1].nfs_argop4_u.opopen;
  open->seqid = *session->owner_seqid;
  open->share_access = OPEN4_SHARE_ACCESS_BOTH;
  open->share_deny = OPEN4_SHARE_DENY_NONE;
  open->owner.clientid = clientid;
  open->owner.owner.owner_len = (u_int)strlen(owner);
  open->owner.owner.owner_val = owner;
  open->openhow.opentype = OPEN4_NOCREATE;
  /* CLAIM_PREVIOUS: the current filehandle is the file itself, and we held no delegation. */
  open->claim.claim = CLAIM_PREVIOUS;
  open->claim.open_claim4_u.delegate_type = OPEN_DELEGATE_NONE;
  RawCall *call = g_new0(RawCall, 1);
  call->owner_seqid = session->owner_seqid;
  call = raw_compound_into(session, call, ops, G_N_ELEMENTS(ops), error);
  if (call == NULL) {
    g_prefix_error(error, "reclaim: OPEN(CLAIM_PREVIOUS): ");
    return FALSE;
  }
  stateid4 stateid = call->stateid;
  gboolean confirm = (call->open_rflags & OPEN4_RESULT_CONFIRM) != 0;
  raw_call_free(call);

  if (confirm) {
    /* A v4.0 server that does not know the owner yet wants it confirmed (RFC 7530 16.18). */
    memset(ops, 0, sizeof(ops));
    put_fh(&ops[0], fh);
    ops[1].argop = OP_OPEN_CONFIRM;
    ops[1].nfs_argop4_u.opopen_confirm.open_stateid = stateid;
    ops[1].nfs_argop4_u.opopen_confirm.seqid = *session->owner_seqid;
    call = g_new0(RawCall, 1);
    call->owner_seqid = session->owner_seqid;
    call = raw_compound_into(session, call, ops, G_N_ELEMENTS(ops), error);
    if (call == NULL) {
      g_prefix_error(error, "reclaim: OPEN_CONFIRM: ");
      return FALSE;
    }
    stateid = call->stateid;
    raw_call_free(call);
  }

  if (session->fh != NULL) {
    nfs_close_async(session->nfs, session->fh, discard_cb, NULL);
    session->fh = NULL;
  }
  if (session->reclaim_fh != NULL)
    g_bytes_unref(session->reclaim_fh);
  session->reclaim_fh = g_bytes_ref(fh);
  session->stateid = stateid;
  return TRUE;
}

static gboolean raw_write_stable(NcSession *session, guint64 offset, const void *data, gsize len,
                                 GError **error)
{
  /* PUTFH + WRITE(UNSTABLE) + COMMIT in one round trip: acknowledged only once committed. */
  nfs_argop4 ops[3];
  memset(ops, 0, sizeof(ops));
  put_fh(&ops[0], session->reclaim_fh);
  ops[1].argop = OP_WRITE;
  WRITE4args *w = &ops[1].nfs_argop4_u.opwrite;
  w->stateid = session->stateid;
  w->offset = offset;
  w->stable = UNSTABLE4;
  w->data.data_len = (u_int)len;
  w->data.data_val = (char *)data;
  ops[2].argop = OP_COMMIT;
  ops[2].nfs_argop4_u.opcommit.offset = offset;
  ops[2].nfs_argop4_u.opcommit.count = (count4)len;
  RawCall *call = raw_compound(session, ops, G_N_ELEMENTS(ops), error);
  if (call == NULL) {
    g_prefix_error(error, "write: ");
    return FALSE;
  }
  guint32 written = call->written;
  raw_call_free(call);
  if ((gsize)written != len) {
    g_set_error(error, NC_SESSION_ERROR, NC_ERR_OTHER, "write: short write (%u of %zu bytes)",
                written, len);
    return FALSE;
  }
  return TRUE;
}

static gboolean raw_read(NcSession *session, guint64 offset, void *buf, gsize len, gsize *got,
                         GError **error)
{
  gsize done = 0;
  gsize max = nc_session_read_max(session);
  while (done < len) {
    nfs_argop4 ops[2];
    memset(ops, 0, sizeof(ops));
    put_fh(&ops[0], session->reclaim_fh);
    ops[1].argop = OP_READ;
    ops[1].nfs_argop4_u.opread.stateid = session->stateid;
    ops[1].nfs_argop4_u.opread.offset = offset + done;
    ops[1].nfs_argop4_u.opread.count = (count4)MIN(len - done, max);
    RawCall *call = g_new0(RawCall, 1);
    /* The callback of an abandoned call returns without touching read_buf, so pointing into
     * the caller's buffer is safe. */
    call->read_cap = MIN(len - done, max);
    call->read_buf = (guint8 *)buf + done;
    call = raw_compound_into(session, call, ops, G_N_ELEMENTS(ops), error);
    if (call == NULL) {
      g_prefix_error(error, "read: ");
      return FALSE;
    }
    gsize n = call->read_len;
    gboolean eof = call->read_eof;
    raw_call_free(call);
    done += n;
    if (n == 0 || eof)
      break;
  }
  *got = done;
  return TRUE;
}
