/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-report.h"

static void outage_free(gpointer data)
{
  NcOutage *outage = data;
  g_free(outage->cause);
  g_free(outage);
}

NcReport *nc_report_new(const char *client_id, const char *server, const char *export_path,
                        const char *file, gint64 start_real_us, gint64 start_us)
{
  NcReport *report = g_new0(NcReport, 1);
  report->client_id = g_strdup(client_id);
  report->server = g_strdup(server);
  report->export_path = g_strdup(export_path);
  report->file = g_strdup(file);
  report->start_real_us = start_real_us;
  report->start_us = start_us;
  report->outages = g_ptr_array_new_with_free_func(outage_free);
  return report;
}

void nc_report_free(NcReport *report)
{
  if (report == NULL)
    return;
  g_free(report->client_id);
  g_free(report->server);
  g_free(report->export_path);
  g_free(report->file);
  g_free(report->last_error);
  g_ptr_array_unref(report->outages);
  g_free(report);
}

NcOutage *nc_report_current_outage(NcReport *report)
{
  if (report->outages->len == 0)
    return NULL;
  NcOutage *last = g_ptr_array_index(report->outages, report->outages->len - 1);
  return last->end_us == 0 ? last : NULL;
}

void nc_report_note_ack(NcReport *report, gint64 now_us)
{
  /* The first gap runs from the start: a client that cannot write at all has a gap too. */
  gint64 from = report->last_ack_us != 0 ? report->last_ack_us : report->start_us;
  if (now_us - from > report->gap_max_us) {
    report->gap_max_us = now_us - from;
    report->gap_start_us = from;
    report->gap_end_us = now_us;
  }
  report->last_ack_us = now_us;
  report->acked++;
  NcOutage *outage = nc_report_current_outage(report);
  if (outage != NULL)
    outage->end_us = now_us;
}

/* From the last reconnect to the acknowledged write that ended the outage (the first one
 * after the reconnect: it ends the outage); -1 if either did not happen. */
static gint64 outage_reconnect_to_write_us(const NcOutage *o)
{
  return o->end_us != 0 && o->reconnected_us != 0 ? o->end_us - o->reconnected_us : -1;
}

NcOutage *nc_report_note_error(NcReport *report, gint64 now_us, const char *message)
{
  report->errors++;
  g_free(report->last_error);
  report->last_error = g_strdup(message);
  NcOutage *outage = nc_report_current_outage(report);
  if (outage != NULL)
    return outage;
  outage = g_new0(NcOutage, 1);
  outage->start_us = report->last_ack_us != 0 ? report->last_ack_us : now_us;
  outage->cause = g_strdup(message);
  outage->old_handle_valid = -1;
  g_ptr_array_add(report->outages, outage);
  return outage;
}

gboolean nc_report_passed(const NcReport *report)
{
  return report->lost == 0 && report->stale == 0;
}

static double rel_s(const NcReport *report, gint64 mono_us)
{
  return (double)(mono_us - report->start_us) / G_USEC_PER_SEC;
}

char *nc_report_progress_line(const NcReport *report, gint64 now_us)
{
  return g_strdup_printf(
      "t=%.1fs acked=%" G_GUINT64_FORMAT " gap_max=%.2fs reconnects=%" G_GUINT64_FORMAT
      " stale=%" G_GUINT64_FORMAT " lost=%" G_GUINT64_FORMAT,
      rel_s(report, now_us), report->acked, (double)report->gap_max_us / G_USEC_PER_SEC,
      report->reconnects, report->stale, report->lost);
}

/* JSON string with the escapes RFC 8259 requires; invalid UTF-8 becomes U+FFFD so the report
 * stays parseable whatever an error message contains. */
static void json_string(GString *out, const char *s)
{
  if (s == NULL) {
    g_string_append(out, "null");
    return;
  }
  g_autofree char *valid = g_utf8_make_valid(s, -1);
  g_string_append_c(out, '"');
  for (const char *p = valid; *p != '\0'; p++) {
    unsigned char c = (unsigned char)*p;
    switch (c) {
    case '"':
      g_string_append(out, "\\\"");
      break;
    case '\\':
      g_string_append(out, "\\\\");
      break;
    case '\n':
      g_string_append(out, "\\n");
      break;
    case '\r':
      g_string_append(out, "\\r");
      break;
    case '\t':
      g_string_append(out, "\\t");
      break;
    default:
      if (c < 0x20)
        g_string_append_printf(out, "\\u%04x", c);
      else
        g_string_append_c(out, (char)c);
    }
  }
  g_string_append_c(out, '"');
}

/* Monotonic time as an ISO 8601 UTC date with milliseconds, or null for 0 (never). */
static void json_date(GString *out, const NcReport *report, gint64 mono_us)
{
  if (mono_us == 0) {
    g_string_append(out, "null");
    return;
  }
  gint64 real = report->start_real_us + (mono_us - report->start_us);
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(real / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
  g_string_append_printf(out, "\"%s.%03dZ\"", base, (int)((real % G_USEC_PER_SEC) / 1000));
}

static void json_seconds(GString *out, double s)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* %.3f through g_ascii_formatd: JSON needs '.', whatever the locale says. */
  g_string_append(out, g_ascii_formatd(buf, sizeof(buf), "%.3f", s));
}

