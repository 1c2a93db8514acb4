/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-state: what the host must remember across its own death.  One key file per instance in
 * <run dir>/instances/<escaped name>.conf (separate hosts: instances-<escaped>/), replaced
 * atomically, so that a host restarted after kill -9 re-opens the instances that were online
 * and asks IsAlive instead of letting Pacemaker restart them.
 */
#pragma once

#include <glib.h>

typedef struct {
  char *name;
  char *type;
  char *dll;
  char *state;        /* "online", "offline" or "failed" */
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

/* The directory holding the instance files (@separate: resource of a separate host or NULL). */
char *rhs_state_dir(const char *separate);

/*
 * Takes the host's lock file (<run dir>/rhs.lock, separate hosts rhs-<escaped>.lock) so that a
 * second host never re-adopts instances a live one manages.  Returns the fd to keep open for
 * the life of the process (released by the kernel even on kill -9), or -1 with @error.
 */
int rhs_state_lock(const char *separate, GError **error);

gboolean rhs_state_save(const char *dir, const RhsStateRecord *rec, GError **error);
gboolean rhs_state_remove(const char *dir, const char *name, GError **error);
/* Every readable record in @dir; broken files are logged and skipped. */
GPtrArray *rhs_state_load_all(const char *dir);
