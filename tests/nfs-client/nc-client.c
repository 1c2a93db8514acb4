/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-client.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "nc-reclaim.h"
#include "nc-record.h"
#include "nc-report.h"
#include "nc-session.h"

/* Reconnect back-off: short at first so the measured gap is close to the real outage, capped
 * low so that the gap we report is the service's, not our own waiting: at most 200 ms pass
 * between the server's return and our next attempt (5 connects a second while it is away). */
#define BACKOFF_MIN_US (100 * 1000)
#define BACKOFF_MAX_US (200 * 1000)
#define GRACE_RETRY_US (200 * 1000)
#define FULL_VERIFY_EVERY_US G_USEC_PER_SEC
#define PROGRESS_EVERY_US G_USEC_PER_SEC

typedef struct {
  const NcOptions *opt;
  NcSessionConfig config;
  char verifier[8];
  NcReport *report;
  NcSession *session;       /* NULL while disconnected */
  gboolean open;            /* the file is open in this session */
  gboolean reclaim_refused; /* this session's server had nothing for us to reclaim */
  guint32 owner_seqid;      /* our open-owner's seqid (reclaim), kept across sessions */
  gboolean ever_connected;
  gboolean ever_opened;
  GBytes *first_fh;      /* the handle of the first open: must survive a failover */
  GArray *acked_times;   /* gint64 time_us of acknowledged record N at index N */
  GByteArray *lost_seen; /* 1 at N once record N has been counted lost */
  gint64 backoff_us;
  gint64 next_full_verify_us;
  sigset_t signals;
} NcClient;

static double t_of(NcClient *c, gint64 now)
{
  return (double)(now - c->report->start_us) / G_USEC_PER_SEC;
}

static void drop_session(NcClient *c)
{
  g_clear_pointer(&c->session, nc_session_free);
  c->open = FALSE;
  c->reclaim_refused = FALSE;
}

/* Counts and logs a failure, decides whether the session is still usable, and schedules the
 * retry.  Returns the time of the next attempt. */
static gint64 handle_error(NcClient *c, gint64 now, const GError *error)
{
  NcOutage *outage = nc_report_note_error(c->report, now, error->message);
  NcErrKind kind = error->domain == NC_SESSION_ERROR ? (NcErrKind)error->code : NC_ERR_OTHER;
  switch (kind) {
  case NC_ERR_STALE:
    c->report->stale++;
    outage->stale++;
    break;
  case NC_ERR_GRACE:
    c->report->grace_errors++;
    outage->grace_errors++;
    break;
  case NC_ERR_STATE:
  case NC_ERR_OTHER:
  case NC_ERR_NO_GRACE:
    break;
  }
  /* A grace period means an answer every GRACE_RETRY_US: log the first and then every 25th. */
  if (kind != NC_ERR_GRACE || outage->grace_errors % 25 == 1)
    g_printerr("t=%.3fs error (%s): %s\n", t_of(c, now),
               kind == NC_ERR_STALE   ? "stale handle"
               : kind == NC_ERR_GRACE ? "grace"
               : kind == NC_ERR_STATE ? "lost state"
                                      : "other",
               error->message);
  /* In grace the server is there and our session with it is fine: only the OPEN must wait.
   * Anything else may have come from a server instance that no longer knows us: start over
   * with a fresh connection (same client id). */
  if (kind != NC_ERR_GRACE)
    drop_session(c);
  else
    c->open = FALSE;
  /* A server in grace answers at once and will take our OPEN the moment grace ends: poll it
   * at a fixed short interval so the measured gap is not inflated by our own back-off. */
  if (kind == NC_ERR_GRACE)
    return now + GRACE_RETRY_US;
  c->backoff_us = c->backoff_us == 0 ? BACKOFF_MIN_US : MIN(c->backoff_us * 2, BACKOFF_MAX_US);
  return now + c->backoff_us;
}

static void count_lost(NcClient *c, guint64 seq, const char *why)
{
  if (c->lost_seen->data[seq])
    return;
  c->lost_seen->data[seq] = 1;
  c->report->lost++;
  g_printerr("t=%.3fs LOST acknowledged record %" G_GUINT64_FORMAT ": %s\n",
             t_of(c, g_get_monotonic_time()), seq, why);
}

static void check_record(NcClient *c, guint64 seq, const guint8 *bytes)
{
  NcRecord got, want;
  NcRecordStatus status = nc_record_decode(bytes, &got);
  if (status != NC_RECORD_OK) {
    count_lost(c, seq, nc_record_status_to_string(status));
    return;
  }
  nc_record_init(&want, seq, g_array_index(c->acked_times, gint64, seq), c->opt->client_id);
  if (!nc_record_equal(&got, &want)) {
    g_autofree char *why =
        g_strdup_printf("holds record %" G_GUINT64_FORMAT " of '%s' instead", got.seq, got.id);
    count_lost(c, seq, why);
    return;
  }
  c->report->verified++;
}

