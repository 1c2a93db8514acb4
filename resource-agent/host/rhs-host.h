/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-host: the Resource Monitor.  Keeps the instances (Open once, kept across calls), runs
 * every DLL call on a worker thread, handles pending operations, escalates to Terminate,
 * polls health, pushes failures to Pacemaker and persists what it needs to recover after its
 * own death.  Called from the main loop; replies may come from any thread.
 */
#pragma once

#include <gio/gio.h>

#include <clusres/resapi.h>

#define RHS_HOST_ERROR (rhs_host_error_quark())
GQuark rhs_host_error_quark(void);
typedef enum {
  RHS_HOST_ERROR_INVALID_ARGS,  /* org.clusres.Error.InvalidArgs (OCF 6) */
  RHS_HOST_ERROR_NOT_INSTALLED, /* org.clusres.Error.NotInstalled (OCF 5) */
  RHS_HOST_ERROR_FAILED,        /* org.clusres.Error.Failed (OCF 1) */
} RhsHostError;

typedef struct {
  GError *error; /* set: the call failed as a whole (D-Bus error) */
  int state;     /* CLUSTER_RESOURCE_STATE */
  guint32 status;
  const char *message;
  GBytes *output; /* Control */
  guint32 needed; /* Control */
  GVariant *list; /* ListInstances */
} RhsHostResult;

/* Runs on a worker thread or the main thread; must not block. */
typedef void (*RhsHostDone)(const RhsHostResult *result, gpointer user_data);
/* Runs on the main thread. */
typedef void (*RhsHostStateChanged)(const char *resource, int state, const char *reason,
                                    gpointer user_data);

typedef struct RhsHost RhsHost;

/* @separate: the one resource a separate host serves, or NULL. */
RhsHost *rhs_host_new(const char *separate, RhsHostStateChanged changed, gpointer user_data);
/* Re-opens persisted instances (blocking, before the host answers calls). */
void rhs_host_recover(RhsHost *host);
/*
 * Host shutdown: waits for running calls, closes instances that are not online and leaves
 * online ones running and persisted (Pacemaker owns their state; the next host re-adopts them).
 */
void rhs_host_shutdown(RhsHost *host);
void rhs_host_free(RhsHost *host);

const char *rhs_host_separate(RhsHost *host);

/* Argument checks shared with the D-Bus layer. */
gboolean rhs_host_check_name(const char *what, const char *name, GError **error);
gboolean rhs_host_check_dll(const char *dll, GError **error);
/* A resource can be started only if its state record fits a file name (rhs-state): checked by
 * Online alone, so that Monitor and Offline of such a name still answer "not running". */
gboolean rhs_host_check_startable(const char *resource, GError **error);

/* @params and @meta: a{ss}. */
void rhs_host_online(RhsHost *host, const char *resource, const char *type, const char *dll,
                     GVariant *params, GVariant *meta, guint32 timeout_ms, RhsHostDone done,
                     gpointer user_data);
void rhs_host_offline(RhsHost *host, const char *resource, guint32 timeout_ms, RhsHostDone done,
                      gpointer user_data);
void rhs_host_monitor(RhsHost *host, const char *resource, guint32 depth, RhsHostDone done,
                      gpointer user_data);
/*
 * Runs func(data) on a worker of the host's pool.  An Online or Offline started from there
 * (rhs_host_online/offline) runs on that same worker instead of being queued for another one:
 * the D-Bus worker thread hands a raw Online/Offline over with this, and the unpacking, the
 * argument checks and the operation itself all happen on one pool thread.
 */
void rhs_host_defer(RhsHost *host, GFunc func, gpointer data);
/*
 * A Monitor answered without any DLL call, from any thread (the D-Bus worker answers with it):
 * a pending Online/Offline, or a depth-0 Monitor of an online instance either without an event
 * handle whose last LooksAlive or IsAlive (poll or Monitor) said TRUE less than
 * MIN(1 s, LooksAlive interval / 2) ago, or with an event handle that is not signalled.
 * Returns FALSE if a worker must answer
 * (rhs_host_monitor() does both); *message is static.
 */
gboolean rhs_host_monitor_now(RhsHost *host, const char *resource, guint32 depth, int *state,
                              const char **message);
void rhs_host_control(RhsHost *host, const char *resource, guint32 code, GBytes *input,
                      guint32 out_size, RhsHostDone done, gpointer user_data);
void rhs_host_list_instances(RhsHost *host, RhsHostDone done, gpointer user_data);
GVariant *rhs_host_list_types(RhsHost *host);

/* Parses a CLUSPROP property list into a{sv} (DWORD u, LONG i, SZ s, MULTI_SZ as, BINARY ay);
 * NULL if malformed. */
GVariant *rhs_host_proplist_to_variant(const void *buf, gsize size);