char *nc_report_to_json(const NcReport *report)
{
  GString *out = g_string_new("{\n");
  gint64 end = report->end_us != 0 ? report->end_us : g_get_monotonic_time();

  g_string_append(out, "  \"client_id\": ");
  json_string(out, report->client_id);
  g_string_append(out, ",\n  \"server\": ");
  json_string(out, report->server);
  g_string_append(out, ",\n  \"export\": ");
  json_string(out, report->export_path);
  g_string_append(out, ",\n  \"file\": ");
  json_string(out, report->file);
  g_string_append(out, ",\n  \"start\": ");
  json_date(out, report, report->start_us);
  g_string_append(out, ",\n  \"end\": ");
  json_date(out, report, end);
  g_string_append(out, ",\n  \"duration_s\": ");
  json_seconds(out, rel_s(report, end));
  g_string_append_printf(
      out,
      ",\n  \"acked\": %" G_GUINT64_FORMAT ",\n  \"verified\": %" G_GUINT64_FORMAT
      ",\n  \"verify_passes\": %" G_GUINT64_FORMAT ",\n  \"reconnects\": %" G_GUINT64_FORMAT
      ",\n  \"stale\": %" G_GUINT64_FORMAT ",\n  \"lost\": %" G_GUINT64_FORMAT
      ",\n  \"grace_errors\": %" G_GUINT64_FORMAT ",\n  \"errors\": %" G_GUINT64_FORMAT,
      report->acked, report->verified, report->verify_passes, report->reconnects, report->stale,
      report->lost, report->grace_errors, report->errors);
  g_string_append_printf(
      out, ",\n  \"reclaims\": %" G_GUINT64_FORMAT ",\n  \"reclaim_refused\": %" G_GUINT64_FORMAT,
      report->reclaims, report->reclaim_refused);
  /* The longest time from a reconnect to the first acknowledged write after it: what the
   * grace period (or reclaiming within it) costs the application once the server is back. */
  gint64 r2w_max = -1;
  for (guint i = 0; i < report->outages->len; i++) {
    const NcOutage *o = g_ptr_array_index(report->outages, i);
    r2w_max = MAX(r2w_max, outage_reconnect_to_write_us(o));
  }
  g_string_append(out, ",\n  \"reconnect_to_write_max_s\": ");
  if (r2w_max < 0)
    g_string_append(out, "null");
  else
    json_seconds(out, (double)r2w_max / G_USEC_PER_SEC);
  g_string_append(out, ",\n  \"gap_max_s\": ");
  json_seconds(out, (double)report->gap_max_us / G_USEC_PER_SEC);
  g_string_append(out, ",\n  \"gap_max_start\": ");
  json_date(out, report, report->gap_start_us);
  g_string_append(out, ",\n  \"gap_max_end\": ");
  json_date(out, report, report->gap_end_us);
  g_string_append(out, ",\n  \"last_error\": ");
  json_string(out, report->last_error);
  g_string_append(out, ",\n  \"outages\": [");
  for (guint i = 0; i < report->outages->len; i++) {
    const NcOutage *o = g_ptr_array_index(report->outages, i);
    g_string_append(out, i == 0 ? "\n    {" : ",\n    {");
    g_string_append(out, "\"start\": ");
    json_date(out, report, o->start_us);
    g_string_append(out, ", \"end\": ");
    json_date(out, report, o->end_us);
    g_string_append(out, ", \"start_t\": ");
    json_seconds(out, rel_s(report, o->start_us));
    /* An outage still open at the end lasted at least until the end of the run. */
    g_string_append(out, ", \"duration_s\": ");
    json_seconds(out, (double)((o->end_us != 0 ? o->end_us : end) - o->start_us) / G_USEC_PER_SEC);
    g_string_append_printf(out, ", \"ended\": %s", o->end_us != 0 ? "true" : "false");
    g_string_append(out, ", \"cause\": ");
    json_string(out, o->cause);
    g_string_append_printf(out, ", \"connect_attempts\": %u, \"grace_errors\": %u, \"stale\": %u",
                           o->connect_attempts, o->grace_errors, o->stale);
    g_string_append_printf(out, ", \"old_handle_valid\": %s",
                           o->old_handle_valid < 0   ? "null"
                           : o->old_handle_valid > 0 ? "true"
                                                     : "false");
    g_string_append_printf(
        out, ", \"reclaimed\": %s, \"reconnect_to_write_s\": ", o->reclaimed ? "true" : "false");
    gint64 r2w = outage_reconnect_to_write_us(o);
    if (r2w < 0)
      g_string_append(out, "null");
    else
      json_seconds(out, (double)r2w / G_USEC_PER_SEC);
    g_string_append(out, "}");
  }
  g_string_append(out, report->outages->len > 0 ? "\n  ]" : "]");
  g_string_append_printf(out, ",\n  \"passed\": %s\n}\n",
                         nc_report_passed(report) ? "true" : "false");
  return g_string_free(out, FALSE);
}

gboolean nc_report_write(const NcReport *report, const char *path, GError **error)
{
  g_autofree char *json = nc_report_to_json(report);
  /* g_file_set_contents writes a temporary file and renames it: a reader never sees half a
   * report, even if we are killed while writing. */
  return g_file_set_contents(path, json, -1, error);
}