/* Reads back acknowledged records [from, to) and checks each against what was acknowledged. */
static gboolean verify(NcClient *c, guint64 from, guint64 to, GError **error)
{
  gsize chunk = MAX(nc_session_read_max(c->session) / NC_RECORD_SIZE, 1) * NC_RECORD_SIZE;
  g_autofree guint8 *buf = g_malloc(chunk);
  guint64 seq = from;
  while (seq < to) {
    gsize want = (gsize)MIN((guint64)chunk, (to - seq) * NC_RECORD_SIZE);
    gsize got = 0;
    if (!nc_session_read(c->session, seq * NC_RECORD_SIZE, buf, want, &got, error))
      return FALSE;
    for (gsize i = 0; i + NC_RECORD_SIZE <= got; i += NC_RECORD_SIZE)
      check_record(c, seq++, buf + i);
    if (got < want) {
      /* Short read: the file ends before records we were told are on stable storage. */
      for (; seq < to; seq++)
        count_lost(c, seq, "beyond the end of the file");
    }
  }
  return TRUE;
}

static gboolean full_verify(NcClient *c, gint64 now, GError **error)
{
  if (!verify(c, 0, c->report->acked, error))
    return FALSE;
  c->report->verify_passes++;
  c->next_full_verify_us = now + FULL_VERIFY_EVERY_US;
  return TRUE;
}

