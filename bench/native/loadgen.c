/*
 * loadgen: single-threaded epoll TCP load generator for the iocp-net benchmarks.
 *
 * Written in C so that the client is never the bottleneck (a Node client
 * saturates before the servers do). One process, one thread, level-triggered
 * epoll, loopback only. It prints exactly one JSON line with its results on
 * stdout (the "idle" mode prints an extra "established" line first) and
 * reports its own CPU use and the server's (from /proc/<pid>/stat) over the
 * measured window, so a saturated client is visible in the results.
 *
 * Modes (--mode):
 *   echo      each connection keeps up to --window bytes in flight, written in
 *             --size chunks, and reads the echo back; counts echoed bytes.
 *   pingpong  each connection sends --size bytes, waits for --size bytes back;
 *             one message in flight per connection; RTT p50/p99/max. With few
 *             connections both sides sit idle between messages (scenario 8).
 *   burst     each connection sends a 1-byte "turn" and waits for --expect
 *             bytes (the server answers with many small writes); a message
 *             is --chunk bytes (for the msg/s count).
 *   connrate  --conns concurrent slots: connect, send 1 byte, read 1 byte,
 *             close, repeat; counts completed connections.
 *   idle      opens --conns connections (at most 256 connects in flight),
 *             prints {"established":...}, then holds them until stdin closes
 *             or --duration expires.
 *   http      keep-alive HTTP/1.1 GET, one request in flight per connection;
 *             counts responses, latency p50/p99/max.
 *   slowread  reads at most --rate bytes/s per connection; counts bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum mode { M_ECHO, M_PINGPONG, M_BURST, M_CONNRATE, M_IDLE, M_HTTP, M_SLOWREAD };

struct options {
  const char *host;
  int port;
  enum mode mode;
  int conns;
  double duration;
  double warmup;
  size_t size;
  size_t window;
  size_t expect;
  size_t chunk;
  double rate;
  int server_pid;
  int cpu;
};

struct conn {
  int fd;
  int connected;
  uint64_t sent;      /* bytes written since connect */
  uint64_t received;  /* bytes read since connect */
  uint64_t target;    /* bytes expected back before the next request */
  uint64_t t_start;   /* ns: when the message in flight was sent */
  size_t parse_len;   /* http: bytes buffered for header parsing */
  size_t body_left;   /* http: body bytes still to read */
  uint32_t events;    /* epoll interest currently registered */
  char hdr[4096];     /* http: partial response header */
};

/* Latency histogram: 1 us buckets up to 1 s, then one overflow bucket. */
#define HIST_BUCKETS 1000001
static uint32_t *hist;
static uint64_t hist_count;
static uint64_t latency_max_ns; /* exact, not bucketed: one stall is the point */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double realtime_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
  exit(2);
}

/* Global measurement state. */
static struct options opt;
static int measuring;
static uint64_t m_bytes, m_msgs, m_errors;
static int epfd;
static int idle_pending;     /* idle: connections started but not yet answered */
static int idle_established; /* idle: connections the server has answered */
static char *payload;
static char *scratch;
static const size_t SCRATCH = 1 << 20;
static const char HTTP_REQ[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

static void record_latency(uint64_t ns) {
  if (!measuring) return;
  if (ns > latency_max_ns) latency_max_ns = ns;
  uint64_t us = ns / 1000;
  if (us >= HIST_BUCKETS - 1) us = HIST_BUCKETS - 1;
  hist[us]++;
  hist_count++;
}

static double percentile_us(double p) {
  if (hist_count == 0) return -1;
  uint64_t rank = (uint64_t)((double)hist_count * p);
  if (rank >= hist_count) rank = hist_count - 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen > rank) return (double)i + 0.5;
  }
  return HIST_BUCKETS;
}

/* CPU time in clock ticks (utime + stime) of a process, all threads. */
static long long proc_cpu_ticks(int pid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  /* Fields after the command name, which is in parentheses and may hold spaces. */
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  p += 2; /* skip ") " : field 3 (state) starts here */
  unsigned long long utime = 0, stime = 0;
  int field = 3;
  char *save = NULL;
  for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
    if (field == 14) utime = strtoull(tok, NULL, 10);
    if (field == 15) { stime = strtoull(tok, NULL, 10); break; }
  }
  return (long long)(utime + stime);
}

static struct sockaddr_in server_addr(void) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)opt.port);
  if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1) {
    fprintf(stderr, "loadgen: bad IPv4 host %s\n", opt.host);
    exit(2);
  }
  return sa;
}

