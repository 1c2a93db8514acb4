/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-dllfile: loading a resource DLL file, the one way both loaders do it (the host's
 * rhs-dll and the agent's ocf-dll).  A DLL runs as root inside the host, so whoever can write
 * the file, or rename anything on the way to it, owns the node: the file and every directory
 * above it must be owned by root and writable by no one else.  Symbolic links are resolved
 * first and the resolved file is what is checked and loaded, so no link can be swapped between
 * the check and the load.  A process that does not run as root (a developer running the unit
 * tests on a build tree of their own) also accepts files and directories of its own user;
 * root accepts root's only, and no environment variable changes that.
 */
#pragma once

#include <glib.h>

#define CLUSRES_DLLFILE_ERROR (clusres_dllfile_error_quark())
GQuark clusres_dllfile_error_quark(void);
typedef enum {
  CLUSRES_DLLFILE_ERROR_MISSING, /* no such file (or not a regular file) */
  CLUSRES_DLLFILE_ERROR_UNSAFE,  /* the file or a directory above it is not root's alone */
  CLUSRES_DLLFILE_ERROR_LOAD,    /* dlopen() failed */
} ClusresDllfileError;

/**
 * clusres_dllfile_check:
 * Resolves @path (realpath) and checks the resolved file and every directory above it: owned
 * by root (or by the caller, when the caller is not root) and not writable by group or others.
 * The message of CLUSRES_DLLFILE_ERROR_UNSAFE names the offending file or directory and the rule.
 *
 * Returns: (transfer full): the resolved path to load, or NULL with @error set.
 */
char *clusres_dllfile_check(const char *path, GError **error);

/**
 * clusres_dllfile_open:
 * clusres_dllfile_check(), then dlopen(RTLD_NOW | RTLD_LOCAL) of the resolved file: RTLD_LOCAL
 * so that two DLLs may use the same internal names, RTLD_NOW so that a missing symbol is a load
 * error now and not a crash in the middle of an Online.
 *
 * Returns: the dlopen() handle, or NULL with @error set.
 */
void *clusres_dllfile_open(const char *path, GError **error);
