/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nc-report: counters of the NFS test client, its progress line and its JSON report. */
#pragma once

#include <glib.h>

/* One outage: from the last acknowledged write before the first error to the first
 * acknowledged write after it, i.e. the time applications saw no service. */
typedef struct {
  gint64 start_us; /* monotonic */
  gint64 end_us;   /* monotonic; 0 while the outage lasts */
  char *cause;     /* the first error */
  guint connect_attempts;
  guint grace_errors;
  guint stale;
  int old_handle_valid;  /* 1 valid, 0 stale, -1 not checked */
  gboolean reclaimed;    /* the open was reclaimed (OPEN CLAIM_PREVIOUS) in this outage */
  gint64 reconnected_us; /* monotonic, last successful reconnect; 0 if none */
} NcOutage;

typedef struct {
  char *client_id;
  char *server;
  char *export_path;
  char *file;
  gint64 start_real_us; /* wall clock at start, to turn monotonic times into dates */
  gint64 start_us;      /* monotonic at start */
  gint64 end_us;        /* monotonic at the end (0 while running) */

  guint64 acked;    /* records written and committed */
  guint64 verified; /* record reads that matched what was acknowledged */
  guint64 verify_passes;
  guint64 reconnects;
  guint64 stale;           /* stale file handle errors */
  guint64 lost;            /* acknowledged records missing or corrupt (each counted once) */
  guint64 grace_errors;    /* NFS4ERR_GRACE answers */
  guint64 errors;          /* every failed operation, whatever the cause */
  guint64 reclaims;        /* opens reclaimed with OPEN(CLAIM_PREVIOUS) */
  guint64 reclaim_refused; /* reclaims the server had no grace for (NFS4ERR_NO_GRACE) */

  gint64 last_ack_us; /* monotonic; 0 before the first acknowledgement */
  gint64 gap_max_us;  /* longest time between two acknowledgements */
  gint64 gap_start_us;
  gint64 gap_end_us;
  GPtrArray *outages; /* NcOutage* */
  char *last_error;
} NcReport;

NcReport *nc_report_new(const char *client_id, const char *server, const char *export_path,
                        const char *file, gint64 start_real_us, gint64 start_us);
void nc_report_free(NcReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcReport, nc_report_free)

/* An acknowledged write at @now_us: extends the gap statistics and ends an open outage. */
void nc_report_note_ack(NcReport *report, gint64 now_us);
/* A failed operation: opens an outage (starting at the last acknowledgement) if none is open. */
NcOutage *nc_report_note_error(NcReport *report, gint64 now_us, const char *message);
/* The open outage, or NULL. */
NcOutage *nc_report_current_outage(NcReport *report);

/* "t=12.3s acked=120 gap_max=0.31s reconnects=0 stale=0 lost=0" (no newline). */
char *nc_report_progress_line(const NcReport *report, gint64 now_us);
char *nc_report_to_json(const NcReport *report);
gboolean nc_report_write(const NcReport *report, const char *path, GError **error);
/* TRUE when the run passed: nothing acknowledged was lost and no handle went stale. */
gboolean nc_report_passed(const NcReport *report);
