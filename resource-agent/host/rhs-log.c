/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-log.h"

#include <string.h>
#include <syslog.h>

static RhsLogSink log_sink;
static gpointer log_sink_data;

/* A daemonized host has no stderr: its log goes to syslog instead. */
static GLogWriterOutput syslog_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                                      gpointer data)
{
  const char *domain = NULL, *message = NULL;
  for (gsize i = 0; i < n_fields; i++) {
    if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (strcmp(fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  }
  /* rhs_log_dll_event() sent it at its own level already. */
  if (domain != NULL && strcmp(domain, RHS_LOG_DLL_DOMAIN) == 0)
    return G_LOG_WRITER_HANDLED;
  /* Same filtering as on a terminal: info and debug only with --verbose / G_MESSAGES_DEBUG. */
  if (g_log_writer_default_would_drop(level, domain))
    return G_LOG_WRITER_HANDLED;
  int prio = LOG_INFO;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    prio = LOG_ERR;
  else if (level & G_LOG_LEVEL_WARNING)
    prio = LOG_WARNING;
  else if (level & G_LOG_LEVEL_MESSAGE)
    prio = LOG_NOTICE;
  else if (level & G_LOG_LEVEL_DEBUG)
    prio = LOG_DEBUG;
  syslog(prio, "%s%s%s", domain != NULL ? domain : "", domain != NULL ? ": " : "",
         message != NULL ? message : "");
  return G_LOG_WRITER_HANDLED;
}

void rhs_log_open(const char *ident)
{
  openlog(ident, LOG_PID, LOG_DAEMON);
}

void rhs_log_use_syslog(void)
{
  g_log_set_writer_func(syslog_writer, NULL, NULL);
}

int rhs_log_dll_priority(int dll_level)
{
  switch (dll_level) {
  case 0: /* LOG_INFORMATION */
    return LOG_INFO;
  case 1: /* LOG_WARNING (Windows) */
    return LOG_WARNING;
  case 2: /* LOG_ERROR */
    return LOG_ERR;
  case 3: /* LOG_SEVERE */
    return LOG_CRIT;
  default: /* a level no DLL should pass: kept, not dropped */
    return LOG_NOTICE;
  }
}

void rhs_log_dll_event(int dll_level, const char *type, const char *resource, const char *message)
{
  int prio = rhs_log_dll_priority(dll_level);

  if (log_sink != NULL) {
    g_autofree char *line = g_strdup_printf("%s %s: %s", type, resource, message);
    log_sink(prio, line, log_sink_data);
    return;
  }
  syslog(LOG_DAEMON | prio, "%s %s: %s", type, resource, message);
}

void rhs_log_set_sink(RhsLogSink sink, gpointer data)
{
  log_sink = sink;
  log_sink_data = data;
}
