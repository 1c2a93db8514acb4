/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-exit.h"

#include <string.h>

G_DEFINE_QUARK(ocf - exit - error - quark, ocf_exit_error)

OcfExit ocf_exit_from_win32(DWORD status)
{
  switch (status) {
  case ERROR_SUCCESS:
    return OCF_SUCCESS;
  case ERROR_INVALID_PARAMETER:
  case ERROR_INVALID_DATA:
  case ERROR_BAD_ARGUMENTS:
    return OCF_ERR_CONFIGURED;
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
    return OCF_ERR_INSTALLED;
  case ERROR_ACCESS_DENIED:
    return OCF_ERR_PERM;
  default:
    return OCF_ERR_GENERIC;
  }
}

/* The two "pending - n" states are the DLL's way to ask for a ban (hard error on this node)
 * or for the resource to be stopped everywhere (fatal). */
static gboolean map_terminal_state(int state, OcfExit *out)
{
  if (state == (int)ClusterResourceCannotComeOnlineOnThisNode) {
    *out = OCF_ERR_INSTALLED;
    return TRUE;
  }
  if (state == (int)ClusterResourceCannotComeOnlineOnAnyNode) {
    *out = OCF_ERR_CONFIGURED;
    return TRUE;
  }
  return FALSE;
}

OcfExit ocf_exit_from_state(OcfExitAction action, int state, DWORD status)
{
  OcfExit rc = OCF_ERR_GENERIC;

  switch (action) {
  case OCF_EXIT_START:
    if (state == ClusterResourceOnline)
      return OCF_SUCCESS;
    if (map_terminal_state(state, &rc))
      return rc;
    /* A failed start keeps 1 (soft: restart here) unless the status says why more exactly. */
    rc = ocf_exit_from_win32(status);
    return rc == OCF_SUCCESS ? OCF_ERR_GENERIC : rc;
  case OCF_EXIT_MONITOR:
    if (state == ClusterResourceOnline)
      return OCF_SUCCESS;
    if (state == ClusterResourceOffline)
      return OCF_NOT_RUNNING;
    if (state == CLUSRES_STATE_ONLINE_DEGRADED)
      return OCF_DEGRADED;
    if (map_terminal_state(state, &rc))
      return rc;
    return OCF_ERR_GENERIC;
  case OCF_EXIT_STOP:
    /* Stop is idempotent: an instance the host never knew is stopped.  It never returns 7. */
    if (state == ClusterResourceOffline || state == ClusterResourceStateUnknown)
      return OCF_SUCCESS;
    return OCF_ERR_GENERIC;
  }
  return OCF_ERR_GENERIC;
}

OcfExit ocf_exit_from_dbus_error(const char *dbus_error_name)
{
  if (dbus_error_name == NULL)
    return OCF_ERR_GENERIC;
  if (strcmp(dbus_error_name, OCF_EXIT_DBUS_INVALID_ARGS) == 0)
    return OCF_ERR_CONFIGURED;
  if (strcmp(dbus_error_name, OCF_EXIT_DBUS_NOT_INSTALLED) == 0)
    return OCF_ERR_INSTALLED;
  return OCF_ERR_GENERIC;
}

static gboolean is_failure(OcfExit rc)
{
  return rc != OCF_SUCCESS && rc != OCF_NOT_RUNNING && rc != OCF_DEGRADED;
}

OcfExit ocf_exit_merge(OcfExitAction action, OcfExit a, OcfExit b)
{
  if (is_failure(a))
    return a;
  if (is_failure(b))
    return b;
  if (action == OCF_EXIT_MONITOR && (a == OCF_DEGRADED || b == OCF_DEGRADED))
    return OCF_DEGRADED;
  if (action == OCF_EXIT_MONITOR)
    return a == OCF_SUCCESS || b == OCF_SUCCESS ? OCF_SUCCESS : OCF_NOT_RUNNING;
  return OCF_SUCCESS;
}
