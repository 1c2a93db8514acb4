/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-win32: the names and texts of the Win32 status codes resapi.h defines, once, for
 * everything that shows a status to an admin (the agent's ocf-exit-reason, clusresctl), so
 * that "5080" reads "ERROR_CLUSTER_RESNAME_NOT_FOUND (5080): ..." everywhere.  The texts are
 * winerror.h's (FormatMessage) where they fit clusres.  GLib-free: the statically linked agent
 * has it too.
 */
#pragma once

#include <clusres/resapi.h>
#include <stddef.h>

/** The winerror.h name of @status ("ERROR_PATH_NOT_FOUND"), or NULL for a code resapi.h does
 *  not define. */
const char *clusres_win32_name(DWORD status);

/** The text of @status ("The system cannot find the path specified."), or NULL. */
const char *clusres_win32_text(DWORD status);

/**
 * clusres_win32_describe:
 * Writes "NAME (N): text" for a known @status, else "status N", into @buf (always
 * NUL-terminated when @size > 0, cut if too small).
 *
 * Returns: @buf.
 */
char *clusres_win32_describe(DWORD status, char *buf, size_t size);

/* Room for any clusres_win32_describe() answer. */
#define CLUSRES_WIN32_DESCRIBE_MAX 192
