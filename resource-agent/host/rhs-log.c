/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-log.h"

#include <string.h>
#include <syslog.h>

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

void rhs_log_use_syslog(const char *ident)
{
  openlog(ident, LOG_PID, LOG_DAEMON);
  g_log_set_writer_func(syslog_writer, NULL, NULL);
}
