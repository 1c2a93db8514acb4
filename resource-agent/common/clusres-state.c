/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-state.h"

#include <clusres/resapi.h>

const char *clusres_state_name(int state)
{
  switch (state) {
  case ClusterResourceStateUnknown:
    return "Unknown";
  case ClusterResourceInherited:
    return "Inherited";
  case ClusterResourceInitializing:
    return "Initializing";
  case ClusterResourceOnline:
    return "Online";
  case CLUSRES_STATE_ONLINE_DEGRADED: /* a host's Monitor answer, never a DLL's state */
    return "OnlineDegraded";
  case ClusterResourceOffline:
    return "Offline";
  case ClusterResourceFailed:
    return "Failed";
  case ClusterResourcePending:
    return "Pending";
  case ClusterResourceOnlinePending:
    return "OnlinePending";
  case ClusterResourceOfflinePending:
    return "OfflinePending";
  case (int)ClusterResourceCannotComeOnlineOnThisNode:
    return "CannotComeOnlineOnThisNode";
  case (int)ClusterResourceCannotComeOnlineOnAnyNode:
    return "CannotComeOnlineOnAnyNode";
  default:
    return "?";
  }
}
