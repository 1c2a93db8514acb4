/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-crash.h"

/* Built only with -Dfault_injection (meson.build); the header makes the calls no-ops otherwise. */

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rhs-state.h"

#define RHS_CRASH_FILE "rhs-crash-at"

/* In the order an operation reaches them (README.md "Crash points" says what each leaves). */
static const char *const points[] = {
    "online-before-intent",
    "online-after-intent",
    "online-after-open",
    "online-checkpoint",
    "online-after-online",
    "online-after-record",
    "offline-before-intent",
    "offline-after-intent",
    "offline-checkpoint",
    "offline-after-offline",
    "offline-after-remove",
    "recover-before-open",
    "recover-after-open",
    "recover-after-isalive",
    "monitor",
    NULL,
};

/* Set once by rhs_crash_init before any other thread exists, read-only afterwards. */
static const char *armed;
static guint armed_hit = 1;
static gint hits;

const char *const *rhs_crash_points(void)
{
  return points;
}

static gboolean parse(const char *spec, const char *where, GError **error)
{
  g_autofree char *text = g_strstrip(g_strdup(spec));
  guint64 n = 1;
  char *colon = strchr(text, ':');
  if (colon != NULL) {
    *colon = '\0';
    if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, G_MAXUINT, &n, NULL)) {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "%s: \"%s\": the count after ':' must be a positive number", where, spec);
      return FALSE;
    }
  }
  for (const char *const *p = points; *p != NULL; p++) {
    if (strcmp(*p, text) == 0) {
      armed = *p;
      armed_hit = (guint)n;
      g_warning("fault injection: the host kills itself at %s (hit %u), from %s", armed, armed_hit,
                where);
      return TRUE;
    }
  }
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: unknown crash point \"%s\"",
              where, text);
  return FALSE;
}

gboolean rhs_crash_init(GError **error)
{
  const char *env = g_getenv("CLUSRES_RHS_CRASH_AT");
  if (env != NULL && *env != '\0')
    return parse(env, "CLUSRES_RHS_CRASH_AT", error);
  g_autofree char *path = g_build_filename(rhs_state_run_dir(), RHS_CRASH_FILE, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return TRUE;
  /* Consumed: the host started after this one's death must run normally. */
  if (g_unlink(path) != 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot remove %s: %s", path,
                g_strerror(err));
    return FALSE;
  }
  return parse(text, path, error);
}

void rhs_crash_point(const char *point)
{
  if (armed == NULL || strcmp(point, armed) != 0)
    return;
  if ((guint)g_atomic_int_add(&hits, 1) + 1 != armed_hit)
    return;
  /* stderr is unbuffered; stdout (GLib's info/debug) is flushed so the log shows what led here. */
  g_warning("fault injection: crash point %s reached: SIGKILL", point);
  fflush(stdout);
  raise(SIGKILL);
}
