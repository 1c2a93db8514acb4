/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-reclaim.h"

NcOpenHow nc_reclaim_open_how(gboolean enabled, gboolean held_open, gboolean refused)
{
  return enabled && held_open && !refused ? NC_OPEN_RECLAIM : NC_OPEN_NORMAL;
}

NcReclaimNext nc_reclaim_next(gboolean ok, NcErrKind kind)
{
  if (ok)
    return NC_RECLAIM_USE;
  switch (kind) {
  case NC_ERR_NO_GRACE:
    /* Not in grace (our state survived, e.g. a network blackout) or not a known client: a
     * normal OPEN is what the server wants now. */
    return NC_RECLAIM_OPEN;
  case NC_ERR_STALE:
    /* The handle is unknown here: reclaim cannot work, a path lookup might. */
    return NC_RECLAIM_OPEN;
  case NC_ERR_GRACE:
  case NC_ERR_STATE:
  case NC_ERR_OTHER:
    /* GRACE cannot answer a reclaim; lost state (the server restarted again under us) or no
     * answer: a new connection and a new SETCLIENTID. */
    return NC_RECLAIM_RECONNECT;
  }
  return NC_RECLAIM_RECONNECT;
}

const char *nc_reclaim_next_to_string(NcReclaimNext next)
{
  switch (next) {
  case NC_RECLAIM_USE:
    return "use";
  case NC_RECLAIM_OPEN:
    return "open";
  case NC_RECLAIM_RECONNECT:
    return "reconnect";
  }
  return "?";
}
