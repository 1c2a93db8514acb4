/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sd-raw4.h"

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <poll.h>
#include <string.h>

typedef struct {
  gboolean done;
  int status;
  nfsstat4 nfs_status;
  GByteArray *fh;
  GByteArray *data;
} Step;

static void on_reply(struct rpc_context *rpc, int status, void *data, void *private_data)
{
  Step *s = private_data;
  s->done = TRUE;
  s->status = status;
  if (status != RPC_STATUS_SUCCESS || data == NULL)
    return; /* also the connect callback, which carries no COMPOUND result */
  /* libnfs decodes replies into memory that is only 4-byte aligned: copy each structure out
   * before reading it (UBSan rightly flags direct member access). */
  COMPOUND4res res;
  memcpy(&res, data, sizeof(res));
  s->nfs_status = res.status;
  const char *ops = (const char *)res.resarray.resarray_val;
  for (u_int i = 0; i < res.resarray.resarray_len; i++) {
    nfs_resop4 op;
    memcpy(&op, ops + (gsize)i * sizeof(op), sizeof(op));
    if (s->fh != NULL && op.resop == OP_GETFH && op.nfs_resop4_u.opgetfh.status == NFS4_OK) {
      nfs_fh4 fh = op.nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
      g_byte_array_append(s->fh, (guint8 *)fh.nfs_fh4_val, fh.nfs_fh4_len);
    }
    if (s->data != NULL && op.resop == OP_READ && op.nfs_resop4_u.opread.status == NFS4_OK) {
      READ4resok ok = op.nfs_resop4_u.opread.READ4res_u.resok4;
      g_byte_array_append(s->data, (guint8 *)ok.data.data_val, ok.data.data_len);
    }
  }
}

static gboolean wait_reply(struct rpc_context *rpc, Step *s, int started, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  if (started != 0)
    return FALSE;
  while (!s->done && g_get_monotonic_time() < end) {
    struct pollfd pfd = {.fd = rpc_get_fd(rpc), .events = (short)rpc_which_events(rpc)};
    int n = poll(&pfd, 1, 100);
    if (rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0)
      break;
  }
  return s->done && s->status == RPC_STATUS_SUCCESS;
}

/* One COMPOUND on a fresh connection to @server:2049. */
static int compound(const char *server, nfs_argop4 *ops, u_int n, guint timeout_ms, GByteArray *fh,
                    GByteArray *data)
{
  struct rpc_context *rpc = rpc_init_context();
  Step connect = {0};
  int result = -1;

  if (wait_reply(rpc, &connect, rpc_connect_async(rpc, server, 2049, on_reply, &connect),
                 timeout_ms)) {
    COMPOUND4args args = {.minorversion = 0};
    args.argarray.argarray_len = n;
    args.argarray.argarray_val = ops;
    Step call = {.fh = fh, .data = data};
    if (wait_reply(rpc, &call, rpc_nfs4_compound_async(rpc, on_reply, &args, &call), timeout_ms))
      result = (int)call.nfs_status;
  }
  rpc_destroy_context(rpc);
  return result;
}

int sd_raw4_lookup(const char *server, const char *path, guint timeout_ms, GByteArray *fh)
{
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (char **p = parts; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add(names, *p);

  u_int n = names->len + 2;
  g_autofree nfs_argop4 *ops = g_new0(nfs_argop4, n);
  ops[0].argop = OP_PUTROOTFH;
  for (u_int i = 0; i < names->len; i++) {
    component4 *c = &ops[i + 1].nfs_argop4_u.oplookup.objname;
    ops[i + 1].argop = OP_LOOKUP;
    c->utf8string_val = g_ptr_array_index(names, i);
    c->utf8string_len = (u_int)strlen(c->utf8string_val);
  }
  ops[n - 1].argop = OP_GETFH;
  return compound(server, ops, n, timeout_ms, fh, NULL);
}

int sd_raw4_read(const char *server, const GByteArray *fh, guint count, guint timeout_ms,
                 GByteArray *data)
{
  nfs_argop4 ops[2];
  memset(ops, 0, sizeof ops);
  ops[0].argop = OP_PUTFH;
  ops[0].nfs_argop4_u.opputfh.object.nfs_fh4_len = fh->len;
  ops[0].nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)fh->data;
  ops[1].argop = OP_READ; /* all-zero stateid: the anonymous one */
  ops[1].nfs_argop4_u.opread.count = count;
  return compound(server, ops, 2, timeout_ms, NULL, data);
}