static void watch(struct conn *c, uint32_t events, int op) {
  if (op == EPOLL_CTL_MOD && c->events == events) return; /* no syscall for no change */
  c->events = events;
  struct epoll_event ev;
  ev.events = events;
  ev.data.ptr = c;
  if (epoll_ctl(epfd, op, c->fd, &ev) < 0) die("epoll_ctl");
}

/* Starts a non-blocking connect; the connection becomes usable on EPOLLOUT. */
static int start_connect(struct conn *c) {
  static struct sockaddr_in sa;
  static int have_sa;
  if (!have_sa) { sa = server_addr(); have_sa = 1; }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (opt.mode != M_CONNRATE && opt.mode != M_IDLE) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  memset(c, 0, offsetof(struct conn, hdr));
  c->fd = fd;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
    close(fd);
    c->fd = -1;
    return -1;
  }
  watch(c, EPOLLOUT, EPOLL_CTL_ADD);
  return 0;
}

static void close_conn(struct conn *c) {
  /* close() also removes the fd from the epoll set (it is never duplicated). */
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->connected = 0;
}

/* Writes exactly len bytes or fails; used for small requests that always fit. */
static int write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1; /* a small request never hits EAGAIN on a fresh turn */
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Sends the next request of a request/response mode. */
static int send_request(struct conn *c) {
  c->t_start = now_ns();
  switch (opt.mode) {
  case M_PINGPONG:
    c->target = c->received + opt.size;
    return write_all(c->fd, payload, opt.size);
  case M_BURST:
  case M_CONNRATE:
    c->target = c->received + (opt.mode == M_BURST ? opt.expect : 1);
    return write_all(c->fd, payload, 1);
  case M_HTTP:
    c->parse_len = 0;
    c->body_left = 0;
    c->target = UINT64_MAX; /* response end is found by parsing */
    return write_all(c->fd, HTTP_REQ, sizeof HTTP_REQ - 1);
  default:
    return 0;
  }
}

/* Echo mode: keep up to opt.window bytes outstanding. */
static int echo_fill(struct conn *c) {
  while (c->sent - c->received < opt.window) {
    size_t room = (size_t)(opt.window - (c->sent - c->received));
    size_t off = (size_t)(c->sent % opt.size);
    size_t len = opt.size - off; /* finish the current chunk first */
    if (len > room) len = room;
    ssize_t n = write(c->fd, payload + off, len);
    if (n < 0) {
      if (errno == EAGAIN) return 0;
      if (errno == EINTR) continue;
      return -1;
    }
    c->sent += (uint64_t)n;
  }
  return 0;
}

static void echo_update_interest(struct conn *c) {
  uint32_t ev = EPOLLIN;
  if (c->sent - c->received < opt.window) ev |= EPOLLOUT;
  watch(c, ev, EPOLL_CTL_MOD);
}

/* Parses HTTP responses out of data; returns number of complete responses. */
static int http_consume(struct conn *c, const char *data, size_t len, int *err) {
  int done = 0;
  while (len > 0) {
    if (c->body_left > 0) {
      size_t take = len < c->body_left ? len : c->body_left;
      c->body_left -= take;
      data += take;
      len -= take;
      if (c->body_left == 0) done++;
      continue;
    }
    /* Accumulate header bytes until the blank line. */
    size_t room = sizeof c->hdr - 1 - c->parse_len;
    size_t take = len < room ? len : room;
    memcpy(c->hdr + c->parse_len, data, take);
    size_t before = c->parse_len;
    c->parse_len += take;
    c->hdr[c->parse_len] = 0;
    char *end = strstr(c->hdr, "\r\n\r\n");
    if (!end) {
      if (c->parse_len >= sizeof c->hdr - 1) { *err = 1; return done; }
      return done;
    }
    size_t hdr_len = (size_t)(end - c->hdr) + 4;
    if (strncmp(c->hdr, "HTTP/1.1 200", 12) != 0) { *err = 1; return done; }
    size_t body = 0;
    char *cl = strcasestr(c->hdr, "\r\ncontent-length:");
    if (!cl || cl > end) { *err = 1; return done; } /* hello-world responses carry a length */
    body = strtoul(cl + 17, NULL, 10);
    size_t used = hdr_len - before; /* bytes of this chunk that were header */
    data += used;
    len -= used;
    c->parse_len = 0;
    c->body_left = body;
    if (body == 0) done++;
  }
  return done;
}

