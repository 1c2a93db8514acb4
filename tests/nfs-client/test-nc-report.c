/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>
#include <string.h>

#include "nc-report.h"

#define S G_USEC_PER_SEC
/* 2026-01-01T00:00:00Z: fixed wall clock so dates in the JSON are predictable. */
#define REAL0 G_GINT64_CONSTANT(1767225600000000)
#define MONO0 G_GINT64_CONSTANT(1000000000)

static NcReport *sample(void)
{
  NcReport *r = nc_report_new("id-1", "198.18.0.10", "/data", "f\"ile\n", REAL0, MONO0);
  nc_report_note_ack(r, MONO0 + S / 10);
  nc_report_note_ack(r, MONO0 + 2 * S / 10);
  NcOutage *o = nc_report_note_error(r, MONO0 + 3 * S / 10, "write: NFS4ERR_STALE_STATEID");
  /* A second error during the same outage must not open another outage. */
  g_assert_true(nc_report_note_error(r, MONO0 + S, "connect refused\t\x01") == o);
  o->connect_attempts = 3;
  o->grace_errors = 2;
  o->old_handle_valid = 1;
  r->grace_errors = 2;
  r->reconnects = 1;
  r->reclaims = 1;
  o->reclaimed = TRUE;
  o->reconnected_us = MONO0 + 5 * S; /* first write acknowledged 0.7 s after the reconnect */
  nc_report_note_ack(r, MONO0 + 57 * S / 10);
  r->end_us = MONO0 + 6 * S;
  return r;
}

static void test_gap_and_outage(void)
{
  g_autoptr(NcReport) r = sample();
  g_assert_cmpuint(r->acked, ==, 3);
  g_assert_cmpuint(r->errors, ==, 2);
  /* The gap is from the last ack before the outage (0.2 s) to the first after (5.7 s). */
  g_assert_cmpint(r->gap_max_us, ==, 55 * S / 10);
  g_assert_cmpint(r->gap_start_us, ==, MONO0 + 2 * S / 10);
  g_assert_cmpuint(r->outages->len, ==, 1);
  NcOutage *o = g_ptr_array_index(r->outages, 0);
  g_assert_cmpint(o->start_us, ==, MONO0 + 2 * S / 10);
  g_assert_cmpint(o->end_us, ==, MONO0 + 57 * S / 10);
  g_assert_cmpstr(o->cause, ==, "write: NFS4ERR_STALE_STATEID");
  g_assert_null(nc_report_current_outage(r));
  g_assert_true(nc_report_passed(r));
  r->stale = 1;
  g_assert_false(nc_report_passed(r));
  r->stale = 0;
  r->lost = 1;
  g_assert_false(nc_report_passed(r));
}

static void test_first_gap_counts_from_start(void)
{
  g_autoptr(NcReport) r = nc_report_new("a", "s", "/e", "f", REAL0, MONO0);
  nc_report_note_ack(r, MONO0 + 3 * S);
  g_assert_cmpint(r->gap_max_us, ==, 3 * S);
}

static void test_progress_line(void)
{
  g_autoptr(NcReport) r = sample();
  g_autofree char *line = nc_report_progress_line(r, MONO0 + 123 * S / 10);
  g_assert_cmpstr(line, ==, "t=12.3s acked=3 gap_max=5.50s reconnects=1 stale=0 lost=0");
}