static gboolean connect_and_open(NcClient *c, gint64 now, GError **error)
{
  NcOutage *outage = nc_report_current_outage(c->report);
  if (c->session == NULL) {
    if (outage != NULL)
      outage->connect_attempts++;
    c->session = nc_session_connect(&c->config, error);
    if (c->session == NULL)
      return FALSE;
    if (outage != NULL)
      outage->reconnected_us = g_get_monotonic_time();
    if (c->ever_connected) {
      c->report->reconnects++;
      g_printerr("t=%.3fs reconnected to %s\n", t_of(c, g_get_monotonic_time()), c->opt->server);
    }
    c->ever_connected = TRUE;
  }
  /* After an outage, first ask the server about the handle we had from the start: a client
   * that keeps its handles across failover must find it still valid. */
  if (outage != NULL && c->first_fh != NULL && outage->old_handle_valid < 0) {
    g_autoptr(GError) local = NULL;
    if (nc_session_check_fh(c->session, c->first_fh, &local)) {
      outage->old_handle_valid = 1;
      g_printerr("t=%.3fs original file handle still valid\n", t_of(c, g_get_monotonic_time()));
    } else if (local->code == NC_ERR_STALE) {
      outage->old_handle_valid = 0;
      c->report->stale++;
      outage->stale++;
      g_printerr("t=%.3fs original file handle is STALE: %s\n", t_of(c, g_get_monotonic_time()),
                 local->message);
    } else {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  }
  /* first_fh is taken right after the first open: with it, there is an open to reclaim. */
  if (nc_reclaim_open_how(!c->opt->no_reclaim, c->first_fh != NULL, c->reclaim_refused) ==
      NC_OPEN_RECLAIM) {
    g_autoptr(GError) local = NULL;
    gboolean ok = nc_session_reclaim(c->session, c->first_fh, &local);
    NcErrKind kind =
        ok || local->domain != NC_SESSION_ERROR ? NC_ERR_OTHER : (NcErrKind)local->code;
    switch (nc_reclaim_next(ok, kind)) {
    case NC_RECLAIM_USE:
      c->report->reclaims++;
      if (outage != NULL)
        outage->reclaimed = TRUE;
      g_printerr("t=%.3fs reclaimed the open (OPEN CLAIM_PREVIOUS)\n",
                 t_of(c, g_get_monotonic_time()));
      c->open = TRUE;
      return full_verify(c, now, error);
    case NC_RECLAIM_OPEN:
      c->report->reclaim_refused++;
      c->reclaim_refused = TRUE;
      g_printerr("t=%.3fs nothing to reclaim (%s): opening anew\n", t_of(c, g_get_monotonic_time()),
                 local->message);
      break;
    case NC_RECLAIM_RECONNECT:
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  }
  if (!nc_session_open(c->session, c->opt->file, !c->ever_opened, error))
    return FALSE;
  c->open = TRUE;
  if (c->first_fh == NULL) {
    c->first_fh = nc_session_lookup_fh(c->session, c->opt->file, error);
    if (c->first_fh == NULL)
      return FALSE;
  }
  c->ever_opened = TRUE;
  /* A new open after an outage: prove that everything acknowledged before it is still there. */
  return full_verify(c, now, error);
}

/* One unit of work: (re)connect if needed, else write one record and verify.  Returns when the
 * next step is due. */
static gint64 step(NcClient *c, gint64 now)
{
  g_autoptr(GError) error = NULL;
  if (!c->open && !connect_and_open(c, now, &error))
    return handle_error(c, g_get_monotonic_time(), error);

  guint64 seq = c->report->acked;
  NcRecord rec;
  guint8 bytes[NC_RECORD_SIZE];
  nc_record_init(&rec, seq, g_get_real_time(), c->opt->client_id);
  nc_record_encode(&rec, bytes);
  if (!nc_session_write_stable(c->session, seq * NC_RECORD_SIZE, bytes, sizeof(bytes), &error))
    return handle_error(c, g_get_monotonic_time(), error);
  /* Acknowledged: written and committed.  From now on it must never go missing. */
  g_array_append_val(c->acked_times, rec.time_us);
  g_byte_array_append(c->lost_seen, (const guint8 *)"", 1);
  nc_report_note_ack(c->report, g_get_monotonic_time());
  c->backoff_us = 0;

  if (!verify(c, seq, seq + 1, &error))
    return handle_error(c, g_get_monotonic_time(), error);
  gint64 after = g_get_monotonic_time();
  if (after >= c->next_full_verify_us && !full_verify(c, after, &error))
    return handle_error(c, g_get_monotonic_time(), error);
  return now + (gint64)c->opt->interval_ms * 1000;
}

/* Waits until @until (monotonic) or a termination signal; TRUE if a signal came.  The signals
 * are blocked and taken here, never delivered asynchronously: libnfs's sync calls would fail
 * on an interrupted poll(). */
static gboolean wait_until(NcClient *c, gint64 until)
{
  for (;;) {
    gint64 left = until - g_get_monotonic_time();
    if (left < 0)
      left = 0;
    struct timespec ts = {.tv_sec = left / G_USEC_PER_SEC,
                          .tv_nsec = (left % G_USEC_PER_SEC) * 1000};
    int sig = sigtimedwait(&c->signals, NULL, &ts);
    if (sig > 0) {
      g_printerr("t=%.3fs %s: finishing\n", t_of(c, g_get_monotonic_time()), strsignal(sig));
      return TRUE;
    }
    if (errno == EAGAIN)
      return FALSE;
    /* EINTR (another signal, e.g. SIGCHLD): wait for the rest. */
  }
}

int nc_client_run(const NcOptions *options)
{
  NcClient c = {0};
  c.opt = options;
  gint64 start = g_get_monotonic_time();
  c.report = nc_report_new(options->client_id, options->server, options->export_path, options->file,
                           g_get_real_time(), start);
  /* The verifier names this incarnation of the client: fixed for the whole run, so after a
   * server restart we present ourselves as the same client, not a rebooted one. */
  guint64 boot = (guint64)g_get_real_time();
  for (int i = 0; i < 8; i++)
    c.verifier[i] = (char)(boot >> (8 * i));
  c.config = (NcSessionConfig){.server = options->server,
                               .export_path = options->export_path,
                               .client_id = options->client_id,
                               .verifier = c.verifier,
                               .owner_seqid = &c.owner_seqid,
                               .timeout_ms = options->timeout_ms,
                               .connect_timeout_ms = options->connect_timeout_ms};
  c.acked_times = g_array_new(FALSE, FALSE, sizeof(gint64));
  c.lost_seen = g_byte_array_new();
  sigemptyset(&c.signals);
  sigaddset(&c.signals, SIGTERM);
  sigaddset(&c.signals, SIGINT);
  sigprocmask(SIG_BLOCK, &c.signals, NULL);
  signal(SIGPIPE, SIG_IGN); /* a reset connection must be an error, not our death */

  gint64 end =
      options->duration_s > 0 ? start + (gint64)(options->duration_s * G_USEC_PER_SEC) : G_MAXINT64;
  gint64 next_step = start;
  gint64 next_progress = start + PROGRESS_EVERY_US;
  c.next_full_verify_us = start + FULL_VERIFY_EVERY_US;
  for (;;) {
    gint64 now = g_get_monotonic_time();
    if (now >= end || (options->records > 0 && c.report->acked >= options->records))
      break;
    if (now >= next_progress) {
      g_autofree char *line = nc_report_progress_line(c.report, now);
      printf("%s\n", line);
      fflush(stdout);
      while (next_progress <= now)
        next_progress += PROGRESS_EVERY_US;
    }
    if (now < next_step) {
      if (wait_until(&c, MIN(MIN(next_step, next_progress), end)))
        break;
      continue;
    }
    next_step = step(&c, now);
  }

  gint64 now = g_get_monotonic_time();
  /* A last full pass, so the report covers every acknowledged record at the very end. */
  if (c.open) {
    g_autoptr(GError) error = NULL;
    if (!full_verify(&c, now, &error))
      g_printerr("final verification failed: %s\n", error->message);
  }
  c.report->end_us = g_get_monotonic_time();
  g_autofree char *line = nc_report_progress_line(c.report, c.report->end_us);
  printf("%s verified=%" G_GUINT64_FORMAT " grace=%" G_GUINT64_FORMAT " %s\n", line,
         c.report->verified, c.report->grace_errors, nc_report_passed(c.report) ? "PASS" : "FAIL");
  fflush(stdout);
  int status = nc_report_passed(c.report) ? 0 : 1;
  if (options->report_path != NULL) {
    g_autoptr(GError) error = NULL;
    if (!nc_report_write(c.report, options->report_path, &error)) {
      g_printerr("cannot write the report: %s\n", error->message);
      status = 1;
    }
  }
  drop_session(&c);
  g_clear_pointer(&c.first_fh, g_bytes_unref);
  g_array_unref(c.acked_times);
  g_byte_array_unref(c.lost_seen);
  nc_report_free(c.report);
  return status;
}