static void on_connected(struct conn *c) {
  int soerr = 0;
  socklen_t sl = sizeof soerr;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
  if (soerr != 0) {
    errno = soerr;
    if (opt.mode == M_IDLE) idle_pending--;
    if (opt.mode == M_CONNRATE || opt.mode == M_IDLE) { m_errors++; close_conn(c); return; }
    die("connect");
  }
  c->connected = 1;
  switch (opt.mode) {
  case M_ECHO:
    if (echo_fill(c) < 0) die("write");
    echo_update_interest(c);
    break;
  case M_IDLE:
    /* One byte each way: the connection counts as established only once the
     * server has accepted it and answered, which also keeps the number of
     * not-yet-accepted connections below the server's listen backlog. */
    watch(c, EPOLLIN, EPOLL_CTL_MOD);
    c->target = 1;
    if (write_all(c->fd, payload, 1) < 0) { m_errors++; idle_pending--; close_conn(c); }
    break;
  case M_SLOWREAD:
    watch(c, 0, EPOLL_CTL_MOD); /* reads are paced by the main loop, not by readiness */
    break;
  default:
    watch(c, EPOLLIN, EPOLL_CTL_MOD);
    if (send_request(c) < 0) {
      if (opt.mode == M_CONNRATE) { m_errors++; close_conn(c); return; }
      die("write");
    }
  }
}

/* Handles readable data; returns -1 if the connection was closed. */
static int on_readable(struct conn *c) {
  size_t want = SCRATCH;
  if (opt.mode == M_SLOWREAD) return 0; /* reads are paced by the main loop */
  /* Echo data is only counted, never inspected: MSG_TRUNC makes TCP discard it
   * without copying, so the client spends less per byte than the server. */
  int flags = opt.mode == M_ECHO ? MSG_TRUNC : 0;
  ssize_t n = recv(c->fd, scratch, want, flags);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    if (opt.mode == M_IDLE && c->target == 1) idle_pending--;
    if (opt.mode == M_CONNRATE || opt.mode == M_IDLE) { m_errors++; close_conn(c); return -1; }
    die("read");
  }
  if (n == 0) {
    if (opt.mode == M_IDLE && c->target == 1) idle_pending--;
    if (opt.mode == M_IDLE || opt.mode == M_CONNRATE) { m_errors++; close_conn(c); return -1; }
    fprintf(stderr, "loadgen: server closed a connection\n");
    exit(3);
  }
  c->received += (uint64_t)n;
  if (measuring) m_bytes += (uint64_t)n;
  switch (opt.mode) {
  case M_ECHO:
    if (echo_fill(c) < 0) die("write");
    echo_update_interest(c);
    break;
  case M_PINGPONG:
  case M_BURST:
    if (c->received >= c->target) {
      if (c->received > c->target) { fprintf(stderr, "loadgen: more bytes than asked for\n"); exit(3); }
      record_latency(now_ns() - c->t_start);
      if (measuring) m_msgs += opt.mode == M_BURST ? opt.expect / opt.chunk : 1;
      if (send_request(c) < 0) die("write");
    }
    break;
  case M_IDLE:
    if (c->target == 1) { /* the answer to the connection's one byte */
      c->target = 0;
      idle_pending--;
      idle_established++;
    }
    break;
  case M_CONNRATE:
    if (c->received >= 1) {
      record_latency(now_ns() - c->t_start);
      if (measuring) m_msgs++;
      close_conn(c);
      if (start_connect(c) < 0) m_errors++;
      return -1;
    }
    break;
  case M_HTTP: {
    int err = 0;
    int done = http_consume(c, scratch, (size_t)n, &err);
    if (err) { fprintf(stderr, "loadgen: bad HTTP response: %.200s\n", c->hdr); exit(3); }
    if (done > 1) { fprintf(stderr, "loadgen: unexpected extra HTTP response\n"); exit(3); }
    if (done == 1) {
      record_latency(now_ns() - c->t_start);
      if (measuring) m_msgs++;
      if (send_request(c) < 0) die("write");
    }
    break;
  }
  default:
    break;
  }
  return 0;
}

