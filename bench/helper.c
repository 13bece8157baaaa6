// The benchmarks' measuring loops, in C so that they measure the file system and not a shell or an interpreter.
//   helper getxattr PATH NAME SECONDS   getxattr(2) of NAME on PATH in a tight loop: prints calls per second
//   helper stat PATH SECONDS            stat(2) of PATH in a tight loop: prints calls per second
//   helper rss PID MS                   VmRSS (KiB) of PID every MS ms, one line each, until SIGTERM or PID exits
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

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static volatile sig_atomic_t stop;
static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

static int rss(pid_t pid, long ms) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
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
  int is_xattr = argc == 5 && strcmp(argv[1], "getxattr") == 0;
  if (!is_xattr && !(argc == 4 && strcmp(argv[1], "stat") == 0)) {
    fprintf(stderr, "usage: helper getxattr PATH NAME SECONDS | stat PATH SECONDS | rss PID MS\n");
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
