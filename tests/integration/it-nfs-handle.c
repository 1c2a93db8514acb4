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
#include <nfsc/libnfs-raw-nfs4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sd-raw4.h"

#define RPC_TIMEOUT_MS 5000

static int do_lookup(const char *server, const char *pseudo, const char *file)
{
  g_autofree char *path = g_strdup_printf("%s/%s", pseudo, file);
  g_autoptr(GByteArray) fh = g_byte_array_new();
  int status = sd_raw4_lookup(server, path, RPC_TIMEOUT_MS, fh);
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
    g_byte_array_set_size(data, 0);
    status = sd_raw4_read(server, fh, 4096, RPC_TIMEOUT_MS, data);
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
