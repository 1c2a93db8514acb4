/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * genapp-watch: asynchronous failure detection for every genapp instance of the host.
 *
 * One thread per DLL (not per instance: a host keeps hundreds of instances) waits with epoll on
 * the pidfd of each running application and signals that instance's event handle when the
 * process exits, so the host learns of a crash at once.  The thread starts with the first watch
 * and stops (it is joined) when the last one is removed, so the DLL can be unloaded.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

/**
 * genapp_watch_add:
 * @pidfd: (transfer full): pidfd of the application
 * @event: event to signal on exit; must stay valid until genapp_watch_remove() returns
 * @handle: the instance, for LogEvent
 * @log: the host's LogEvent
 *
 * Returns: a watch id, 0 on failure (then @pidfd is closed).
 */
guint64 genapp_watch_add(int pidfd, HANDLE event, RESOURCE_HANDLE handle, PLOG_EVENT_ROUTINE log);

/**
 * genapp_watch_remove:
 * @id: a watch id (0 is ignored)
 *
 * Stops the watch.  Once this returns the event is not signalled for it any more, even if the
 * process exits at that moment.
 */
void genapp_watch_remove(guint64 id);
