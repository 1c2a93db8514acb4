/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* genapp-proc: see genapp-proc.h. */
#include "genapp-proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

gboolean genapp_proc_read_stat(pid_t pid, char *state, pid_t *ppid, pid_t *sid, guint64 *start_time)
{
  char path[64];
  char buf[1024];

  g_snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';

  /* comm (field 2) may contain spaces and parentheses: the fields resume after the last ')'. */
  const char *p = strrchr(buf, ')');
  if (p == NULL || p[1] != ' ')
    return FALSE;
  p += 2;

  /* Fields from 3: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
   * utime stime cutime cstime priority nice num_threads itrealvalue starttime (22). */
  char st = *p;
  guint64 fields[20] = {0};
  p++;
  for (int i = 4; i <= 22; i++) {
    char *end;
    while (*p == ' ')
      p++;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (end == p || errno != 0)
      return FALSE;
    fields[i - 4] = (guint64)v;
    p = end;
  }
  if (state)
    *state = st;
  if (ppid)
    *ppid = (pid_t)fields[0];
  if (sid)
    *sid = (pid_t)fields[2];
  if (start_time)
    *start_time = fields[22 - 4];
  return TRUE;
}

gboolean genapp_proc_alive(const GenappProcId *id)
{
  char state;
  guint64 start;

  if (id->pid <= 0 || !genapp_proc_read_stat(id->pid, &state, NULL, NULL, &start))
    return FALSE;
  if (start != id->start_time)
    return FALSE;
  if (state == 'Z' || state == 'X') {
    /* Ours (same start time) and dead: reap it if we are its parent; ECHILD otherwise. */
    (void)waitpid(id->pid, NULL, WNOHANG);
    return FALSE;
  }
  return TRUE;
}

static gboolean tree_contains(GArray *tree, pid_t pid)
{
  for (guint i = 0; i < tree->len; i++)
    if (g_array_index(tree, GenappProcId, i).pid == pid)
      return TRUE;
  return FALSE;
}

typedef struct {
  pid_t pid;
  pid_t ppid;
  pid_t sid;
  guint64 start;
} ProcEntry;

void genapp_proc_tree_collect(GArray *tree)
{
  g_return_if_fail(tree->len > 0);
  pid_t root = g_array_index(tree, GenappProcId, 0).pid;

  /* One snapshot of /proc, then a fixpoint over it: a descendant may be listed before its
   * parent, so a single pass would miss grandchildren. */
  g_autoptr(GArray) procs = g_array_new(FALSE, FALSE, sizeof(ProcEntry));
  DIR *dir = opendir("/proc");
  if (dir == NULL)
    return;
  struct dirent *de;
  while ((de = readdir(dir)) != NULL) {
    char *end;
    long pid = strtol(de->d_name, &end, 10);
    if (*end != '\0' || pid <= 0)
      continue;
    ProcEntry e = {.pid = (pid_t)pid};
    char state;
    if (!genapp_proc_read_stat(e.pid, &state, &e.ppid, &e.sid, &e.start))
      continue;
    if (state == 'Z' || state == 'X')
      continue;
    g_array_append_val(procs, e);
  }
  closedir(dir);

  gboolean grew = TRUE;
  while (grew) {
    grew = FALSE;
    for (guint i = 0; i < procs->len; i++) {
      ProcEntry *e = &g_array_index(procs, ProcEntry, i);
      if (e->pid == root || tree_contains(tree, e->pid))
        continue;
      if (e->sid == root || tree_contains(tree, e->ppid)) {
        GenappProcId id = {e->pid, e->start};
        g_array_append_val(tree, id);
        grew = TRUE;
      }
    }
  }
}

GArray *genapp_proc_tree_new(const GenappProcId *root)
{
  GArray *tree = g_array_new(FALSE, FALSE, sizeof(GenappProcId));
  g_array_append_val(tree, *root);
  genapp_proc_tree_collect(tree);
  return tree;
}

void genapp_proc_tree_signal(GArray *tree, int sig)
{
  const GenappProcId *root = &g_array_index(tree, GenappProcId, 0);

  /* The group first: it reaches members we have not seen yet (forked a moment ago). */
  if (genapp_proc_alive(root))
    (void)kill(-root->pid, sig);
  for (guint i = 0; i < tree->len; i++) {
    const GenappProcId *id = &g_array_index(tree, GenappProcId, i);
    if (genapp_proc_alive(id))
      (void)kill(id->pid, sig);
  }
}

