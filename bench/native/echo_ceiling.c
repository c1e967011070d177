/*
 * echo_ceiling: the smallest reasonable C epoll server, used as the "ceiling"
 * column of the benchmarks: what this machine does with no runtime in between.
 * One thread, level-triggered epoll, loopback only.
 *
 *   --mode echo   echo every byte back (scenarios echo, ping-pong, connection rate)
 *   --mode burst  answer each received byte with --burst bytes in ONE write
 *                 (the best a coalescing server can do; scenario 3)
 *   --mode http   answer each request (header block ending in CRLF CRLF) with a
 *                 fixed hello-world keep-alive response (scenario 6)
 *
 * Prints {"port":N} on stdout once listening; runs until stdin reaches EOF (the
 * benchmark driver closes it) or until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode { M_ECHO, M_BURST, M_HTTP };

#define BUF_SIZE 65536

struct conn {
  char *out;        /* bytes accepted for sending but not yet written */
  size_t out_len;
  size_t out_off;
  int http_state;   /* http: how many bytes of "\r\n\r\n" were just seen */
};

static enum mode mode = M_ECHO;
static size_t burst_bytes = 3200;
static char *burst_payload;
static int epfd;
static struct conn *conns;
static int max_fd;
static const char HTTP_RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
    "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 14\r\n\r\nHello, World!\n";

static void die(const char *what) {
  fprintf(stderr, "echo_ceiling: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void set_events(int fd, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0) die("epoll_ctl");
}

static void drop(int fd) {
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(conns[fd].out);
  memset(&conns[fd], 0, sizeof conns[fd]);
}

/* Sends as much as possible; keeps the rest. Returns -1 on a fatal error. */
static int send_or_keep(int fd, const char *p, size_t len) {
  struct conn *c = &conns[fd];
  if (c->out_len == 0) {
    while (len > 0) {
      ssize_t n = write(fd, p, len);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        return -1;
      }
      p += n;
      len -= (size_t)n;
    }
    if (len == 0) return 0;
  }
  char *grown = realloc(c->out, c->out_len + len);
  if (!grown) die("realloc");
  c->out = grown;
  memcpy(c->out + c->out_len, p, len);
  c->out_len += len;
  set_events(fd, EPOLLOUT); /* stop reading until the backlog is written */
  return 0;
}

static int flush_out(int fd) {
  struct conn *c = &conns[fd];
  while (c->out_off < c->out_len) {
    ssize_t n = write(fd, c->out + c->out_off, c->out_len - c->out_off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 0;
      return -1;
    }
    c->out_off += (size_t)n;
  }
  c->out_len = c->out_off = 0;
  set_events(fd, EPOLLIN);
  return 0;
}

/* Counts complete HTTP request heads in data (requests carry no body here). */
static int count_requests(struct conn *c, const char *data, size_t len) {
  static const char END[] = "\r\n\r\n";
  int count = 0;
  for (size_t i = 0; i < len; i++) {
    if (data[i] == END[c->http_state]) {
      if (++c->http_state == 4) { count++; c->http_state = 0; }
    } else {
      c->http_state = data[i] == '\r' ? 1 : 0;
    }
  }
  return count;
}

static int on_readable(int fd, char *buf) {
  ssize_t n = read(fd, buf, BUF_SIZE);
  if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
  if (n == 0) return -1;
  switch (mode) {
  case M_ECHO:
    return send_or_keep(fd, buf, (size_t)n);
  case M_BURST:
    for (ssize_t i = 0; i < n; i++)
      if (send_or_keep(fd, burst_payload, burst_bytes) < 0) return -1;
    return 0;
  case M_HTTP: {
    int requests = count_requests(&conns[fd], buf, (size_t)n);
    for (int i = 0; i < requests; i++)
      if (send_or_keep(fd, HTTP_RESPONSE, sizeof HTTP_RESPONSE - 1) < 0) return -1;
    return 0;
  }
  }
  return 0;
}

int main(int argc, char **argv) {
  int port = 0, cpu = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--cpu")) cpu = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--burst")) burst_bytes = (size_t)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--mode")) {
      const char *m = argv[i + 1];
      if (!strcmp(m, "echo")) mode = M_ECHO;
      else if (!strcmp(m, "burst")) mode = M_BURST;
      else if (!strcmp(m, "http")) mode = M_HTTP;
      else { fprintf(stderr, "echo_ceiling: unknown mode %s\n", m); return 2; }
    } else {
      fprintf(stderr, "usage: echo_ceiling [--port P] [--mode echo|burst|http] [--burst B] [--cpu N]\n");
      return 2;
    }
  }
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0) die("sched_setaffinity");
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die("getrlimit");
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  max_fd = rl.rlim_cur > 1000000 ? 1000000 : (int)rl.rlim_cur;
  conns = calloc((size_t)max_fd, sizeof *conns);
  burst_payload = malloc(burst_bytes);
  char *buf = malloc(BUF_SIZE);
  if (!conns || !burst_payload || !buf) die("malloc");
  memset(burst_payload, 'b', burst_bytes);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  if (listen(lfd, 4096) < 0) die("listen");
  socklen_t sl = sizeof sa;
  if (getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) die("getsockname");

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl");
  /* EOF on stdin means "stop"; stdin may be unpollable (e.g. /dev/null): then run until killed. */
  struct epoll_event sev = {.events = EPOLLIN, .data.fd = 0};
  int watch_stdin = epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &sev) == 0;
  printf("{\"port\":%d}\n", ntohs(sa.sin_port));
  fflush(stdout);

  struct epoll_event evs[512];
  for (;;) {
    int n = epoll_wait(epfd, evs, 512, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == 0 && watch_stdin) {
        char b[256];
        if (read(0, b, sizeof b) <= 0) return 0;
        continue;
      }
      if (fd == lfd) {
        for (;;) {
          int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;
          if (cfd >= max_fd) { close(cfd); continue; }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
          if (epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev) < 0) die("epoll_ctl");
        }
        continue;
      }
      int rc = 0;
      if (evs[i].events & EPOLLOUT) rc = flush_out(fd);
      else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) rc = on_readable(fd, buf);
      if (rc < 0) drop(fd);
    }
  }
}