static const char expected_json[] =
    "{\n"
    "  \"client_id\": \"id-1\",\n"
    "  \"server\": \"198.18.0.10\",\n"
    "  \"export\": \"/data\",\n"
    "  \"file\": \"f\\\"ile\\n\",\n"
    "  \"start\": \"2026-01-01T00:00:00.000Z\",\n"
    "  \"end\": \"2026-01-01T00:00:06.000Z\",\n"
    "  \"duration_s\": 6.000,\n"
    "  \"acked\": 3,\n"
    "  \"verified\": 0,\n"
    "  \"verify_passes\": 0,\n"
    "  \"reconnects\": 1,\n"
    "  \"stale\": 0,\n"
    "  \"lost\": 0,\n"
    "  \"grace_errors\": 2,\n"
    "  \"errors\": 2,\n"
    "  \"reclaims\": 1,\n"
    "  \"reclaim_refused\": 0,\n"
    "  \"reconnect_to_write_max_s\": 0.700,\n"
    "  \"gap_max_s\": 5.500,\n"
    "  \"gap_max_start\": \"2026-01-01T00:00:00.200Z\",\n"
    "  \"gap_max_end\": \"2026-01-01T00:00:05.700Z\",\n"
    "  \"last_error\": \"connect refused\\t\\u0001\",\n"
    "  \"outages\": [\n"
    "    {\"start\": \"2026-01-01T00:00:00.200Z\", \"end\": \"2026-01-01T00:00:05.700Z\", "
    "\"start_t\": 0.200, \"duration_s\": 5.500, \"ended\": true, "
    "\"cause\": \"write: NFS4ERR_STALE_STATEID\", \"connect_attempts\": 3, "
    "\"grace_errors\": 2, \"stale\": 0, \"old_handle_valid\": true, \"reclaimed\": true, "
    "\"reconnect_to_write_s\": 0.700}\n"
    "  ],\n"
    "  \"passed\": true\n"
    "}\n";

static void test_json(void)
{
  g_autoptr(NcReport) r = sample();
  g_autofree char *json = nc_report_to_json(r);
  g_assert_cmpstr(json, ==, expected_json);
}

static void test_json_open_outage_and_empty(void)
{
  g_autoptr(NcReport) r = nc_report_new("a", "s", "/e", "f", REAL0, MONO0);
  g_autofree char *empty = nc_report_to_json(r);
  g_assert_nonnull(strstr(empty, "\"outages\": [],"));
  g_assert_nonnull(strstr(empty, "\"gap_max_start\": null"));
  g_assert_nonnull(strstr(empty, "\"last_error\": null"));
  nc_report_note_error(r, MONO0 + S, "gone");
  r->end_us = MONO0 + 4 * S;
  g_autofree char *open = nc_report_to_json(r);
  /* Never acknowledged anything: the outage runs from the error to the end of the run. */
  g_assert_nonnull(strstr(open, "\"end\": null, \"start_t\": 1.000, \"duration_s\": 3.000, "
                                "\"ended\": false"));
  g_assert_nonnull(strstr(open, "\"old_handle_valid\": null"));
}

static void test_json_invalid_utf8(void)
{
  g_autoptr(NcReport) r = nc_report_new("a", "s", "/e", "bad\xff", REAL0, MONO0);
  g_autofree char *json = nc_report_to_json(r);
  g_assert_true(g_utf8_validate(json, -1, NULL));
  g_assert_nonnull(strstr(json, "\"file\": \"bad\xef\xbf\xbd\""));
}

static void test_write_file(void)
{
  g_autoptr(NcReport) r = sample();
  g_autofree char *dir = g_dir_make_tmp("nc-report-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_autofree char *path = g_build_filename(dir, "report.json", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_report_write(r, path, &error));
  g_assert_no_error(error);
  g_autofree char *contents = NULL;
  g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
  g_assert_cmpstr(contents, ==, expected_json);
  g_autofree char *nodir = g_build_filename(dir, "missing", "report.json", NULL);
  g_assert_false(nc_report_write(r, nodir, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_unlink(path);
  g_rmdir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nc-report/gap-and-outage", test_gap_and_outage);
  g_test_add_func("/nc-report/first-gap", test_first_gap_counts_from_start);
  g_test_add_func("/nc-report/progress-line", test_progress_line);
  g_test_add_func("/nc-report/json", test_json);
  g_test_add_func("/nc-report/json-open-outage", test_json_open_outage_and_empty);
  g_test_add_func("/nc-report/json-invalid-utf8", test_json_invalid_utf8);
  g_test_add_func("/nc-report/write-file", test_write_file);
  return g_test_run();
}