guint genapp_proc_tree_alive(GArray *tree)
{
  guint n = 0;
  for (guint i = 0; i < tree->len; i++)
    if (genapp_proc_alive(&g_array_index(tree, GenappProcId, i)))
      n++;
  return n;
}

int genapp_proc_pidfd_open(const GenappProcId *id)
{
  int fd = (int)syscall(SYS_pidfd_open, id->pid, 0);
  if (fd < 0)
    return -1;
  /* The pid might have been reused between our last check and pidfd_open: verify after. */
  if (!genapp_proc_alive(id)) {
    close(fd);
    errno = ESRCH;
    return -1;
  }
  (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

static int spawn_posix(const char *path, char **argv, char **envp, const char *cwd, short flags,
                       pid_t *out_pid)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t all, none;
  int r;

  sigfillset(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  /* The host's own descriptors (D-Bus socket, eventfds) must not leak into applications. */
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  if (cwd)
    posix_spawn_file_actions_addchdir_np(&fa, cwd);
  /* The host may block or ignore signals (GLib, signalfd); the application must not inherit
   * that, or SIGTERM would never reach it. */
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, flags | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  if (path[0] == '/')
    r = posix_spawn(out_pid, path, &fa, &attr, argv, envp);
  else
    r = posix_spawnp(out_pid, path, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return r;
}

int genapp_proc_cred_lookup(const char *user, GenappProcCred *cred)
{
  struct passwd pw, *res = NULL;
  char buf[4096];
  char *end;

  memset(cred, 0, sizeof *cred);
  int r = getpwnam_r(user, &pw, buf, sizeof buf, &res);
  if (res == NULL && r == 0) {
    /* Not a name: a numeric uid is accepted if it has a passwd entry. */
    errno = 0;
    unsigned long uid = strtoul(user, &end, 10);
    if (*user != '\0' && *end == '\0' && errno == 0)
      r = getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &res);
  }
  if (res == NULL)
    return r != 0 ? r : ENOENT;

  int n = 16;
  gid_t *groups = g_new(gid_t, n);
  if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0) {
    groups = g_renew(gid_t, groups, n);
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
      n = 0;
  }
  cred->uid = pw.pw_uid;
  cred->gid = pw.pw_gid;
  cred->groups = groups;
  cred->ngroups = n;
  cred->home = g_strdup(pw.pw_dir);
  return 0;
}

void genapp_proc_cred_clear(GenappProcCred *cred)
{
  g_free(cred->groups);
  g_free(cred->home);
  memset(cred, 0, sizeof *cred);
}

/*
 * The child side of a fork: becomes @path in its own session or group.  Between fork and exec
 * the child of a multi-threaded host may only make async-signal-safe calls: everything
 * (groups, absolute path, environment) was prepared before.  @errfd (close-on-exec) carries an
 * errno back if anything fails; with @gate >= 0 the child first waits for one byte on it and
 * exits without a word if it closes instead (the host died before recording the child).
 */
static G_NORETURN void child_exec(const char *path, char **argv, char **envp, const char *cwd,
                                  gboolean new_session, const GenappProcCred *cred, int errfd,
                                  int gate)
{
  sigset_t none;
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  int err;

  for (int sig = 1; sig < NSIG; sig++)
    (void)sigaction(sig, &dfl, NULL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (new_session)
    (void)setsid();
  else
    (void)setpgid(0, 0);
  /* Our pipes on 3 (and 4), stdio on /dev/null, every other descriptor of the host closed. */
  int e = fcntl(errfd, F_DUPFD_CLOEXEC, 10);
  int g = gate >= 0 ? fcntl(gate, F_DUPFD_CLOEXEC, 10) : -1;
  if (e < 0 || (gate >= 0 && g < 0))
    _exit(127);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0 ||
      dup3(e, 3, O_CLOEXEC) < 0 || (g >= 0 && dup3(g, 4, O_CLOEXEC) < 0))
    _exit(127);
  close_range(g >= 0 ? 5 : 4, ~0u, 0);
  if (g >= 0) {
    char go = 0;
    ssize_t n;
    do
      n = read(4, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
      _exit(127);
    close(4);
  }
  if ((cwd && chdir(cwd) != 0) ||
      (cred != NULL && (setgroups((size_t)cred->ngroups, cred->groups) != 0 ||
                        setgid(cred->gid) != 0 || setuid(cred->uid) != 0)))
    goto fail;
  execve(path, argv, envp);
fail:
  err = errno;
  (void)!write(3, &err, sizeof err);
  _exit(127);
}

/* Reads the child's exec report: 0 once the pipe closes empty (exec'd), else its errno, the
 * child then reaped.  Closes @fd. */
static int exec_result(pid_t pid, int fd)
{
  int child_err = 0;
  ssize_t n;
  do
    n = read(fd, &child_err, sizeof child_err);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n == (ssize_t)sizeof child_err) {
    (void)waitpid(pid, NULL, 0);
    return child_err != 0 ? child_err : EIO;
  }
  return 0;
}

/* posix_spawn cannot change credentials, so with a User a helper command forks. */
static int spawn_as(const char *path, char **argv, char **envp, const char *cwd,
                    gboolean new_session, const GenappProcCred *cred, pid_t *out_pid)
{
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0)
    return errno;
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return e;
  }
  if (pid == 0)
    child_exec(path, argv, envp, cwd, new_session, cred, pipefd[1], -1);
  close(pipefd[1]);
  int r = exec_result(pid, pipefd[0]);
  if (r == 0)
    *out_pid = pid;
  return r;
}

