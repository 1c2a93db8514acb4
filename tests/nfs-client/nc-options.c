/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-options.h"

#include <string.h>
#include <unistd.h>

#include "nc-record.h"

static gboolean valid_id(const char *id)
{
  if (*id == '\0' || strlen(id) > NC_RECORD_ID_MAX)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && strchr("._:@-", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean bad(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static gboolean bad(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
  return FALSE;
}

gboolean nc_options_parse(NcOptions *options, int argc, char **argv, GError **error)
{
  g_autofree char *records = NULL;
  memset(options, 0, sizeof(*options));
  options->interval_ms = 100;
  options->timeout_ms = 2000;
  options->connect_timeout_ms = 200;
  GOptionEntry entries[] = {
      {"server", 's', 0, G_OPTION_ARG_STRING, &options->server,
       "NFS server address or name (the virtual IP)", "VIP"},
      {"export", 'e', 0, G_OPTION_ARG_STRING, &options->export_path,
       "NFSv4 pseudo path of the export, e.g. /data", "/PSEUDO"},
      {"file", 'f', 0, G_OPTION_ARG_STRING, &options->file,
       "file in the export to create and append records to", "NAME"},
      {"interval-ms", 'i', 0, G_OPTION_ARG_INT, &options->interval_ms,
       "one record every MS milliseconds (10-60000, default 100)", "MS"},
      {"duration", 'd', 0, G_OPTION_ARG_DOUBLE, &options->duration_s,
       "stop after S seconds (default: run until SIGTERM/SIGINT)", "S"},
      {"records", 'n', 0, G_OPTION_ARG_STRING, &records,
       "stop after N acknowledged records (default: no limit)", "N"},
      {"report", 'r', 0, G_OPTION_ARG_FILENAME, &options->report_path,
       "write the final JSON report to FILE", "FILE.json"},
      {"id", 0, 0, G_OPTION_ARG_STRING, &options->client_id,
       "NFSv4 client id, also stored in every record (1-35 of [A-Za-z0-9._:@-]; default "
       "nc-HOST-PID)",
       "CLIENTID"},
      {"connect-timeout-ms", 0, 0, G_OPTION_ARG_INT, &options->connect_timeout_ms,
       "give up a connect + mount after MS milliseconds and try again (100-60000, default "
       "200: far below TCP's 1 s initial SYN retransmission, so a SYN lost while the VIP moves "
       "costs a retry, not a second)",
       "MS"},
      {"timeout-ms", 't', 0, G_OPTION_ARG_INT, &options->timeout_ms,
       "RPC timeout, whole seconds as libnfs requires (1000-60000, default 2000)", "MS"},
      {"no-reclaim", 0, 0, G_OPTION_ARG_NONE, &options->no_reclaim,
       "after the server lost our state, do not reclaim the open (OPEN CLAIM_PREVIOUS) during "
       "its grace period: wait for grace to end and open anew (for comparison)",
       NULL},
      {NULL},
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- NFSv4 client that proves failover "
                                                       "is transparent");
  g_option_context_set_summary(
      ctx,
      "Keeps an NFSv4 session to --server, appends a checksummed 64-byte record (number,\n"
      "time, client id, CRC-32) to --file every --interval-ms, each committed (COMMIT) before\n"
      "it counts as acknowledged, and keeps reading back and verifying every acknowledged\n"
      "record.  When the server goes away it reconnects (bounded back-off, same client id)\n"
      "and re-opens the file, checks whether the file handle it first got is still valid,\n"
      "and verifies nothing acknowledged was lost.  Prints a progress line each second.\n"
      "After a server restart or takeover it reclaims its open with OPEN(CLAIM_PREVIOUS)\n"
      "during the server's grace period, as the Linux NFSv4 client does (see --no-reclaim).");
  g_option_context_set_description(
      ctx, "Exit status: 0 when no acknowledged record was lost and no file handle went stale,\n"
           "1 otherwise, 2 for usage errors.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autofree char **args = g_new0(char *, (gsize)argc + 1);
  memcpy(args, argv, sizeof(char *) * (gsize)argc);
  char **parse_argv = args;
  int parse_argc = argc;
  if (!g_option_context_parse(ctx, &parse_argc, &parse_argv, error))
    return FALSE;
  if (parse_argc > 1)
    return bad(error, "unexpected argument '%s'", parse_argv[1]);

  if (options->server == NULL || *options->server == '\0')
    return bad(error, "--server is required");
  if (strpbrk(options->server, "/ \t") != NULL)
    return bad(error, "--server '%s' must be a host name or an IP address", options->server);
  if (options->export_path == NULL || options->export_path[0] != '/')
    return bad(error, "--export is required and must be an absolute pseudo path such as /data");
  if (strstr(options->export_path, "/../") != NULL || g_str_has_suffix(options->export_path, "/.."))
    return bad(error, "--export '%s' must not contain '..'", options->export_path);
  if (options->file == NULL || *options->file == '\0')
    return bad(error, "--file is required");
  if (strchr(options->file, '/') != NULL || strcmp(options->file, ".") == 0 ||
      strcmp(options->file, "..") == 0 || strlen(options->file) > 255)
    return bad(error, "--file '%s' must be a plain file name (no '/', at most 255 bytes)",
               options->file);
  if (options->interval_ms < 10 || options->interval_ms > 60000)
    return bad(error, "--interval-ms %d is out of range (10-60000)", options->interval_ms);
  if (!(options->duration_s >= 0 && options->duration_s <= 31536000))
    return bad(error, "--duration must be between 0 and 31536000 seconds");
  if (options->timeout_ms < 1000 || options->timeout_ms > 60000 || options->timeout_ms % 1000)
    return bad(error, "--timeout-ms %d must be whole seconds between 1000 and 60000",
               options->timeout_ms);
  if (options->connect_timeout_ms < 100 || options->connect_timeout_ms > 60000)
    return bad(error, "--connect-timeout-ms %d is out of range (100-60000)",
               options->connect_timeout_ms);
  if (records != NULL) {
    g_autoptr(GError) local = NULL;
    if (!g_ascii_string_to_unsigned(records, 10, 1, G_MAXUINT32, &options->records, &local))
      return bad(error, "--records '%s': %s", records, local->message);
  }
  if (options->report_path != NULL && *options->report_path == '\0')
    return bad(error, "--report must name a file");
  if (options->client_id == NULL) {
    char host[64] = "host";
    gethostname(host, sizeof(host) - 1);
    host[strcspn(host, ".")] = '\0';
    options->client_id = g_strdup_printf("nc-%.20s-%d", host, (int)getpid());
    for (char *p = options->client_id; *p != '\0'; p++)
      if (!g_ascii_isalnum(*p) && strchr("._:@-", *p) == NULL)
        *p = '-';
  } else if (!valid_id(options->client_id)) {
    return bad(error, "--id '%s' must be 1-%d characters of [A-Za-z0-9._:@-]", options->client_id,
               NC_RECORD_ID_MAX);
  }
  return TRUE;
}

void nc_options_clear(NcOptions *options)
{
  g_clear_pointer(&options->server, g_free);
  g_clear_pointer(&options->export_path, g_free);
  g_clear_pointer(&options->file, g_free);
  g_clear_pointer(&options->report_path, g_free);
  g_clear_pointer(&options->client_id, g_free);
}
