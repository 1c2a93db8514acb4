/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * genapp-proc: process and process-tree handling for the Generic Application type.
 *
 * A process is identified by (pid, start time) where the start time is field 22 of
 * /proc/PID/stat (clock ticks since boot): a pid alone can be reused, the pair cannot.  A
 * process tree is the set of processes to stop with an application: its own process group and
 * session plus every descendant found by walking parent pids, so that children which called
 * setsid() or setpgid() and left the group are still caught.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct {
  pid_t pid;
  guint64 start_time;
} GenappProcId;

/* Credentials to run a program with (the User property); looked up before any fork. */
typedef struct {
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  int ngroups;
  char *home;
} GenappProcCred;

/**
 * genapp_proc_cred_lookup:
 * @user: user name or numeric uid
 * @cred: (out): filled on success; release with genapp_proc_cred_clear()
 *
 * Returns: 0, ENOENT for an unknown user, or another errno.
 */
int genapp_proc_cred_lookup(const char *user, GenappProcCred *cred);
void genapp_proc_cred_clear(GenappProcCred *cred);

/**
 * genapp_proc_read_stat:
 * @pid: process to read
 * @state: (out) (optional): the state letter (R, S, D, Z, ...)
 * @ppid: (out) (optional): parent pid
 * @sid: (out) (optional): session id
 * @start_time: (out) (optional): field 22, clock ticks after boot
 *
 * Returns: FALSE if the process does not exist (or /proc could not be parsed).
 */
gboolean genapp_proc_read_stat(pid_t pid, char *state, pid_t *ppid, pid_t *sid,
                               guint64 *start_time);

/**
 * genapp_proc_alive:
 * @id: the process
 *
 * TRUE while the process exists, is not a zombie and has the same start time.  A zombie
 * child of the calling process is reaped (waitpid WNOHANG), which is safe because the start
 * time proved it is the process we started.
 */
gboolean genapp_proc_alive(const GenappProcId *id);

/**
 * genapp_proc_tree_collect:
 * @tree: (inout): GArray of GenappProcId; the first element is the root
 *
 * Adds to @tree every live process that is in the root's session (the root called setsid, so
 * its pid is the session and group id) or whose parent is already in @tree, repeated until
 * nothing new is found.  Members stay in @tree after they exit.
 */
void genapp_proc_tree_collect(GArray *tree);

/** Sends @sig to every live member of @tree and to the root's process group. */
void genapp_proc_tree_signal(GArray *tree, int sig);

/** Number of members of @tree still alive (zombies count as gone; children are reaped). */
guint genapp_proc_tree_alive(GArray *tree);

/** A new tree rooted at @root (GArray of GenappProcId), with descendants collected. */
GArray *genapp_proc_tree_new(const GenappProcId *root);

/**
 * genapp_proc_pidfd_open:
 * @id: the process
 *
 * Returns: a pidfd (readable once the process has exited) or -1 with errno set; ESRCH also
 * when the pid now belongs to another process.
 */
int genapp_proc_pidfd_open(const GenappProcId *id);

/**
 * genapp_proc_run_with_timeout:
 * @argv: program and arguments (argv[0] is looked up in PATH)
 * @envp: environment
 * @cwd: working directory
 * @cred: (nullable): run as this user
 * @timeout_ms: how long to wait
 * @exit_status: (out): wait status when the program ended in time
 *
 * Runs a short helper command (the health check) in its own process group with stdio on
 * /dev/null and waits for it.  On timeout the whole group is killed.
 *
 * Returns: 0 when it ended in time, ETIMEDOUT on timeout, else an errno of the spawn.
 */
int genapp_proc_run_with_timeout(char **argv, char **envp, const char *cwd,
                                 const GenappProcCred *cred, guint timeout_ms, int *exit_status);

/*
 * An application started but held before exec: the process exists (pid and start time are
 * known) and runs nothing until genapp_proc_release().  The caller records it in between, so
 * that no instant exists at which the application runs unrecorded: if the host dies before the
 * release, the gate closes with it and the child exits without running the program.
 */
typedef struct {
  pid_t pid;
  int gate; /* our end of the gate (a socket pair): one byte = exec; closed = exit */
  int err;  /* read end of the close-on-exec pipe that reports an exec failure */
} GenappProcHeld;

/**
 * genapp_proc_spawn_held:
 * @path: absolute program path
 * @argv: arguments
 * @envp: environment
 * @cwd: working directory
 * @cred: (nullable): run as this user (supplementary groups too)
 * @held: (out): the held child, for genapp_proc_release() or genapp_proc_discard()
 * @out: (out): the new process
 *
 * Forks the application in a new session (so it has its own process group and no terminal),
 * stdio on /dev/null, default signal dispositions and an empty signal mask whatever the host
 * has, no inherited descriptors, and holds it before exec (see GenappProcHeld).
 *
 * Returns: 0 or an errno of the fork.
 */
int genapp_proc_spawn_held(const char *path, char **argv, char **envp, const char *cwd,
                           const GenappProcCred *cred, GenappProcHeld *held, GenappProcId *out);

/**
 * genapp_proc_release:
 * Lets the held child exec.  Returns: 0 once the program runs, or the errno of what failed in
 * the child (chdir, credentials, exec: ENOENT, EACCES...), the child then reaped.
 */
int genapp_proc_release(GenappProcHeld *held);

/** genapp_proc_discard: kills and reaps the held child (it never ran the program). */
void genapp_proc_discard(GenappProcHeld *held);
