/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-client: the agent's side of org.clusres.ResourceHost1 (over ocf-wire).  It reaches the
 * host the cheapest way first (the host's peer socket: no bus daemon in the path), then through
 * the system bus
 * with D-Bus activation, and as a last resort starts clusres-rhs itself, fully detached from
 * the agent so that pacemaker-execd neither waits for it nor kills it.
 */
#pragma once

#include <glib.h>

/* Errors of this module (besides the GDBus ones of calls). */
#define OCF_CLIENT_ERROR (ocf_client_error_quark())
GQuark ocf_client_error_quark(void);
typedef enum {
  OCF_CLIENT_ERROR_NOT_RUNNING, /* no host, and the instance is not configured on this node */
  OCF_CLIENT_ERROR_NO_HOST,     /* the host could not be reached or started in time */
} OcfClientError;

typedef struct OcfClient OcfClient;

typedef struct {
  const char *resource;   /* OCF_RESOURCE_INSTANCE */
  gboolean separate;      /* separate_monitor: the resource's own host */
  gint64 deadline;        /* g_get_monotonic_time() by which every call must have answered */
  gboolean if_configured; /* monitor/stop: give up with NOT_RUNNING instead of starting a host
                           * when no host runs and the host keeps no record of the instance */
} OcfClientOptions;

/**
 * ocf_client_new:
 * Connects to the resource's host (see the module comment).  With @opts->if_configured and
 * neither a running host nor the host's record $CLUSRES_RUN_DIR/instances/<escaped>.conf
 * (instances-<escaped>/<escaped>.conf for a separate host), fails with
 * OCF_CLIENT_ERROR_NOT_RUNNING without starting anything.
 */
OcfClient *ocf_client_new(const OcfClientOptions *opts, GError **error);
void ocf_client_free(OcfClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OcfClient, ocf_client_free)

/**
 * ocf_client_call:
 * Calls @method of org.clusres.ResourceHost1 with @params (floating refs are sunk), waiting
 * until the deadline.  On the bus, a host that is not running is activated, or spawned and
 * waited for when activation is unavailable, and the call is made again.
 * Returns: (transfer full): the reply, or NULL with @error (OCF_WIRE_ERROR for the call:
 * ocf_wire_error_name() gives the host's error name; OCF_CLIENT_ERROR if no host).
 */
GVariant *ocf_client_call(OcfClient *client, const char *method, GVariant *params,
                          const GVariantType *reply_type, GError **error);

/**
 * ocf_client_host_lost:
 * TRUE if a call failed because the host went away before answering (the peer connection
 * broke, or the bus says the host disconnected or died while being activated).
 */
gboolean ocf_client_host_lost(const GError *error);

/**
 * ocf_client_reconnect:
 * After ocf_client_host_lost(): connects again as ocf_client_new() does, after a short pause,
 * so that an idempotent call (Offline) can be made again to a new host, which re-adopts what
 * the old one left from its records.  If it left none and no host runs, fails with
 * OCF_CLIENT_ERROR_NOT_RUNNING (when the client was made with if_configured); with
 * OCF_CLIENT_ERROR_NO_HOST when the deadline is too close.
 */
gboolean ocf_client_reconnect(OcfClient *client, GError **error);

/** The milliseconds left before the deadline, less a margin for the host to answer in time. */
guint32 ocf_client_host_timeout_ms(const OcfClient *client);

/**
 * ocf_client_escape_name:
 * The resource-name escaping of HACKING.md: [A-Za-z0-9_] kept, any other byte as _xx (hex);
 * a leading digit is escaped too (bus-name elements cannot start with one), as the host does.
 * Returns: (transfer full): the escaped name.
 */
char *ocf_client_escape_name(const char *name);

/** $CLUSRES_RUN_DIR, or the compiled-in /run/clusres. */
const char *ocf_client_run_dir(void);

/**
 * ocf_client_describe_loss:
 * After ocf_client_host_lost(): why the host went, for the admin.  "the resource host (pid N)
 * was killed by signal 11 (SIGSEGV)" when the host left a death record (rhs.died, see the
 * host's rhs-death.h) after the last call began, else "the resource host exited during the
 * call": a host killed by SIGKILL can tell nobody, and the agent does not guess.
 */
char *ocf_client_describe_loss(const OcfClient *client);

/** The text of one death record ("pid=N signal=S"), or NULL if it is not one. */
char *ocf_client_death_text(const char *record);
