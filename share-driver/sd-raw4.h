/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-raw4: raw NFSv4 COMPOUNDs on a fresh TCP connection (libnfs, no mount), for the tests that
 * must hold on to a file handle and use it again on another server: a fresh path lookup would
 * hide a stale handle.  Test support only, not part of the driver library.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PUTROOTFH, one LOOKUP per component of @path ("/share/file"), GETFH: the handle goes to @fh.
 * Returns the COMPOUND's NFS status, or -1 if the RPC itself failed (no connection, timeout). */
int sd_raw4_lookup(const char *server, const char *path, guint timeout_ms, GByteArray *fh);

/* PUTFH(@fh) + READ of up to @count bytes at offset 0 with the anonymous stateid (valid only if
 * the server still knows the handle): the data goes to @data.  Status as sd_raw4_lookup(). */
int sd_raw4_read(const char *server, const GByteArray *fh, guint count, guint timeout_ms,
                 GByteArray *data);

G_END_DECLS