static const char *mode_name(enum mode m) {
  static const char *const names[] = {"echo", "pingpong", "burst", "connrate", "idle", "http", "slowread"};
  return names[m];
}

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --port P --mode echo|pingpong|burst|connrate|idle|http|slowread\n"
          "  [--host 127.0.0.1] [--conns N] [--duration S] [--warmup S] [--size B]\n"
          "  [--window B] [--expect B] [--chunk B] [--rate B/s] [--server-pid PID] [--cpu N]\n");
  exit(2);
}

static void parse_args(int argc, char **argv) {
  opt.host = "127.0.0.1";
  opt.conns = 1;
  opt.duration = 5;
  opt.warmup = 1;
  opt.size = 16384;
  opt.window = 0;
  opt.expect = 3200;
  opt.chunk = 32;
  opt.rate = 1 << 20;
  opt.cpu = -1;
  opt.mode = M_ECHO;
  int have_mode = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--host")) opt.host = v;
    else if (!strcmp(a, "--port")) opt.port = atoi(v);
    else if (!strcmp(a, "--conns")) opt.conns = atoi(v);
    else if (!strcmp(a, "--duration")) opt.duration = atof(v);
    else if (!strcmp(a, "--warmup")) opt.warmup = atof(v);
    else if (!strcmp(a, "--size")) opt.size = (size_t)atol(v);
    else if (!strcmp(a, "--window")) opt.window = (size_t)atol(v);
    else if (!strcmp(a, "--expect")) opt.expect = (size_t)atol(v);
    else if (!strcmp(a, "--chunk")) opt.chunk = (size_t)atol(v);
    else if (!strcmp(a, "--rate")) opt.rate = atof(v);
    else if (!strcmp(a, "--server-pid")) opt.server_pid = atoi(v);
    else if (!strcmp(a, "--cpu")) opt.cpu = atoi(v);
    else if (!strcmp(a, "--mode")) {
      have_mode = 1;
      if (!strcmp(v, "echo")) opt.mode = M_ECHO;
      else if (!strcmp(v, "pingpong")) opt.mode = M_PINGPONG;
      else if (!strcmp(v, "burst")) opt.mode = M_BURST;
      else if (!strcmp(v, "connrate")) opt.mode = M_CONNRATE;
      else if (!strcmp(v, "idle")) opt.mode = M_IDLE;
      else if (!strcmp(v, "http")) opt.mode = M_HTTP;
      else if (!strcmp(v, "slowread")) opt.mode = M_SLOWREAD;
      else usage();
    } else usage();
  }
  if (!have_mode || opt.port <= 0 || opt.conns <= 0 || opt.size == 0 || opt.size > SCRATCH || opt.chunk == 0) usage();
  if (opt.window == 0) opt.window = opt.size * 4;
}

