// The benchmarks' measuring loops, in C so that they measure the file system and not a shell or an interpreter.
//   helper getxattr PATH NAME SECONDS   getxattr(2) of NAME on PATH in a tight loop: prints calls per second
//   helper stat PATH SECONDS            stat(2) of PATH in a tight loop: prints calls per second
//   helper rss PID MS                   VmRSS (KiB) of PID every MS ms, one line each, until SIGTERM or PID exits
//   helper watch PATH NAME MS           getxattr of NAME (a status) on PATH every MS ms: "TIME STEP" (TIME in
//                                       seconds since the epoch, as bash's EPOCHREALTIME) each time its step
//                                       changes, until "published" or SIGTERM (a shell loop of getfattr forked 50
//                                       processes a second beside the work it timed)
// Built by the scripts of bench/ into their scratch folder (cc -O2).
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static double clock_seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }

static volatile sig_atomic_t stop;
static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

static void on_term_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
}

// The step a status names: its first word, or the second after "publishing" ("publishing upload 40%" -> upload).
static void step_of(const char *status, char *step, size_t size) {
  if (strncmp(status, "publishing ", 11) == 0) status += 11;
  size_t n = strcspn(status, " ");
  if (n >= size) n = size - 1;
  memcpy(step, status, n);
  step[n] = 0;
}

static int watch(const char *path, const char *name, long ms) {
  on_term_signals();
  struct timespec interval = {ms / 1000, (ms % 1000) * 1000000L};
  char value[4096], step[256], last[256] = "";
  while (!stop) {
    ssize_t n = getxattr(path, name, value, sizeof value - 1);
    value[n < 0 ? 0 : n] = 0;
    step_of(value, step, sizeof step);
    if (strcmp(step, last) != 0) {
      printf("%.6f %s\n", clock_seconds(CLOCK_REALTIME), step);
      fflush(stdout);
      strcpy(last, step);
    }
    if (strcmp(step, "published") == 0) break;
    nanosleep(&interval, NULL);
  }
  return 0;
}

static int rss(pid_t pid, long ms) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  on_term_signals();
  struct timespec interval = {ms / 1000, (ms % 1000) * 1000000L};
  while (!stop) {
    FILE *f = fopen(path, "r");
    if (!f) break;  // the process is gone
    while (fgets(line, sizeof line, f))
      if (strncmp(line, "VmRSS:", 6) == 0) {
        printf("%ld\n", strtol(line + 6, NULL, 10));
        fflush(stdout);
        break;
      }
    fclose(f);
    nanosleep(&interval, NULL);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "rss") == 0) return rss((pid_t)atol(argv[2]), atol(argv[3]));
  if (argc == 5 && strcmp(argv[1], "watch") == 0) return watch(argv[2], argv[3], atol(argv[4]));
  int is_xattr = argc == 5 && strcmp(argv[1], "getxattr") == 0;
  if (!is_xattr && !(argc == 4 && strcmp(argv[1], "stat") == 0)) {
    fprintf(stderr, "usage: helper getxattr PATH NAME SECONDS | stat PATH SECONDS | rss PID MS | watch PATH NAME MS\n");
    return 2;
  }
  double seconds = atof(argv[argc - 1]);
  char value[4096];
  struct stat st;
  long calls = 0;
  double start = now(), end = start;
  while (end - start < seconds) {
    for (int i = 0; i < 256; i++) {  // the clock read every 256 calls
      if (is_xattr ? getxattr(argv[2], argv[3], value, sizeof value) < 0 : stat(argv[2], &st) != 0) {
        perror(argv[2]);
        return 1;
      }
    }
    calls += 256;
    end = now();
  }
  printf("%.0f\n", (double)calls / (end - start));
  return 0;
}
