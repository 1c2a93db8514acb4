/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Library-private helpers of resapi-error.c (not exported: see libclusres-resapi.map). */
#ifndef RESAPI_ERROR_H
#define RESAPI_ERROR_H

#include <errno.h>

#include "clusres/resapi.h"

/** Maps an errno value to the closest winerror.h code. */
DWORD resapi_error_from_errno(int errnum);

/** Sets the thread's last error and returns it, for "return resapi_error_set(x);" exits. */
static inline DWORD resapi_error_set(DWORD err)
{
  SetLastError(err);
  return err;
}

#endif /* RESAPI_ERROR_H */
