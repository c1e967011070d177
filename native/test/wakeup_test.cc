// Lost wake-ups (rule 15): every completion must wake the loop at once, with
// nothing else going on. The peer runs in another process (fork) with plain
// blocking sockets and idles between messages, so no unrelated event can
// wake our loop: a peer in the same process, or a saturated benchmark,
// always has something else waking the loop and hides a missed wake-up.
//
// The loop drains only when PollFd() says so (test/loop.cc), as the Node
// bridge does. Two assertions per scenario, both far from normal (~0.1 ms
// per round trip on loopback):
// - no round trip over 100 ms: a wake-up lost for good hangs the loop;
// - median under 5 ms: a wake-up that comes late on most round trips (the
//   io_uring DEFER_TASKRUN eventfd, signalled through RCU on Linux 6.18, made
//   every idle round trip wait 8-32 ms) shows up as a slow median.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "test/harness.h"
#include "test/loop.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

constexpr int kRoundTrips = 200;
constexpr size_t kMessage = 64;
constexpr double kLostMs = 100;
constexpr double kLateMedianMs = 5;

double NowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Checks a set of round-trip times (ms) against the two limits above.
void CheckRoundTrips(const char* what, std::vector<double> times) {
  REQUIRE(!times.empty());
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  double worst = times.back();
  std::printf("    [%s] %zu round trips: median %.3f ms, worst %.3f ms\n", what, times.size(), median, worst);
  CHECK(worst < kLostMs);
  CHECK(median < kLateMedianMs);
}

// A child process; killed and reaped when this goes out of scope.
class Child {
 public:
  template <typename Body>
  explicit Child(Body body) {
    pid_ = fork();
    if (pid_ == 0) {
      int code = body();
      _exit(code);
    }
    REQUIRE(pid_ > 0);
  }
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Waits for the child to exit; its exit status (or -1).
  int Wait() {
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

bool ReadFully(int fd, void* data, size_t size) {
  uint8_t* p = static_cast<uint8_t*>(data);
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFully(int fd, const void* data, size_t size) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

int BlockingConnect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) < 0) return -1;
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  return fd;
}

// Engine as client, blocking echo server in a child process.
TEST(wakeup_client_round_trips_peer_in_other_process) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(listen(listener, 16) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  uint16_t port = ntohs(address.sin_port);
  Child child([listener] {
    int fd = accept(listener, nullptr, nullptr);
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    uint8_t buffer[kMessage];
    while (ReadFully(fd, buffer, sizeof(buffer))) {
      if (!WriteFully(fd, buffer, sizeof(buffer))) break;
    }
    return 0;
  });
  close(listener);

  Loop loop;
  HandleId client = loop.ConnectTcp("127.0.0.1", port);
  bool connected = false;
  size_t received = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnect) connected = e.status == 0;
    if (e.kind == EventKind::kData) received += e.size;
  };
  REQUIRE(loop.RunUntil([&] { return connected; }, 5000));
  REQUIRE(loop->SetNoDelay(client, true) == 0);
  REQUIRE(loop->ReadStart(client) == 0);
  std::vector<double> times;
  uint8_t message[kMessage];
  std::memset(message, 'p', sizeof(message));
  for (int i = 0; i < kRoundTrips; ++i) {
    WriteSlice slice{message, sizeof(message), false};
    double start = NowMs();
    REQUIRE(loop->Write(client, &slice, 1, static_cast<uint64_t>(i + 1)) == 0);
    size_t want = received + kMessage;
    REQUIRE(loop.RunUntil([&] { return received >= want; }, 5000));
    times.push_back(NowMs() - start);
  }
  CheckRoundTrips("engine client", times);
  loop.CloseAll({client});
}

// Engine as echo server, blocking client in a child process: the child
// measures its round trips (after an idle pause before connecting, so the
// accept and first byte wake an idle loop) and reports them through a pipe.
TEST(wakeup_server_accept_and_round_trips_peer_in_other_process) {
  Loop loop;
  uint16_t port = 0;
  HandleId server = loop.ListenTcp("127.0.0.1", &port);
  std::vector<HandleId> handles{server};
  uint64_t token = 0;
  loop.on_event = [&](const Event& e) {
    if (e.kind == EventKind::kConnection && e.status == 0) {
      handles.push_back(e.peer);
      loop->SetNoDelay(e.peer, true);
      loop->ReadStart(e.peer);
    }
    if (e.kind == EventKind::kData) {
      WriteSlice slice{e.data, e.size, false};
      loop->Write(e.handle, &slice, 1, ++token);
    }
    if (e.kind == EventKind::kEnd) loop->Close(e.handle, CloseMode::kGraceful);
  };
  int report[2];
  REQUIRE(pipe(report) == 0);
  Child child([port, &report] {
    close(report[0]);
    std::vector<double> times;
    // Idle loop first: the connect and first byte must wake it.
    for (int connection = 0; connection < 3; ++connection) {
      usleep(150 * 1000);
      double start = NowMs();
      int fd = BlockingConnect(port);
      if (fd < 0) return 2;
      uint8_t message[kMessage];
      std::memset(message, 'q', sizeof(message));
      if (!WriteFully(fd, message, sizeof(message)) || !ReadFully(fd, message, sizeof(message))) return 3;
      times.push_back(NowMs() - start);
      for (int i = 0; i < kRoundTrips / 3; ++i) {
        if (i % 20 == 0) usleep(20 * 1000);  // idle in between, too
        start = NowMs();
        if (!WriteFully(fd, message, sizeof(message)) || !ReadFully(fd, message, sizeof(message))) return 4;
        times.push_back(NowMs() - start);
      }
      close(fd);
    }
    size_t count = times.size();
    WriteFully(report[1], &count, sizeof(count));
    WriteFully(report[1], times.data(), count * sizeof(double));
    return 0;
  });
  close(report[1]);
  // Serve until the child has written its report (the pipe becomes readable).
  REQUIRE(loop.RunUntil([&] {
    pollfd pfd{report[0], POLLIN, 0};
    return poll(&pfd, 1, 0) > 0;
  }, 20000));
  size_t count = 0;
  REQUIRE(ReadFully(report[0], &count, sizeof(count)));
  std::vector<double> times(count);
  REQUIRE(count > 0 && ReadFully(report[0], times.data(), count * sizeof(double)));
  close(report[0]);
  CHECK_EQ(child.Wait(), 0);
  CheckRoundTrips("engine server (measured by the peer)", times);
  loop.CloseAll(handles);
}

}  // namespace
