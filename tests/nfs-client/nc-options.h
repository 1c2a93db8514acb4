/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nc-options: command line of clusres-nfs-client, validated. */
#pragma once

#include <glib.h>

typedef struct {
  char *server;
  char *export_path;
  char *file;
  char *report_path; /* NULL: no JSON report */
  char *client_id;
  int interval_ms;
  double duration_s; /* 0: until a signal (or --records) */
  guint64 records;   /* 0: no limit */
  int timeout_ms;
  int connect_timeout_ms; /* connect + mount, after which a new attempt starts */
  gboolean no_reclaim;    /* never OPEN(CLAIM_PREVIOUS): wait for grace to end, then open */
} NcOptions;

/* Parses and validates; handles --help itself (prints and exits 0).  On FALSE the message
 * in @error is meant for the user, and the caller exits 2. */
gboolean nc_options_parse(NcOptions *options, int argc, char **argv, GError **error);
void nc_options_clear(NcOptions *options);
