/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * it-nfs-handle: raw NFSv4 file-handle helper for test-share-ganesha.sh (libnfs, no mount).
 *   it-nfs-handle lookup VIP PSEUDO FILE   prints the hex file handle of PSEUDO/FILE
 *   it-nfs-handle read VIP HEX_HANDLE      PUTFH + READ with that handle, prints the data
 * The failover check needs the handle a client already holds, re-used as is on another
 * server: a fresh path lookup (nfs-cat) would hide a stale handle.  `read` retries while the
 * server answers NFS4ERR_GRACE/DELAY or is not reachable yet (up to IT_NFS_BUDGET_MS, default
 * 20000) and exits 0 only on NFS4_OK; otherwise it prints the NFS status and exits 1.
 */
#include <glib.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RPC_TIMEOUT_MS 5000

typedef struct {
  gboolean done;
  int status;
  int nfs_status;
  GByteArray *fh;
  GByteArray *data;
} Step;

static void on_reply(struct rpc_context *rpc, int status, void *data, void *private_data)
{
  Step *s = private_data;
  s->done = TRUE;
  s->status = status;
  if (status != RPC_STATUS_SUCCESS || data == NULL || s->fh == NULL)
    return; /* the connect callback carries no COMPOUND result */
  COMPOUND4res *res = data;
  s->nfs_status = (int)res->status;
  for (u_int i = 0; i < res->resarray.resarray_len; i++) {
    /* libnfs decodes the array into its own buffer at a 4-byte boundary only: copy each
     * element out instead of accessing it in place (UBSan: misaligned member access). */
    nfs_resop4 op;
    memcpy(&op, (const char *)res->resarray.resarray_val + i * sizeof op, sizeof op);
    if (op.resop == OP_GETFH && op.nfs_resop4_u.opgetfh.status == NFS4_OK) {
      nfs_fh4 *fh = &op.nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
      g_byte_array_append(s->fh, (guint8 *)fh->nfs_fh4_val, fh->nfs_fh4_len);
    }
    if (op.resop == OP_READ && op.nfs_resop4_u.opread.status == NFS4_OK) {
      READ4resok *ok = &op.nfs_resop4_u.opread.READ4res_u.resok4;
      g_byte_array_append(s->data, (guint8 *)ok->data.data_val, ok->data.data_len);
    }
  }
}

static gboolean wait_reply(struct rpc_context *rpc, Step *s, int started)
{
  gint64 end = g_get_monotonic_time() + RPC_TIMEOUT_MS * 1000;
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

/* One COMPOUND on a fresh TCP connection: the compound status, or -1 if the RPC failed. */
static int compound(const char *server, nfs_argop4 *ops, u_int n, GByteArray *fh, GByteArray *data)
{
  struct rpc_context *rpc = rpc_init_context();
  Step connect = {0};
  int result = -1;

  if (wait_reply(rpc, &connect, rpc_connect_async(rpc, server, 2049, on_reply, &connect))) {
    COMPOUND4args args = {.minorversion = 0};
    args.argarray.argarray_len = n;
    args.argarray.argarray_val = ops;
    Step call = {.fh = fh, .data = data};
    if (wait_reply(rpc, &call, rpc_nfs4_compound_async(rpc, on_reply, &args, &call)))
      result = call.nfs_status;
  }
  rpc_destroy_context(rpc);
  return result;
}

static int do_lookup(const char *server, const char *pseudo, const char *file)
{
  g_auto(GStrv) parts = g_strsplit(pseudo, "/", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (char **p = parts; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add(names, *p);
  g_ptr_array_add(names, (gpointer)file);

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

  g_autoptr(GByteArray) fh = g_byte_array_new();
  g_autoptr(GByteArray) data = g_byte_array_new();
  int status = compound(server, ops, n, fh, data);
  if (status != NFS4_OK || fh->len == 0) {
    fprintf(stderr, "lookup of %s/%s: NFS status %d\n", pseudo, file, status);
    return 1;
  }
  for (guint i = 0; i < fh->len; i++)
    printf("%02x", fh->data[i]);
  printf("\n");
  return 0;
}

static GByteArray *parse_hex(const char *hex)
{
  size_t len = strlen(hex);
  if (len == 0 || len % 2 != 0 || len / 2 > NFS4_FHSIZE)
    return NULL;
  GByteArray *fh = g_byte_array_sized_new((guint)(len / 2));
  for (size_t i = 0; i < len; i += 2) {
    int hi = g_ascii_xdigit_value(hex[i]), lo = g_ascii_xdigit_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      g_byte_array_unref(fh);
      return NULL;
    }
    guint8 b = (guint8)(hi << 4 | lo);
    g_byte_array_append(fh, &b, 1);
  }
  return fh;
}

static int do_read(const char *server, const char *hex)
{
  g_autoptr(GByteArray) fh = parse_hex(hex);
  if (fh == NULL) {
    fprintf(stderr, "not a file handle: %s\n", hex);
    return 2;
  }
  const char *budget_env = g_getenv("IT_NFS_BUDGET_MS");
  gint64 budget_ms = budget_env != NULL ? g_ascii_strtoll(budget_env, NULL, 10) : 20000;
  gint64 end = g_get_monotonic_time() + budget_ms * 1000;
  g_autoptr(GByteArray) data = g_byte_array_new();
  int status;

  for (;;) {
    nfs_argop4 ops[2];
    memset(ops, 0, sizeof ops);
    ops[0].argop = OP_PUTFH;
    ops[0].nfs_argop4_u.opputfh.object.nfs_fh4_len = fh->len;
    ops[0].nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)fh->data;
    ops[1].argop = OP_READ; /* all-zero stateid: the anonymous one */
    ops[1].nfs_argop4_u.opread.count = 4096;
    g_autoptr(GByteArray) unused = g_byte_array_new();
    g_byte_array_set_size(data, 0);
    status = compound(server, ops, 2, unused, data);
    /* Retry only what a client would retry; a stale handle is an answer, not a delay. */
    if ((status != NFS4ERR_GRACE && status != NFS4ERR_DELAY && status != -1) ||
        g_get_monotonic_time() > end)
      break;
    g_usleep(200 * 1000);
  }
  if (status != NFS4_OK) {
    fprintf(stderr, "read by handle: NFS status %d%s\n", status,
            status == NFS4ERR_STALE ? " (NFS4ERR_STALE)" : "");
    return 1;
  }
  fwrite(data->data, 1, data->len, stdout);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc == 5 && strcmp(argv[1], "lookup") == 0)
    return do_lookup(argv[2], argv[3], argv[4]);
  if (argc == 4 && strcmp(argv[1], "read") == 0)
    return do_read(argv[2], argv[3]);
  fprintf(stderr, "usage: %s lookup VIP PSEUDO FILE | read VIP HEX_HANDLE\n", argv[0]);
  return 2;
}
