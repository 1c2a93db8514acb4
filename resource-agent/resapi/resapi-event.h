/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Library-private view of HANDLE.  Every object behind a HANDLE starts with this header so a
 * stray or foreign handle is refused (ERROR_INVALID_HANDLE) instead of being misused: events
 * (resapi-event.c) and worker threads (resapi-worker.c, CLUS_WORKER.hThread).
 */
#ifndef RESAPI_EVENT_H
#define RESAPI_EVENT_H

#include <stdint.h>

#include "clusres/resapi.h"

#define RESAPI_HANDLE_MAGIC_EVENT 0x45564e54u  /* "EVNT" */
#define RESAPI_HANDLE_MAGIC_THREAD 0x54485244u /* "THRD" */
#define RESAPI_HANDLE_MAGIC_DEAD 0xdeadbeefu

struct _CLUSRES_HANDLE {
  uint32_t magic;
};

#endif /* RESAPI_EVENT_H */
