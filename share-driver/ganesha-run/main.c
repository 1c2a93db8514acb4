/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusres-ganesha-run: starts NFS-Ganesha with a server epoch of its own (see sd-epoch.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sd-epoch.h"

int main(int argc, char **argv)
{
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
      {"epoch-dir", 'e', 0, G_OPTION_ARG_FILENAME, &dir,
       "directory on the shared storage holding the cluster's epoch counter (required; e.g. "
       "the shares' recovery_root)",
       "DIR"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("-- GANESHA [ARGS...]");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_set_summary(
      ctx, "Takes the next server epoch from the cluster-wide counter in DIR and runs\n"
           "GANESHA ARGS... -E EPOCH in its place (same pid), so that every Ganesha instance of\n"
           "the cluster, on any node and after any restart, issues client ids no other\n"
           "instance issued: a client that comes to another instance after a failover gets\n"
           "NFS4ERR_STALE_CLIENTID and reclaims its state (RFC 7530 9.6.3.1).");
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("clusres-ganesha-run: %s\n", error->message);
    return 2;
  }
  int first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
  if (dir == NULL || *dir == '\0' || first >= argc) {
    g_printerr("clusres-ganesha-run: usage: clusres-ganesha-run --epoch-dir DIR -- GANESHA "
               "[ARGS...] (see --help)\n");
    return 2;
  }
  for (int i = first; i < argc; i++) {
    if (strcmp(argv[i], "-E") == 0) {
      g_printerr("clusres-ganesha-run: GANESHA's arguments already give -E: the epoch is "
                 "this program's to choose\n");
      return 2;
    }
  }
  guint32 epoch = 0;
  if (!sd_epoch_next(dir, (guint64)g_get_real_time() / G_USEC_PER_SEC, &epoch, &error)) {
    g_printerr("clusres-ganesha-run: %s\n", error->message);
    return 1;
  }
  g_autofree char *epoch_s = g_strdup_printf("%u", epoch);
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  for (int i = first; i < argc; i++)
    g_ptr_array_add(args, argv[i]);
  g_ptr_array_add(args, (char *)"-E");
  g_ptr_array_add(args, epoch_s);
  g_ptr_array_add(args, NULL);
  execv(argv[first], (char **)args->pdata);
  g_printerr("clusres-ganesha-run: cannot run %s: %s\n", argv[first], g_strerror(errno));
  return 127;
}