static void raise_nofile(int need) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return;
  rlim_t want = (rlim_t)need + 64;
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  if (opt.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(opt.cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0) die("sched_setaffinity");
  }
  raise_nofile(opt.conns);
  hist = calloc(HIST_BUCKETS, sizeof *hist);
  payload = malloc(opt.size);
  scratch = malloc(SCRATCH);
  struct conn *conns = calloc((size_t)opt.conns, sizeof *conns);
  if (!hist || !payload || !scratch || !conns) die("malloc");
  memset(payload, 'x', opt.size);
  for (int i = 0; i < opt.conns; i++) conns[i].fd = -1;
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");

  /* In idle mode stdin is watched: EOF means "release the connections". An
   * unpollable stdin (e.g. /dev/null) is not watched: then --duration ends it. */
  struct conn stdin_marker;
  memset(&stdin_marker, 0, sizeof stdin_marker);
  stdin_marker.fd = 0;
  if (opt.mode == M_IDLE) {
    struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &stdin_marker};
    epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &sev);
  }

  const int max_pending_connects = 256;
  int started = 0;
  double idle_start_ms = realtime_ms();
  uint64_t t0 = now_ns();
  if (opt.mode != M_IDLE) {
    for (int i = 0; i < opt.conns; i++)
      if (start_connect(&conns[i]) < 0) die("connect");
    started = opt.conns;
  }

  uint64_t warm_end = t0 + (uint64_t)(opt.warmup * 1e9);
  uint64_t end = warm_end + (uint64_t)(opt.duration * 1e9);
  uint64_t m_start = 0;
  long long cpu_self0 = 0, cpu_srv0 = 0;
  double slow_tokens = 0;
  uint64_t slow_last = now_ns();
  int idle_reported = 0;
  struct epoll_event evs[512];

  for (;;) {
    uint64_t t = now_ns();
    if (!measuring && t >= warm_end && opt.mode != M_IDLE) {
      measuring = 1;
      m_start = t;
      cpu_self0 = proc_cpu_ticks(getpid());
      cpu_srv0 = opt.server_pid > 0 ? proc_cpu_ticks(opt.server_pid) : -1;
    }
    if (t >= end) break;

    if (opt.mode == M_IDLE) {
      while (started < opt.conns && idle_pending < max_pending_connects) {
        if (start_connect(&conns[started]) < 0) { m_errors++; }
        else idle_pending++;
        started++;
      }
      if (!idle_reported && idle_established + (int)m_errors >= opt.conns) {
        printf("{\"established\":%d,\"errors\":%llu,\"start_ms\":%.3f,\"client_ms\":%.3f}\n",
               idle_established, (unsigned long long)m_errors, idle_start_ms,
               (double)(now_ns() - t0) / 1e6);
        fflush(stdout);
        idle_reported = 1;
      }
    }

    int timeout_ms = 50;
    if (opt.mode == M_SLOWREAD) {
      /* Pace reads: refill tokens, then give every connection an equal share. */
      double dt = (double)(t - slow_last) / 1e9;
      slow_last = t;
      slow_tokens += dt * opt.rate;
      double cap = opt.rate / 10 + 65536;
      if (slow_tokens > cap) slow_tokens = cap;
      int connected = 0;
      for (int i = 0; i < opt.conns; i++) connected += conns[i].connected;
      double share = connected > 0 ? slow_tokens / connected : 0;
      for (int i = 0; i < opt.conns && share >= 1; i++) {
        struct conn *c = &conns[i];
        if (!c->connected) continue;
        size_t want = (size_t)share;
        if (want > SCRATCH) want = SCRATCH;
        ssize_t n = read(c->fd, scratch, want);
        if (n > 0) {
          slow_tokens -= (double)n;
          c->received += (uint64_t)n;
          if (measuring) m_bytes += (uint64_t)n;
        } else if (n == 0) {
          fprintf(stderr, "loadgen: server closed a slow-read connection\n");
          exit(3);
        }
      }
      timeout_ms = 5;
    }

    int n = epoll_wait(epfd, evs, 512, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct conn *c = evs[i].data.ptr;
      if (c == &stdin_marker) {
        char b[64];
        ssize_t r = read(0, b, sizeof b);
        if (r <= 0) { end = 0; epoll_ctl(epfd, EPOLL_CTL_DEL, 0, NULL); }
        continue;
      }
      if (c->fd < 0) continue;
      if (!c->connected) {
        on_connected(c);
        if (opt.mode == M_CONNRATE && c->fd < 0 && start_connect(c) < 0) m_errors++;
        continue;
      }
      if (opt.mode == M_SLOWREAD) {
        fprintf(stderr, "loadgen: slow-read connection failed\n");
        exit(3);
      }
      on_readable(c);
    }
  }

  uint64_t t_end = now_ns();
  double secs = measuring ? (double)(t_end - m_start) / 1e9 : (double)(t_end - t0) / 1e9;
  long long cpu_self1 = proc_cpu_ticks(getpid());
  long long cpu_srv1 = opt.server_pid > 0 ? proc_cpu_ticks(opt.server_pid) : -1;
  double hz = (double)sysconf(_SC_CLK_TCK);
  double self_pct = measuring ? 100.0 * (double)(cpu_self1 - cpu_self0) / hz / secs : -1;
  double srv_pct = (measuring && cpu_srv0 >= 0 && cpu_srv1 >= 0)
                       ? 100.0 * (double)(cpu_srv1 - cpu_srv0) / hz / secs : -1;
  for (int i = 0; i < opt.conns; i++) close_conn(&conns[i]);
  printf("{\"mode\":\"%s\",\"conns\":%d,\"seconds\":%.4f,\"bytes\":%llu,\"msgs\":%llu,"
         "\"errors\":%llu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"client_cpu\":%.1f,\"server_cpu\":%.1f}\n",
         mode_name(opt.mode),
         opt.conns, secs, (unsigned long long)m_bytes, (unsigned long long)m_msgs,
         (unsigned long long)m_errors, percentile_us(0.50), percentile_us(0.99),
         hist_count ? (double)latency_max_ns / 1e3 : -1.0, self_pct, srv_pct);
  free(conns);
  free(scratch);
  free(payload);
  free(hist);
  close(epfd);
  return 0;
}
