/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rhs-log: a DLL's LogEvent reaches the system log at every level, LOG_INFORMATION included,
 * with the host's verbosity at its default (which drops GLib info messages). */
#undef NDEBUG
#include "rhs-log.h"

#include <clusres/resapi.h>

/* syslog.h's numbers (it cannot be included beside resapi.h: LOG_WARNING, LOG_ERROR). */
#define SYSLOG_CRIT 2
#define SYSLOG_ERR 3
#define SYSLOG_WARNING 4
#define SYSLOG_NOTICE 5
#define SYSLOG_INFO 6

typedef struct {
  int priority;
  char *line;
} Line;

static void record(int priority, const char *line, gpointer data)
{
  GArray *lines = data;
  Line l = {priority, g_strdup(line)};
  g_array_append_val(lines, l);
}

static void clear_line(gpointer p)
{
  g_free(((Line *)p)->line);
}

static void test_every_level(void)
{
  g_autoptr(GArray) lines = g_array_new(FALSE, TRUE, sizeof(Line));
  static const struct {
    LOG_LEVEL level;
    int priority;
  } want[] = {
      {LOG_INFORMATION, SYSLOG_INFO}, {LOG_WARNING, SYSLOG_WARNING}, {LOG_ERROR, SYSLOG_ERR},
      {LOG_SEVERE, SYSLOG_CRIT},      {(LOG_LEVEL)7, SYSLOG_NOTICE},
  };

  g_array_set_clear_func(lines, clear_line);
  g_unsetenv("G_MESSAGES_DEBUG"); /* the default: GLib would drop info */
  rhs_log_set_sink(record, lines);
  for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
    g_autofree char *msg = g_strdup_printf("message %zu", i);
    rhs_log_dll_event((int)want[i].level, "FileFlag", "ff1", msg);
  }
  rhs_log_set_sink(NULL, NULL);
  g_assert_cmpuint(lines->len, ==, G_N_ELEMENTS(want));
  for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
    g_autofree char *line = g_strdup_printf("FileFlag ff1: message %zu", i);
    Line *l = &g_array_index(lines, Line, i);
    g_assert_cmpint(l->priority, ==, want[i].priority);
    g_assert_cmpint(rhs_log_dll_priority((int)want[i].level), ==, want[i].priority);
    g_assert_cmpstr(l->line, ==, line);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rhs-log/every-level", test_every_level);
  return g_test_run();
}
