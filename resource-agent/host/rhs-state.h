/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-state: what the host must remember across its own death.  One key file per instance in
 * <run dir>/instances/<escaped name>.conf (separate hosts: instances-<escaped>/), replaced
 * atomically, so that a host restarted after kill -9 re-opens every instance that may still
 * run: the online ones are asked IsAlive instead of being restarted by Pacemaker, the others
 * are Failed until a stop takes them down (README.md "State records and crashes").
 */
#pragma once

#include <glib.h>

/* The states of a record.  A record exists exactly while something of the instance may run. */
#define RHS_STATE_ONLINING "onlining"   /* written before Open/Online: may be partly up */
#define RHS_STATE_ONLINE "online"       /* Online finished */
#define RHS_STATE_OFFLINING "offlining" /* written before Offline: may be partly down */
#define RHS_STATE_FAILED "failed"       /* failed (terminated, or the watchdog exit) */

/*
 * The longest escaped name whose record fits a file name (NAME_MAX 255): "<escaped>.conf" and
 * GLib's temporary "<escaped>.conf.XXXXXX" of an atomic replacement.  Escaping triples every
 * byte outside [A-Za-z0-9_], so a 128-byte name can need up to 384 bytes.
 */
#define RHS_STATE_MAX_ESCAPED 243

typedef struct {
  char *name;
  char *type;
  char *dll;
  char *state;        /* one of RHS_STATE_* (an unknown one is treated like "failed") */
  GHashTable *params; /* char* -> char* */
  GHashTable *meta;
} RhsStateRecord;

void rhs_state_record_free(RhsStateRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RhsStateRecord, rhs_state_record_free)

/* The run directory: $CLUSRES_RUN_DIR or the compiled-in /run/clusres. */
const char *rhs_state_run_dir(void);

/*
 * HACKING.md's name escaping for bus names and files: [A-Za-z0-9_] kept, any other byte as
 * _xx (lower-case hex).  A leading digit is escaped too, because a D-Bus bus-name element must
 * not start with one.
 */
char *rhs_state_escape_name(const char *name);

/* TRUE if @name's record fits a file name (escaped length <= RHS_STATE_MAX_ESCAPED); else
 * FALSE with *escaped_len (may be NULL) set. */
gboolean rhs_state_name_fits(const char *name, gsize *escaped_len);

/* The directory holding the instance files (@separate: resource of a separate host or NULL). */
char *rhs_state_dir(const char *separate);

/*
 * Takes the host's lock file (<run dir>/rhs.lock, separate hosts rhs-<escaped>.lock) so that a
 * second host never re-adopts instances a live one manages.  Waits up to @wait_ms for a holder
 * to let go: a host stopping gives up its bus name before its lock (it must stop taking calls
 * before it shuts its instances down), so a host D-Bus activates in that window must wait for
 * the old one to finish rather than exit.  Returns the fd to keep open for the life of the
 * process (released by the kernel even on kill -9), or -1 with @error.
 */
int rhs_state_lock(const char *separate, guint wait_ms, GError **error);

/* Replaces @rec's file atomically (a reader or the next host sees the old or the new record,
 * never a mix); FALSE with @error (G_FILE_ERROR) if it could not be written. */
gboolean rhs_state_save(const char *dir, const RhsStateRecord *rec, GError **error);
gboolean rhs_state_remove(const char *dir, const char *name, GError **error);
/* Every readable record in @dir; broken files are logged and skipped. */
GPtrArray *rhs_state_load_all(const char *dir);
