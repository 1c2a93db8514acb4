/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-exit: the one place where clusres outcomes (CLUSTER_RESOURCE_STATE, Win32 statuses, the
 * host's D-Bus errors) become OCF exit codes.  Pure functions, tested as a table.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

/* OCF 1.1 exit codes. */
typedef enum {
  OCF_SUCCESS = 0,
  OCF_ERR_GENERIC = 1,
  OCF_ERR_ARGS = 2,
  OCF_ERR_UNIMPLEMENTED = 3,
  OCF_ERR_PERM = 4,
  OCF_ERR_INSTALLED = 5,
  OCF_ERR_CONFIGURED = 6,
  OCF_NOT_RUNNING = 7,
  /* Running, but part of it failed (OCF 1.1): Pacemaker 2.1 lists it under Failed Resource
   * Actions with the exit reason and does not recover the resource. */
  OCF_DEGRADED = 190,
} OcfExit;

/* Pacemaker takes the exit reason from the stderr line with this prefix. */
#define OCF_EXIT_REASON_PREFIX "ocf-exit-reason:"

/* A GError domain whose codes are OcfExit values: modules report failures with the exit code
 * the agent must end with, and main prints the message once. */
#define OCF_EXIT_ERROR (ocf_exit_error_quark())
GQuark ocf_exit_error_quark(void);

/* The actions whose result depends on a resource state. */
typedef enum {
  OCF_EXIT_START,
  OCF_EXIT_STOP,
  OCF_EXIT_MONITOR,
} OcfExitAction;

/* The host's D-Bus error names (org.clusres.ResourceHost1.xml). */
#define OCF_EXIT_DBUS_INVALID_ARGS "org.clusres.Error.InvalidArgs"
#define OCF_EXIT_DBUS_NOT_INSTALLED "org.clusres.Error.NotInstalled"

/**
 * ocf_exit_from_state:
 * @action: the action that produced @state
 * @state: the final CLUSTER_RESOURCE_STATE the host reported
 * @status: the host's Win32 status for the operation (used to refine a failed start)
 *
 * start: Online 0; 127 (cannot come online on this node) 5; 126 (on any node) 6; anything
 * else 1, or the Win32 mapping of @status when it is more specific (missing file 5, bad
 * parameter 6, access denied 4).  monitor: Online 0, Offline 7, 127 5, 126 6,
 * CLUSRES_STATE_ONLINE_DEGRADED 190, else 1.
 * stop: Offline or Unknown 0 (idempotent; never 7), anything else 1.
 */
OcfExit ocf_exit_from_state(OcfExitAction action, int state, DWORD status);

/**
 * ocf_exit_from_win32:
 * A Win32 status from validation or a control code: 0 -> 0; INVALID_PARAMETER, INVALID_DATA,
 * BAD_ARGUMENTS -> 6; FILE_NOT_FOUND, PATH_NOT_FOUND -> 5; ACCESS_DENIED -> 4; else 1.
 */
OcfExit ocf_exit_from_win32(DWORD status);

/**
 * ocf_exit_from_dbus_error:
 * @dbus_error_name: (nullable): the remote error name (g_dbus_error_get_remote_error()),
 *                   NULL for a local failure (no host, timeout)
 *
 * InvalidArgs -> 6, NotInstalled -> 5, anything else -> 1.
 */
OcfExit ocf_exit_from_dbus_error(const char *dbus_error_name);

/**
 * ocf_exit_merge:
 * @action: OCF_EXIT_STOP or OCF_EXIT_MONITOR
 * @a: the code of @action in one host (the shared one)
 * @b: the code in the other (the instance's own)
 *
 * stop and monitor of an instance whose host is unknown (separate_monitor unreadable) ask both
 * hosts.  A failure in either decides (@a's first): a host that cannot say may keep the
 * instance, and a stop must not claim what it could not do.  Otherwise monitor: 0 if either
 * host runs the instance (190 if that host says degraded), else 7; stop: 0 (7, which stop never
 * answers, counts as stopped).
 */
OcfExit ocf_exit_merge(OcfExitAction action, OcfExit a, OcfExit b);

/* State names for messages: clusres_state_name() (common/clusres-state.h), the host's too. */