static int spawn_common(const char *path, char **argv, char **envp, const char *cwd,
                        gboolean new_session, const GenappProcCred *cred, pid_t *out_pid)
{
  if (cred != NULL)
    return spawn_as(path, argv, envp, cwd, new_session, cred, out_pid);
  return spawn_posix(path, argv, envp, cwd,
                     new_session ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP, out_pid);
}

int genapp_proc_spawn_held(const char *path, char **argv, char **envp, const char *cwd,
                           const GenappProcCred *cred, GenappProcHeld *held, GenappProcId *out)
{
  int pipefd[2], gate[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0)
    return errno;
  /* A socket pair, not a pipe: the release sends with MSG_NOSIGNAL, so a child that died
   * meanwhile costs an EPIPE, not a SIGPIPE for the whole host. */
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gate) != 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return e;
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    close(gate[0]);
    close(gate[1]);
    return e;
  }
  if (pid == 0)
    child_exec(path, argv, envp, cwd, TRUE, cred, pipefd[1], gate[1]);
  close(pipefd[1]);
  close(gate[1]);
  held->pid = pid;
  held->gate = gate[0];
  held->err = pipefd[0];
  out->pid = pid;
  if (!genapp_proc_read_stat(pid, NULL, NULL, NULL, &out->start_time))
    out->start_time = 0; /* already gone and reaped by someone: the settle check fails it */
  return 0;
}

int genapp_proc_release(GenappProcHeld *held)
{
  static const char go = 'g';
  ssize_t n;
  do
    n = send(held->gate, &go, 1, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  close(held->gate);
  held->gate = -1;
  /* A child that died before reading the byte reports nothing: the settle check finds it. */
  return exec_result(held->pid, held->err);
}

void genapp_proc_discard(GenappProcHeld *held)
{
  (void)kill(held->pid, SIGKILL);
  close(held->gate);
  close(held->err);
  (void)waitpid(held->pid, NULL, 0);
  held->gate = held->err = -1;
}

int genapp_proc_run_with_timeout(char **argv, char **envp, const char *cwd,
                                 const GenappProcCred *cred, guint timeout_ms, int *exit_status)
{
  pid_t pid;
  int r = spawn_common(argv[0], argv, envp, cwd, FALSE, cred, &pid);
  if (r != 0)
    return r;

  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  for (;;) {
    int status;
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      *exit_status = status;
      r = 0;
      break;
    }
    gint64 left = deadline - g_get_monotonic_time();
    if (w < 0 && errno != EINTR) {
      r = errno; /* someone else reaped it: cannot know the result */
      break;
    }
    if (left <= 0) {
      (void)kill(-pid, SIGKILL);
      (void)waitpid(pid, NULL, 0);
      r = ETIMEDOUT;
      break;
    }
    if (pidfd >= 0) {
      struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
      (void)poll(&pfd, 1, (int)MIN(left / 1000 + 1, 1000));
    } else {
      g_usleep(MIN((gulong)left, 10000));
    }
  }
  if (pidfd >= 0)
    close(pidfd);
  return r;
}
