/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* genapp-watch: see genapp-watch.h. */
#include "genapp-watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Id 0 in epoll data is the stop eventfd; watches count from 1. */
#define WATCH_STOP_ID 0

typedef struct {
  int pidfd;
  HANDLE event;
  RESOURCE_HANDLE handle;
  PLOG_EVENT_ROUTINE log;
} Watch;

typedef struct {
  pthread_t thread;
  int epfd;
  int stopfd;
} Watcher;

/* watch_lock guards everything below.  The thread handles an exit with the lock held, so
 * genapp_watch_remove() (which takes it) cannot return while an event is being signalled. */
static GMutex watch_lock;
static GHashTable *watches; /* id (guint64 *) -> Watch */
static guint64 watch_next_id = 1;
static Watcher *watcher;

static void watch_free(gpointer data)
{
  Watch *w = data;
  close(w->pidfd);
  g_free(w);
}

static void *watch_main(void *data)
{
  Watcher *self = data;
  struct epoll_event evs[16];

  for (;;) {
    int n = epoll_wait(self->epfd, evs, G_N_ELEMENTS(evs), -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return NULL;
    g_mutex_lock(&watch_lock);
    for (int i = 0; i < n; i++) {
      guint64 id = evs[i].data.u64;
      if (id == WATCH_STOP_ID) {
        g_mutex_unlock(&watch_lock);
        return NULL;
      }
      Watch *w = watches ? g_hash_table_lookup(watches, &id) : NULL;
      if (w == NULL)
        continue; /* removed after epoll_wait returned */
      w->log(w->handle, LOG_ERROR, "application exited unexpectedly");
      ClusResSetEvent(w->event);
      /* A pidfd stays readable: one report per exit is enough. */
      epoll_ctl(self->epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
      g_hash_table_remove(watches, &id);
    }
    g_mutex_unlock(&watch_lock);
  }
}

static Watcher *watcher_start(void)
{
  Watcher *self = g_new0(Watcher, 1);
  pthread_attr_t attr;

  self->epfd = epoll_create1(EPOLL_CLOEXEC);
  self->stopfd = eventfd(0, EFD_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WATCH_STOP_ID};
  if (self->epfd < 0 || self->stopfd < 0 ||
      epoll_ctl(self->epfd, EPOLL_CTL_ADD, self->stopfd, &ev) != 0)
    goto fail;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024); /* it only waits; the default is 8 MiB */
  int r = pthread_create(&self->thread, &attr, watch_main, self);
  pthread_attr_destroy(&attr);
  if (r != 0)
    goto fail;
  return self;

fail:
  if (self->epfd >= 0)
    close(self->epfd);
  if (self->stopfd >= 0)
    close(self->stopfd);
  g_free(self);
  return NULL;
}

static void watcher_stop(Watcher *self)
{
  uint64_t one = 1;
  (void)!write(self->stopfd, &one, sizeof one);
  pthread_join(self->thread, NULL);
  close(self->epfd);
  close(self->stopfd);
  g_free(self);
}

guint64 genapp_watch_add(int pidfd, HANDLE event, RESOURCE_HANDLE handle, PLOG_EVENT_ROUTINE log)
{
  g_mutex_lock(&watch_lock);
  if (watches == NULL)
    watches = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, watch_free);
  if (watcher == NULL)
    watcher = watcher_start();
  if (watcher == NULL) {
    g_mutex_unlock(&watch_lock);
    close(pidfd);
    return 0;
  }
  guint64 id = watch_next_id++;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = id};
  if (epoll_ctl(watcher->epfd, EPOLL_CTL_ADD, pidfd, &ev) != 0) {
    g_mutex_unlock(&watch_lock);
    close(pidfd);
    return 0;
  }
  Watch *w = g_new0(Watch, 1);
  w->pidfd = pidfd;
  w->event = event;
  w->handle = handle;
  w->log = log;
  g_hash_table_insert(watches, g_memdup2(&id, sizeof id), w);
  g_mutex_unlock(&watch_lock);
  return id;
}

void genapp_watch_remove(guint64 id)
{
  Watcher *stop = NULL;

  if (id == 0)
    return;
  g_mutex_lock(&watch_lock);
  Watch *w = watches ? g_hash_table_lookup(watches, &id) : NULL;
  if (w != NULL) {
    epoll_ctl(watcher->epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
    g_hash_table_remove(watches, &id);
  }
  /* The last watch gone: stop the thread so that nothing of the DLL runs while it is idle. */
  if (watches != NULL && g_hash_table_size(watches) == 0) {
    stop = g_steal_pointer(&watcher);
    g_clear_pointer(&watches, g_hash_table_unref);
  }
  g_mutex_unlock(&watch_lock);
  if (stop != NULL)
    watcher_stop(stop);
}
