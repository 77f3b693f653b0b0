/*
 * crash_kill.c - kills a command with SIGKILL at a chosen moment of its
 * file writes, for the crash tests (crash.sh, outputs.sh).
 *
 *   crash_kill DIR NAME N DELAY_US TIMEOUT_MS CMD [ARG...]
 *
 * Runs CMD and watches DIR with inotify. When the N-th file called NAME
 * has been created in DIR (N = 0: when CMD starts), it waits DELAY_US
 * microseconds and kills CMD; when that has not happened after TIMEOUT_MS,
 * it kills CMD anyway. DELAY_US = -1 never kills: it waits for CMD to end
 * (a measuring run).
 *
 * Then it prints to stdout one line for how CMD ended, and which of the
 * temporary files (names ending in ".tmp") CMD had created in DIR and not
 * yet renamed or removed when it died, i.e. the writes it was in:
 *
 *   killed NAME #N +DELAY_US us; live A.tmp B.tmp
 *   timeout; live ...
 *   exited STATUS; live ...
 *
 * and, for a measuring run, one line per temporary file CMD created, in
 * microseconds since CMD started (GONE -1: still there at the end):
 *
 *   tmp NAME CREATED GONE
 *
 * The kill is precise where a shell's sleep is not: the inotify event
 * wakes this process the moment the file is created, and CMD dies
 * DELAY_US later, give or take the scheduler. Events describe only what
 * CMD did while it ran; a NAME.tmp a killed run left behind is neither
 * created nor live until CMD replaces it. Exit status: 0, 2 usage, 3 DIR
 * cannot be watched or CMD cannot be started.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_TMPS = 64, NAME_CAP = 256 };

/* A temporary file CMD created: when, and when it was renamed or removed
 * (-1: not yet). */
typedef struct Tmp {
  char name[NAME_CAP];
  long created, gone;
} Tmp;

typedef struct Watch {
  int fd;
  const char *name; /* the trigger */
  long seen;        /* how many files called NAME were created */
  long at_n;        /* when the N-th was, in us since the start (-1: not yet) */
  long n;
  Tmp tmps[MAX_TMPS];
  int n_tmps;
  struct timespec t0;
} Watch;

static long now_us(const Watch *w) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - w->t0.tv_sec) * 1000000L + (t.tv_nsec - w->t0.tv_nsec) / 1000;
}

static int ends_with_tmp(const char *s) {
  size_t n = strlen(s);
  return n >= 4 && strcmp(s + n - 4, ".tmp") == 0;
}

/* The newest temporary file called NAME still live, or NULL. */
static Tmp *live_tmp(Watch *w, const char *name) {
  for (int i = w->n_tmps - 1; i >= 0; i--)
    if (w->tmps[i].gone < 0 && strcmp(w->tmps[i].name, name) == 0)
      return &w->tmps[i];
  return NULL;
}

static void on_event(Watch *w, const struct inotify_event *e, long t) {
  if (e->len == 0)
    return;
  if (e->mask & IN_CREATE) {
    if (strcmp(e->name, w->name) == 0 && ++w->seen == w->n)
      w->at_n = t;
    if (ends_with_tmp(e->name)) {
      if (w->n_tmps == MAX_TMPS) { /* keep the newest: drop the oldest gone */
        memmove(&w->tmps[0], &w->tmps[1], (MAX_TMPS - 1) * sizeof w->tmps[0]);
        w->n_tmps--;
      }
      Tmp *tmp = &w->tmps[w->n_tmps++];
      snprintf(tmp->name, sizeof tmp->name, "%s", e->name);
      tmp->created = t;
      tmp->gone = -1;
    }
  } else if (e->mask & (IN_MOVED_FROM | IN_DELETE)) {
    Tmp *tmp = live_tmp(w, e->name);
    if (tmp)
      tmp->gone = t;
  }
}

/* Reads the events queued now (the descriptor is non-blocking). */
static void drain(Watch *w) {
  _Alignas(struct inotify_event) char buf[16 * (sizeof(struct inotify_event) + NAME_CAP)];
  for (;;) {
    ssize_t len = read(w->fd, buf, sizeof buf);
    if (len <= 0)
      return;
    long t = now_us(w);
    for (char *p = buf; p < buf + len;) {
      const struct inotify_event *e = (const struct inotify_event *)(void *)p;
      on_event(w, e, t);
      p += sizeof *e + e->len;
    }
  }
}

static void print_live(const Watch *w) {
  printf("; live");
  for (int i = 0; i < w->n_tmps; i++)
    if (w->tmps[i].gone < 0)
      printf(" %s", w->tmps[i].name);
  printf("\n");
}

static void sleep_us(long us) {
  struct timespec d = {us / 1000000, (us % 1000000) * 1000};
  while (nanosleep(&d, &d) != 0 && errno == EINTR) {
  }
}

static int usage(void) {
  fprintf(stderr, "usage: crash_kill DIR NAME N DELAY_US TIMEOUT_MS CMD [ARG...]\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 7)
    return usage();
  Watch w;
  memset(&w, 0, sizeof w);
  w.name = argv[2];
  w.n = atol(argv[3]);
  w.at_n = -1;
  long delay = atol(argv[4]), timeout = atol(argv[5]) * 1000;
  if (w.n < 0 || timeout <= 0 || delay < -1)
    return usage();
  w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w.fd < 0 || inotify_add_watch(w.fd, argv[1], IN_CREATE | IN_MOVED_FROM | IN_DELETE) < 0) {
    fprintf(stderr, "crash_kill: cannot watch %s: %s\n", argv[1], strerror(errno));
    return 3;
  }
  clock_gettime(CLOCK_MONOTONIC, &w.t0);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "crash_kill: cannot fork: %s\n", strerror(errno));
    return 3;
  }
  if (pid == 0) {
    execvp(argv[6], argv + 6);
    fprintf(stderr, "crash_kill: cannot run %s: %s\n", argv[6], strerror(errno));
    _exit(127);
  }
  if (w.n == 0)
    w.at_n = 0;
  int status = 0, ended = 0;
  const char *how = "timeout";
  for (;;) {
    drain(&w);
    if (delay >= 0 && w.at_n >= 0) {
      sleep_us(delay);
      how = "killed";
      break;
    }
    if (waitpid(pid, &status, WNOHANG) == pid) {
      ended = 1;
      break;
    }
    if (delay >= 0 && now_us(&w) >= timeout)
      break;
    /* Woken at once by an event; the timeout only paces the exit check. */
    struct pollfd p = {w.fd, POLLIN, 0};
    poll(&p, 1, 1);
  }
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  drain(&w); /* CMD is dead: every event of its writes is queued */
  if (!ended && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
    ended = 0; /* our kill */
  else
    ended = 1; /* it ended on its own, maybe during the delay */
  if (ended)
    printf("exited %d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  else if (how[0] == 'k')
    printf("killed %s #%ld +%ld us", w.name, w.n, delay);
  else
    printf("timeout");
  print_live(&w);
  if (delay < 0)
    for (int i = 0; i < w.n_tmps; i++)
      printf("tmp %s %ld %ld\n", w.tmps[i].name, w.tmps[i].created, w.tmps[i].gone);
  return 0;
}
